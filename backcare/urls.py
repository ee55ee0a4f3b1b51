from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("backcare.accounts.urls")),
    path("staff/", include("backcare.staff.urls")),
    path("staff/", include("backcare.clinic.urls")),
    path("staff/audit/", include("backcare.audit.urls")),
    path("staff/analytics/", include("backcare.analytics.urls")),
    path("", include("backcare.screening.urls")),
    path("", include("backcare.intake.urls")),
    path("portal/", include("backcare.portal.urls")),
    path("staff/", include("backcare.scheduling.urls")),
    path("portal/", include("backcare.portal.booking_urls")),
    path("", include("backcare.waitlist.urls")),
    path("", include("backcare.feeds.urls")),
    path("", include("backcare.care.urls")),
    path("", include("backcare.notes.urls")),
    path("", include("backcare.holds.urls")),
    path("", include("backcare.outcomes.urls")),
    path("admin/", admin.site.urls),
]
