"""A therapist's appointments as an iCalendar feed, read by their calendar app: a machine's door,
like the rest of the API front (the staff page that makes its address is ``staff/feeds.py``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from backcare import policy
from backcare.audit.log import record
from backcare.feeds import actions
from backcare.feeds.calendar import therapist_calendar
from backcare.feeds.models import CalendarFeed


@require_safe
@policy.public
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The therapist's appointments as an iCalendar feed, for their calendar app to subscribe to.

    Public on purpose: calendar apps cannot sign in. The secret token in the address is the
    credential, so it is compared by its SHA-256 against active feeds only; an unknown or
    revoked token, or a therapist who no longer works here, gets 404, the same answer as a
    page that never existed. Clients appear as first name and last initial (SPEC §7). Every
    read is written to the audit log.
    """
    feed = (
        CalendarFeed.objects.filter(
            token_hash=actions.hash_token(token),
            revoked_at__isnull=True,
            therapist__active=True,
            therapist__user__is_active=True,
        )
        .select_related("therapist__user")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    body = therapist_calendar(feed.therapist, now=timezone.now())
    # Each read is audited, as the therapist's: their secret address is their credential.
    record(
        feed.therapist.user,
        "calendar_feed.read",
        feed,
        changes={"appointments": body.count(b"BEGIN:VEVENT")},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="backcare.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# Mounted at the site's root under the ``feeds:`` names (backcare/urls.py): the address is in
# calendar apps already.
urlpatterns = [
    path("calendar/<str:token>.ics", calendar, name="calendar"),
]
