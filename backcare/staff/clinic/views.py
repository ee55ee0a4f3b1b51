"""Staff pages for the clinic's people and places (clients, locations, rooms, therapists,
services); the staff home and the client's chart are in the staff front (``backcare/staff``).
Each view: fetch through the policy, one action, render.

Every add and edit form is one piece, ``_form_for``: an edit form gets its own copy of the
object (a ModelForm writes the submitted values onto its instance while validating, and the
action must still see the values from before to audit them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import Count, Model
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.accounts.models import User
from backcare.clinic import actions
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.lib.techniques import technique_labels
from backcare.pages import SupportsGetAbsoluteUrl, form_page, posted_id
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.invitations import invite_client_to_portal, invite_therapist
from backcare.staff.clinic.forms import (
    CareTeamForm,
    ClientForm,
    LocationForm,
    RoomForm,
    ServiceForm,
    TherapistForm,
)

PAGE_SIZE = 25

_M = TypeVar("_M", bound=Model)


def _form_for(
    request: AuthenticatedRequest,
    form_class: type[ModelForm[_M]],
    save: Callable[[User, Any], SupportsGetAbsoluteUrl],
    *,
    success: str,
    title: str,
    record: _M | None = None,
    back: str = "",
    template: str = "clinic/place_form.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page of a form that adds a record, or edits ``record``, through ``save`` (a named
    action given the user and the valid form). An edit form gets its own copy of the record:
    validating writes onto the instance, and the action must still see the values from
    before; a save over someone else's change since the form was opened is refused."""
    copy = type(record)._default_manager.get(pk=record.pk) if record is not None else None
    form = form_class(request.POST or None, instance=copy)
    return form_page(
        request,
        form,
        template,
        lambda: save(request.user, form),
        success=success,
        context={"title": title, **({"back": back} if back else {}), **(context or {})},
        record=record,
    )


_Place = TypeVar("_Place", Location, Service)


def _add_and_edit(
    form_class: type[ModelForm[_Place]],
    create: Callable[[User, Mapping[str, Any]], _Place],
    update: Callable[[User, _Place, Mapping[str, Any]], _Place],
    *,
    noun: str,
    load: Callable[..., _Place],
    back: str,
) -> tuple[policy.View, policy.View]:
    """The add page and the edit page of a record that is only its form (a location, a
    service), saved through the named actions ``create`` and ``update``."""

    @policy.requires(Action.PLACES_EDIT)
    def add(request: AuthenticatedRequest) -> HttpResponse:
        return _form_for(
            request,
            form_class,
            lambda user, form: create(user, form.cleaned_data),
            success=f"{noun} added.",
            title=f"Add a {noun.lower()}",
            back=back,
        )

    @policy.requires(Action.PLACES_EDIT, load=load)
    def edit(request: AuthenticatedRequest, record: _Place) -> HttpResponse:
        return _form_for(
            request,
            form_class,
            lambda user, form: update(user, record, form.cleaned_data),
            success=f"{noun} saved.",
            title=f"Edit {record.name}",
            record=record,
            back=back,
        )

    return add, edit


def _places_page(request: AuthenticatedRequest, template: str, **context: Any) -> HttpResponse:
    """A page of the clinic's places and people, with ``can_edit`` for its edit links."""
    return render(
        request, template, {**context, "can_edit": policy.can(request.user, Action.PLACES_EDIT)}
    )


# --- Clients --------------------------------------------------------------------------------


@policy.requires(Action.CLIENT_CREATE)
def client_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_for(
        request,
        ClientForm,
        lambda user, form: actions.register_client(user, form.cleaned_data),
        success="Client registered.",
        title="Register a client",
        template="clinic/client_form.html",
    )


load_client = policy.loader(Client, "client_id")


@policy.requires(Action.CLIENT_EDIT, load=load_client)
def client_edit(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return _form_for(
        request,
        ClientForm,
        lambda user, form: actions.update_client(user, client, form.cleaned_data),
        success="Client details saved.",
        title=f"Edit {client.full_name}",
        record=client,
        template="clinic/client_form.html",
        context={"client": client},
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
        CareTeamMembership,
        client=client,
        pk=posted_id(request.POST.get("membership")),
        ended_at__isnull=True,
    )
    actions.remove_from_care_team(request.user, membership, timezone.now())
    return redirect(client)


@require_POST
@policy.requires(Action.CLIENT_EDIT, load=load_client)
def portal_invite(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    try:
        invite_client_to_portal(request.user, client)
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
    return _places_page(
        request,
        "clinic/location_list.html",
        locations=locations,
    )


load_location = policy.loader(Location, "location_id")


@policy.requires(Action.PLACES_VIEW, load=load_location)
def location_detail(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    return _places_page(
        request,
        "clinic/location_detail.html",
        location=location,
        rooms=location.rooms.all(),
        therapists=location.therapists.select_related("user"),
    )


location_create, location_edit = _add_and_edit(
    LocationForm,
    actions.create_location,
    actions.update_location,
    noun="Location",
    load=load_location,
    back="clinic:location_list",
)


@policy.requires(Action.PLACES_EDIT, load=load_location)
def room_create(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    return _form_for(
        request,
        RoomForm,
        lambda user, form: (
            actions.create_room(user, {**form.cleaned_data, "location": location}).location
        ),
        success="Room added.",
        title=f"Add a room at {location.name}",
        back="clinic:location_list",
    )


@policy.requires(Action.PLACES_EDIT, load=policy.loader(Room, "room_id"))
def room_edit(request: AuthenticatedRequest, room: Room) -> HttpResponse:
    return _form_for(
        request,
        RoomForm,
        lambda user, form: actions.update_room(user, room, form.cleaned_data).location,
        success="Room saved.",
        title=f"Edit {room.name}",
        record=room,
        back="clinic:location_list",
    )


# --- Therapists -----------------------------------------------------------------------------


@policy.requires(Action.PLACES_VIEW)
def therapist_list(request: AuthenticatedRequest) -> HttpResponse:
    therapists = Therapist.objects.select_related("user").prefetch_related("locations")
    return _places_page(
        request,
        "clinic/therapist_list.html",
        therapists=therapists,
    )


load_therapist = policy.loader(Therapist, "therapist_id")


@policy.requires(Action.PLACES_VIEW, load=load_therapist)
def therapist_detail(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    hours = therapist.hours.select_related("location").prefetch_related("breaks")
    return _places_page(
        request,
        "clinic/therapist_detail.html",
        therapist=therapist,
        techniques=technique_labels(therapist.techniques),
        locations=therapist.locations.all(),
        hours=hours,
    )


@policy.requires(Action.PLACES_EDIT)
def therapist_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_for(
        request,
        TherapistForm,
        lambda user, form: invite_therapist(
            user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            data=form.therapist_data(),
            locations=list(form.cleaned_data["locations"]),
        ),
        success="Therapist added. We emailed them a link to choose a password.",
        title="Add a therapist",
        back="clinic:therapist_list",
    )


@policy.requires(Action.PLACES_EDIT, load=load_therapist)
def therapist_edit(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    return _form_for(
        request,
        TherapistForm,
        lambda user, form: actions.update_therapist(
            user,
            therapist,
            full_name=form.cleaned_data["full_name"],
            data=form.therapist_data(),
            locations=list(form.cleaned_data["locations"]),
        ),
        success="Therapist saved.",
        title=f"Edit {therapist.name}",
        record=therapist,
        back="clinic:therapist_list",
    )


# --- Services -------------------------------------------------------------------------------


@policy.requires(Action.PLACES_VIEW)
def service_list(request: AuthenticatedRequest) -> HttpResponse:
    return _places_page(
        request,
        "clinic/service_list.html",
        services=Service.objects.all(),
    )


service_create, service_edit = _add_and_edit(
    ServiceForm,
    actions.create_service,
    actions.update_service,
    noun="Service",
    load=policy.loader(Service, "service_id"),
    back="clinic:service_list",
)
