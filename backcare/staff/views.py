"""The staff front: the pages that bring the domain together for the clinic's people — the
staff home and the client's chart — over the domain apps, which never import a front."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from backcare import policy
from backcare.clinic.models import Client, Location, Therapist
from backcare.holds.queries import standing
from backcare.intake.models import Intake
from backcare.notices.outbox import undeliverable
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.texts import texts_can_be_sent
from backcare.staff import today
from backcare.staff.clinic.forms import CareTeamForm, ClientSearchForm

PAGE_SIZE = 25
load_client = policy.loader(Client, "client_id")
load_location = policy.loader(Location, "location_id")


ALL_LOCATIONS = "all"
_ARRIVALS_AT = "today_arrivals_at"  # the desk's last choice, kept in its session


class ArrivalsAt(forms.Form):
    """Whose arrivals the desk's today page lists: one location's, or every location's."""

    at = forms.ChoiceField(
        label="Location",
        required=False,
        error_messages={
            "invalid_choice": "Location: choose one of the clinic's locations, or all of them."
        },
    )

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(ALL_LOCATIONS, "All locations")]
        choices += [(str(place.pk), place.name) for place in locations]
        field = self.fields["at"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices


def _arrivals_at(
    request: AuthenticatedRequest, places: list[Location]
) -> tuple[str, Location | None, ArrivalsAt]:
    """The location chosen (``?at=``, then kept for the next visit), or the last one chosen;
    every location until one is. A choice that is not a location is refused, naming it."""
    asked = request.GET.get("at")
    chooser = ArrivalsAt(None if asked is None else {"at": asked}, locations=places)
    by_pk = {str(place.pk): place for place in places}
    if chooser.is_bound and chooser.is_valid():
        choice = chooser.cleaned_data["at"] or ALL_LOCATIONS
        request.session[_ARRIVALS_AT] = choice
    else:
        choice = str(request.session.get(_ARRIVALS_AT, ALL_LOCATIONS))
    if choice not in by_pk:
        choice = ALL_LOCATIONS  # all, or a location closed since it was chosen
    return choice, by_pk.get(choice), chooser


class WaitingQuery(forms.Form):
    date = forms.DateField(required=False)


@policy.requires(Action.STAFF_HOME)
def staff_home(request: AuthenticatedRequest) -> HttpResponse:
    """The clinic's day: a therapist's sessions of today, or the desk's arrivals. An htmx poll
    gets only the day's part, refreshed in place."""
    user = request.user
    own_clients = policy.can(user, Action.OWN_CLIENTS)
    now = timezone.now()
    status = 200
    context: dict[str, object] = {
        "refresh_seconds": today.REFRESH_SECONDS,
        "can_book": policy.can(user, Action.SCHEDULE_BOOK),
    }
    if own_clients:
        context["day"] = today.therapist_day(Therapist.objects.filter(user=user).first(), now)
        part = "staff/_therapist_day.html"
    else:
        places = list(Location.objects.filter(active=True).order_by("name"))
        at, location, chooser = _arrivals_at(request, places)
        context.update(day=today.desk_day(now, location), places=places, at=at, chooser=chooser)
        part = "staff/_desk_day.html"
        status = 400 if chooser.errors else 200
    context["part"] = part
    if getattr(request, "htmx", False):
        return render(request, part, context, status=status)
    can_audit = policy.can(user, Action.AUDIT_VIEW)
    context.update(
        own_clients=own_clients,
        can_create=policy.can(user, Action.CLIENT_CREATE),
        can_audit=can_audit,
        can_edit_places=policy.can(user, Action.PLACES_EDIT),
        can_settings=policy.can(user, Action.SCHEDULING_SETTINGS),
        undeliverable_emails=(
            undeliverable().count() if policy.can(user, Action.EMAIL_MANAGE) else None
        ),
        can_manage_systems=policy.can(user, Action.SYSTEMS_MANAGE),
        can_import=policy.can(user, Action.IMPORT_RUN),
        can_edit_privacy=policy.can(user, Action.PRIVACY_EDIT),
        search=ClientSearchForm(),
    )
    if can_audit:
        context["locations"] = Location.objects.filter(active=True).annotate(
            therapist_count=Count("therapists", filter=Q(therapists__active=True), distinct=True),
            room_count=Count("rooms", filter=Q(rooms__active=True), distinct=True),
        )
    return render(request, "staff/home.html", context, status=status)


@policy.requires(Action.CLIENT_LIST)
def client_list(request: AuthenticatedRequest) -> HttpResponse:
    search = ClientSearchForm(request.GET)
    clients = policy.visible_clients(request.user).select_related("home_location")
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    for word in query.split():
        clients = clients.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
        )
    page = Paginator(clients.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clinic/client_list.html",
        {
            "search": search,
            "query": query,
            "page": page,
            "can_create": policy.can(request.user, Action.CLIENT_CREATE),
        },
    )


@policy.requires(Action.CLIENT_VIEW, load=load_client, audit="client.viewed")
def client_detail(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    today = timezone.localdate()
    team = client.care_team.filter(ended_at__isnull=True).select_related("therapist__user")
    show_clinical = policy.can(request.user, Action.CLINICAL_CHART, client)
    intakes = client.intakes.order_by("-pk")
    where = standing(client, today)
    # Programs: their content is clinical; the front desk sees only that one exists.
    programs = list(client.programs.all())
    can_plan = policy.can(request.user, Action.PROGRAM_MANAGE, client)
    return render(
        request,
        "clinic/client_detail.html",
        {
            "programs": programs,
            "show_programs": policy.can(request.user, Action.PROGRAM_VIEW, client),
            "can_start_program": can_plan
            and where.screening is not None
            and where.at("program") is None
            and not any(program.is_running for program in programs),
            "client": client,
            "age": client.age_on(today),
            "team": team,
            "consents": client.consents.all(),
            "texts": texts_can_be_sent(),
            "can_edit": policy.can(request.user, Action.CLIENT_EDIT, client),
            "can_book": policy.can(request.user, Action.SCHEDULE_BOOK, client),
            "can_bill": policy.can(request.user, Action.BILLING_VIEW, client),
            "can_edit_team": policy.can(request.user, Action.CARE_TEAM_EDIT, client),
            "care_team_form": CareTeamForm(),
            "standing": where,
            "can_lift_hold": policy.can(request.user, Action.HOLD_LIFT, client),
            "show_clinical": show_clinical,
            "can_fill_intake": policy.can(request.user, Action.INTAKE_FILL, client),
            "intake_draft": intakes.filter(status=Intake.Status.DRAFT).first(),
            "intake_latest": intakes.filter(status=Intake.Status.SUBMITTED).first(),
        },
    )


@policy.requires(Action.WAITLIST_MANAGE, load=load_location)
def waiting_panel(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    """The clients waiting for a time at this location on a day, beside the calendar: each
    can be dragged onto a free time (or booked from its button) to open the booking form."""
    query = WaitingQuery(request.GET)
    if not query.is_valid():
        return HttpResponseBadRequest(
            "date: Enter a real date such as 2026-06-01.", content_type="text/plain; charset=utf-8"
        )
    day = query.cleaned_data["date"] or timezone.localdate()
    return render(
        request,
        "staff/_waiting.html",
        {
            "location": location,
            "day": day,
            "waiting": today.waiting_on(location, day),
            "can_book": policy.can(request.user, Action.SCHEDULE_BOOK),
        },
    )
