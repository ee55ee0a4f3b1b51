"""Waitlist pages: the client's own (portal), the offer link, and the clinic's list (staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backcare import policy
from backcare.clinic.models import Client, Location
from backcare.holds.queries import booking_hold
from backcare.lib.errors import FieldError
from backcare.policy import Action, AuthenticatedRequest
from backcare.waitlist import actions
from backcare.waitlist.forms import WaitlistForm
from backcare.waitlist.models import (
    OPEN_ENTRY_STATUSES,
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)

load_entry = policy.loader(WaitlistEntry, "entry_id")
load_client = policy.loader(Client, "client_id")
_PENDING = Prefetch(
    "offers",
    queryset=WaitlistOffer.objects.filter(status=OfferStatus.PENDING).select_related(
        "therapist__user"
    ),
    to_attr="pending_offers",
)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Service, location and therapist carried over from a booking page's query string."""
    return {
        name: request.GET[name]
        for name in ("service", "location", "therapist")
        if request.GET.get(name, "").isdigit()
    }


def _join_page(
    request: AuthenticatedRequest,
    client: Client,
    *,
    template: str,
    done: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The form; on a valid POST, one call to :func:`actions.join_waitlist`."""
    today = timezone.localdate()
    if request.method == "POST":
        form = WaitlistForm(request.POST, today=today)
    else:
        form = WaitlistForm(today=today)
        form.initial.update({"location": client.home_location_id, **_prefill(request)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.join_waitlist(request.user, client, **form.choices())
        except FieldError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, f"{client.first_name} is on the waitlist.")
            return redirect(done)
    hold = booking_hold(client, today)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, template, {"form": form, "client": client, "hold": hold, **context}, status=status
    )


# --- The client's own pages (portal) --------------------------------------------------------


def _own_client(request: AuthenticatedRequest) -> Client:
    client = policy.visible_clients(request.user).first()
    if client is None:
        raise Http404("This login is not linked to a client record.")
    return client


@require_safe
@policy.requires(Action.WAITLIST_OWN)
def portal_list(request: AuthenticatedRequest) -> HttpResponse:
    client = _own_client(request)
    entries = (
        WaitlistEntry.objects.filter(client=client)
        .select_related("service", "location", "therapist__user")
        .prefetch_related(_PENDING)
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
    return _join_page(
        request,
        _own_client(request),
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


# --- The clinic's pages (staff) -------------------------------------------------------------


@require_safe
@policy.requires(Action.WAITLIST_MANAGE)
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    """Everyone waiting, first come first served, per location: a fixed number of queries."""
    locations = list(Location.objects.filter(active=True))
    chosen = next((p for p in locations if str(p.pk) == request.GET.get("location")), None)
    entries = (
        WaitlistEntry.objects.filter(status__in=OPEN_ENTRY_STATUSES)
        .select_related("client", "service", "location", "therapist__user")
        .prefetch_related(_PENDING)
        .order_by("location__name", "created_at", "pk")
    )
    if chosen is not None:
        entries = entries.filter(location=chosen)
    return render(
        request,
        "waitlist/staff_list.html",
        {
            "entries": list(entries),
            "locations": locations,
            "chosen": chosen,
            "offered": EntryStatus.OFFERED,
        },
    )


@require_http_methods(["GET", "POST"])
@policy.requires(Action.WAITLIST_ADD, load=load_client)
def staff_add(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return _join_page(
        request,
        client,
        template="waitlist/join.html",
        done="waitlist:staff_list",
        context={"title": f"Add {client.full_name} to the waitlist", "portal": False},
    )


@require_POST
@policy.requires(Action.WAITLIST_MANAGE, load=load_entry)
def staff_remove(request: AuthenticatedRequest, entry: WaitlistEntry) -> HttpResponse:
    actions.leave_waitlist(request.user, entry)
    messages.success(request, f"{entry.client.full_name} is off the waitlist.")
    return redirect("waitlist:staff_list")
