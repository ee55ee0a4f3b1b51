"""The client's waitlist pages: their entries, asking for an earlier time, leaving, and the
offer reached by the link in its email."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backcare import policy
from backcare.holds.queries import booking_hold
from backcare.lib.errors import FieldError
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal.own import own_client
from backcare.site.waitlist.pages import PENDING, join_page, load_entry
from backcare.waitlist import actions
from backcare.waitlist.models import OPEN_ENTRY_STATUSES, OfferStatus, WaitlistEntry


@require_safe
@policy.requires(Action.WAITLIST_OWN)
def portal_list(request: AuthenticatedRequest) -> HttpResponse:
    client = own_client(request)
    entries = (
        WaitlistEntry.objects.filter(client=client)
        .select_related("service", "location", "therapist__user")
        .prefetch_related(PENDING)
        .order_by("-created_at")
    )
    return render(
        request,
        "waitlist/portal_list.html",
        {
            "client": client,
            "open_entries": [e for e in entries if e.status in OPEN_ENTRY_STATUSES],
            "past_entries": [e for e in entries if e.status not in OPEN_ENTRY_STATUSES][:10],
            "hold": booking_hold(client, timezone.localdate()),
        },
    )


@require_http_methods(["GET", "POST"])
@policy.requires(Action.WAITLIST_OWN)
def portal_join(request: AuthenticatedRequest) -> HttpResponse:
    return join_page(
        request,
        own_client(request),
        template="waitlist/join.html",
        done="waitlist:portal_list",
        context={"title": "Ask for an earlier time", "portal": True},
    )


@require_POST
@policy.requires(Action.WAITLIST_OWN, load=load_entry)
def portal_leave(request: AuthenticatedRequest, entry: WaitlistEntry) -> HttpResponse:
    actions.leave_waitlist(request.user, entry)
    messages.success(request, "You have left the waitlist.")
    return redirect("waitlist:portal_list")


# --- The offer link -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.public
def offer(request: HttpRequest, token: str) -> HttpResponseBase:
    """A waitlist offer, reached by the link in its email.

    Public on purpose, but the token is only half the credential. The secret token in the link
    finds the offer (compared by its SHA-256; an unknown token gets 404, the page that never
    existed). To see the offer's details or answer it, the visitor must also be signed in as the
    client it was made to: others get the same 404, and an anonymous visitor is sent to sign in
    and brought back. Why both: accepting books an appointment on a client's record, which must
    name who did it in the audit log, and email links travel — forwarded, previewed by mail
    scanners, opened on shared computers — so the link alone should neither book nor show that
    its holder is a client of a back-pain clinic. Only clients with a portal login are made
    offers (``actions._can_take``).
    """
    found = actions.find_offer(token)
    if found is None:
        raise Http404("No such offer.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if found.entry.client.user_id != request.user.pk:
        raise Http404("No such offer.")
    user: Any = request.user
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                actions.accept_offer(user, found)
                messages.success(request, "Booked. We have emailed you the confirmation.")
            elif request.POST.get("answer") == "decline":
                actions.decline_offer(user, found)
                messages.success(
                    request, "Thank you for letting us know. You stay on the waitlist."
                )
        except FieldError as refusal:
            messages.error(request, refusal.message)
        return redirect("waitlist:offer", token=token)
    now = timezone.now()
    return render(
        request,
        "waitlist/offer.html",
        {
            "offer": found,
            "entry": found.entry,
            "open": found.status == OfferStatus.PENDING and now < found.expires_at,
            "zone": found.entry.location.time_zone,
        },
    )
