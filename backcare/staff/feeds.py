"""A therapist's calendar feed: the staff page that makes and revokes its address (the feed
itself, read by calendar apps, is in ``api/calendar_feed.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.clinic.models import Therapist
from backcare.feeds import actions
from backcare.feeds.calendar import DAYS_AHEAD, DAYS_BACK
from backcare.feeds.models import CalendarFeed
from backcare.policy import Action, AuthenticatedRequest


def _own_therapist(request: AuthenticatedRequest) -> Therapist | None:
    return Therapist.objects.filter(user=request.user).first()


def _page(request: AuthenticatedRequest, *, new_url: str = "", status: int = 200) -> HttpResponse:
    therapist = _own_therapist(request)
    own = (
        CalendarFeed.objects.filter(therapist=therapist, revoked_at__isnull=True).first()
        if therapist is not None
        else None
    )
    # The owner sees, and may revoke, every therapist's feed; a therapist only their own.
    others = [
        feed
        for feed in CalendarFeed.objects.filter(revoked_at__isnull=True)
        .exclude(therapist=therapist)
        .select_related("therapist__user")
        .order_by("therapist__user__full_name")
        if policy.can(request.user, Action.CALENDAR_FEED_MANAGE, feed)
    ]
    return render(
        request,
        "feeds/calendar_feed.html",
        {
            "therapist": therapist,
            "own": own,
            "others": others,
            "new_url": new_url,
            "days_back": DAYS_BACK,
            "days_ahead": DAYS_AHEAD,
        },
        status=status,
    )


@policy.requires(Action.CALENDAR_FEED_MANAGE)
def manage(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request)


@require_POST
@policy.requires(Action.CALENDAR_FEED_MANAGE)
def create(request: AuthenticatedRequest) -> HttpResponse:
    """Make a new address and show it, this once, on the page (it is stored only hashed)."""
    therapist = _own_therapist(request)
    if therapist is None:
        messages.error(request, "Calendar feeds are for therapists: they show their own bookings.")
        return redirect("feeds:manage")
    _feed, token = actions.create_feed(request.user, therapist)
    return _page(request, new_url=actions.feed_url(token))


@require_POST
@policy.requires(Action.CALENDAR_FEED_MANAGE)
def revoke(request: AuthenticatedRequest) -> HttpResponse:
    feed_id = request.POST.get("feed", "")
    feed = (
        CalendarFeed.objects.select_related("therapist").filter(pk=int(feed_id)).first()
        if feed_id.isdigit()
        else None
    )
    if feed is None or not policy.can(request.user, Action.CALENDAR_FEED_MANAGE, feed):
        raise Http404("No such calendar feed.")
    actions.revoke_feed(request.user, feed)
    messages.success(request, "The calendar address no longer works.")
    return redirect("feeds:manage")
