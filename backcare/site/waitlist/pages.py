"""Waitlist page parts both fronts use: the form to join the waitlist (a client for themselves,
staff for a client) and the offers an entry is waiting on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from backcare import policy
from backcare.clinic.models import Client
from backcare.holds.queries import booking_hold
from backcare.lib.errors import FieldError
from backcare.pages import show_refusal
from backcare.policy import AuthenticatedRequest
from backcare.site.waitlist.forms import WaitlistForm
from backcare.waitlist import actions
from backcare.waitlist.models import (
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)

load_entry = policy.loader(WaitlistEntry, "entry_id")
PENDING = Prefetch(  # an entry's offers still waiting for an answer
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


def join_page(
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
            show_refusal(form, refusal)
        else:
            messages.success(request, f"{client.first_name} is on the waitlist.")
            return redirect(done)
    hold = booking_hold(client, today)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, template, {"form": form, "client": client, "hold": hold, **context}, status=status
    )
