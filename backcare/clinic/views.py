"""Staff pages for the clinic's people and places (clients, locations, rooms, therapists,
services); the staff home and the client's chart are in the staff front (``backcare/staff``).
Each view: fetch through the policy, one action, render.

Edit forms get their own copy of the object: a ModelForm writes the submitted values onto its
instance while validating, and the action must still see the values from before to audit them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.clinic import actions
from backcare.clinic.forms import (
    CareTeamForm,
    ClientForm,
    LocationForm,
    RoomForm,
    ServiceForm,
    TherapistForm,
)
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.lib.techniques import technique_labels
from backcare.pages import form_page
from backcare.policy import Action, AuthenticatedRequest

PAGE_SIZE = 25

# --- Clients --------------------------------------------------------------------------------


@policy.requires(Action.CLIENT_CREATE)
def client_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    return form_page(
        request,
        form,
        "clinic/client_form.html",
        lambda: actions.register_client(request.user, form.cleaned_data),
        success="Client registered.",
        context={"title": "Register a client"},
    )


load_client = policy.loader(Client, "client_id")


@policy.requires(Action.CLIENT_EDIT, load=load_client)
def client_edit(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=client.pk))
    return form_page(
        request,
        form,
        "clinic/client_form.html",
        lambda: actions.update_client(request.user, client, form.cleaned_data),
        success="Client details saved.",
        context={"title": f"Edit {client.full_name}", "client": client},
    )


@require_POST
@policy.requires(Action.CARE_TEAM_EDIT, load=load_client)
def care_team_add(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    form = CareTeamForm(request.POST)
    if form.is_valid():
        actions.add_to_care_team(
            request.user,
            client,
            form.cleaned_data["therapist"],
            CareTeamMembership.Reason.ASSIGNED,
            timezone.now(),
        )
    return redirect(client)


@require_POST
@policy.requires(Action.CARE_TEAM_EDIT, load=load_client)
def care_team_remove(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    membership = get_object_or_404(
        CareTeamMembership, client=client, pk=request.POST.get("membership"), ended_at__isnull=True
    )
    actions.remove_from_care_team(request.user, membership, timezone.now())
    return redirect(client)


@require_POST
@policy.requires(Action.CLIENT_EDIT, load=load_client)
def portal_invite(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    try:
        actions.invite_client_to_portal(request.user, client, site_url=settings.SITE_URL)
    except actions.PortalInviteError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"We emailed {client.email} a link to choose a password.")
    return redirect(client)


# --- Locations and rooms --------------------------------------------------------------------


@policy.requires(Action.PLACES_VIEW)
def location_list(request: AuthenticatedRequest) -> HttpResponse:
    locations = Location.objects.annotate(
        room_count=Count("rooms", distinct=True), therapist_count=Count("therapists", distinct=True)
    )
    return render(
        request,
        "clinic/location_list.html",
        {"locations": locations, "can_edit": policy.can(request.user, Action.PLACES_EDIT)},
    )


load_location = policy.loader(Location, "location_id")


@policy.requires(Action.PLACES_VIEW, load=load_location)
def location_detail(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    return render(
        request,
        "clinic/location_detail.html",
        {
            "location": location,
            "rooms": location.rooms.all(),
            "therapists": location.therapists.select_related("user"),
            "can_edit": policy.can(request.user, Action.PLACES_EDIT),
        },
    )


@policy.requires(Action.PLACES_EDIT)
def location_create(request: AuthenticatedRequest) -> HttpResponse:
    form = LocationForm(request.POST or None)
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.create_location(request.user, form.cleaned_data),
        success="Location added.",
        context={"title": "Add a location", "back": "clinic:location_list"},
    )


@policy.requires(Action.PLACES_EDIT, load=load_location)
def location_edit(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    form = LocationForm(request.POST or None, instance=Location.objects.get(pk=location.pk))
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.update_location(request.user, location, form.cleaned_data),
        success="Location saved.",
        context={"title": f"Edit {location.name}", "back": "clinic:location_list"},
    )


@policy.requires(Action.PLACES_EDIT, load=load_location)
def room_create(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    form = RoomForm(request.POST or None)
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: (
            actions.create_room(request.user, {**form.cleaned_data, "location": location}).location
        ),
        success="Room added.",
        context={"title": f"Add a room at {location.name}", "back": "clinic:location_list"},
    )


@policy.requires(Action.PLACES_EDIT, load=policy.loader(Room, "room_id"))
def room_edit(request: AuthenticatedRequest, room: Room) -> HttpResponse:
    form = RoomForm(request.POST or None, instance=Room.objects.get(pk=room.pk))
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.update_room(request.user, room, form.cleaned_data).location,
        success="Room saved.",
        context={"title": f"Edit {room.name}", "back": "clinic:location_list"},
    )


# --- Therapists -----------------------------------------------------------------------------


@policy.requires(Action.PLACES_VIEW)
def therapist_list(request: AuthenticatedRequest) -> HttpResponse:
    therapists = Therapist.objects.select_related("user").prefetch_related("locations")
    return render(
        request,
        "clinic/therapist_list.html",
        {"therapists": therapists, "can_edit": policy.can(request.user, Action.PLACES_EDIT)},
    )


load_therapist = policy.loader(Therapist, "therapist_id")


@policy.requires(Action.PLACES_VIEW, load=load_therapist)
def therapist_detail(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    hours = therapist.hours.select_related("location").prefetch_related("breaks")
    return render(
        request,
        "clinic/therapist_detail.html",
        {
            "therapist": therapist,
            "techniques": technique_labels(therapist.techniques),
            "locations": therapist.locations.all(),
            "hours": hours,
            "can_edit": policy.can(request.user, Action.PLACES_EDIT),
        },
    )


@policy.requires(Action.PLACES_EDIT)
def therapist_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TherapistForm(request.POST or None)
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.create_therapist(
            request.user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=None,
            data=form.therapist_data(),
            locations=list(form.cleaned_data["locations"]),
            site_url=settings.SITE_URL,
        ),
        success="Therapist added. We emailed them a link to choose a password.",
        context={"title": "Add a therapist", "back": "clinic:therapist_list"},
    )


@policy.requires(Action.PLACES_EDIT, load=load_therapist)
def therapist_edit(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    form = TherapistForm(request.POST or None, instance=Therapist.objects.get(pk=therapist.pk))
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.update_therapist(
            request.user,
            therapist,
            full_name=form.cleaned_data["full_name"],
            data=form.therapist_data(),
            locations=list(form.cleaned_data["locations"]),
        ),
        success="Therapist saved.",
        context={"title": f"Edit {therapist.name}", "back": "clinic:therapist_list"},
    )


# --- Services -------------------------------------------------------------------------------


@policy.requires(Action.PLACES_VIEW)
def service_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "clinic/service_list.html",
        {
            "services": Service.objects.all(),
            "can_edit": policy.can(request.user, Action.PLACES_EDIT),
        },
    )


@policy.requires(Action.PLACES_EDIT)
def service_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None)
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.create_service(request.user, form.cleaned_data),
        success="Service added.",
        context={"title": "Add a service", "back": "clinic:service_list"},
    )


@policy.requires(Action.PLACES_EDIT, load=policy.loader(Service, "service_id"))
def service_edit(request: AuthenticatedRequest, service: Service) -> HttpResponse:
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.update_service(request.user, service, form.cleaned_data),
        success="Service saved.",
        context={"title": f"Edit {service.name}", "back": "clinic:service_list"},
    )
