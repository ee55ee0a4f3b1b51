"""The clinic's waitlist pages: everyone waiting, per location; adding a client; removing an
entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backcare import policy
from backcare.clinic.models import Client, Location
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.waitlist.pages import PENDING, join_page, load_entry
from backcare.waitlist import actions
from backcare.waitlist.models import OPEN_ENTRY_STATUSES, EntryStatus, WaitlistEntry

load_client = policy.loader(Client, "client_id")


@require_safe
@policy.requires(Action.WAITLIST_MANAGE)
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    """Everyone waiting, first come first served, per location: a fixed number of queries."""
    locations = list(Location.objects.filter(active=True))
    chosen = next((p for p in locations if str(p.pk) == request.GET.get("location")), None)
    entries = (
        WaitlistEntry.objects.filter(status__in=OPEN_ENTRY_STATUSES)
        .select_related("client", "service", "location", "therapist__user")
        .prefetch_related(PENDING)
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
    return join_page(
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
