"""The root URLs: every front mounted at its place (``staff/``, ``portal/``, the site's own
pages at the root).

An area whose pages sit in both fronts keeps one URL namespace (``intake:staff_step``,
``intake:portal_step``), so links and the access matrix read the same wherever a page lives:
``area`` joins a staff and a portal URL conf (neither names itself) under that namespace."""

from collections.abc import Sequence

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from backcare.portal import waitlist_urls
from backcare.portal.privacy import privacy_notice

URLConf = str | Sequence[URLPattern | URLResolver]


def area(
    namespace: str, *, staff: URLConf = "", portal: URLConf = "", root: URLConf = ""
) -> URLResolver:
    """One URL namespace over an area's staff pages (at ``staff/``), client pages (at
    ``portal/``) and pages at the site's root (by token, or for everyone), each a URL conf
    module or a list of paths."""
    mounts = [
        path(prefix, include(module))
        for prefix, module in (("staff/", staff), ("portal/", portal), ("", root))
        if module
    ]
    return path("", include((mounts, namespace)))


urlpatterns = [
    path("privacy/", privacy_notice, name="privacy"),
    path("", include("backcare.site.sign_in_urls")),
    path("", include("backcare.site.two_factor_urls")),
    path("sign-in/passkeys/", include("backcare.site.passkey_urls")),
    path("staff/", include("backcare.staff.urls")),
    path("staff/", include("backcare.staff.clinic.urls")),
    path("staff/audit/", include("backcare.staff.audit.urls")),
    path("staff/analytics/", include("backcare.staff.analytics.urls")),
    area(
        "screening", staff="backcare.staff.screening.urls", portal="backcare.portal.screening_urls"
    ),
    area("intake", staff="backcare.staff.intake.urls", portal="backcare.portal.intake_urls"),
    path("portal/", include("backcare.portal.urls")),
    path("staff/", include("backcare.staff.schedule.urls")),
    path("portal/", include("backcare.portal.booking_urls")),
    path("portal/", include("backcare.portal.self_service_urls")),
    path("", include("backcare.portal.public_urls")),
    area(
        "waitlist",
        staff="backcare.staff.waitlist.urls",
        portal="backcare.portal.waitlist_urls",
        root=waitlist_urls.by_link,
    ),
    area("feeds", staff="backcare.staff.feeds_urls", root="backcare.api.calendar_feed"),
    area(
        "care",
        staff="backcare.staff.programs.urls",
        portal="backcare.portal.programs_urls",
        root="backcare.site.techniques",
    ),
    area("notes", staff="backcare.staff.notes.urls", portal="backcare.portal.check_in_urls"),
    area("holds", staff="backcare.staff.holds.urls"),
    area("outcomes", staff="backcare.staff.outcomes.urls", portal="backcare.portal.outcomes_urls"),
    path("staff/billing/", include("backcare.staff.billing_urls")),
    path("portal/billing/", include("backcare.portal.billing_urls")),
    path("", include(("backcare.api.stripe_webhook", "billing_online"))),
    path("staff/", include("backcare.staff.systems_urls")),
    path("", include(("backcare.api.token", "systems"))),
    path("fhir/R4/", include("backcare.interop.urls")),
    path("", include("backcare.api.urls")),
    path("admin/", admin.site.urls),
]
