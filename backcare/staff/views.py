"""The staff front: the pages that bring the domain together for the clinic's people — the
staff home and the client's chart — over the domain apps, which never import a front."""

from __future__ import annotations

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


class WaitingQuery(forms.Form):
    date = forms.DateField(required=False)


@policy.requires(Action.STAFF_HOME)
def staff_home(request: AuthenticatedRequest) -> HttpResponse:
    """The clinic's day: a therapist's sessions of today, or the desk's arrivals. An htmx poll
    gets only the day's part, refreshed in place."""
    user = request.user
    own_clients = policy.can(user, Action.OWN_CLIENTS)
    now = timezone.now()
    if own_clients:
        day = today.therapist_day(Therapist.objects.filter(user=user).first(), now)
        part = "staff/_therapist_day.html"
    else:
        day = today.desk_day(now)
        part = "staff/_desk_day.html"
    context: dict[str, object] = {
        "day": day,
        "part": part,
        "refresh_seconds": today.REFRESH_SECONDS,
        "can_book": policy.can(user, Action.SCHEDULE_BOOK),
    }
    if getattr(request, "htmx", False):
        return render(request, part, context)
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
    return render(request, "staff/home.html", context)


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
