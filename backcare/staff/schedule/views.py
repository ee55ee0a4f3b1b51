"""Staff scheduling pages: the calendar, appointments, booking one or a series, and the owner's
settings (working hours, time off, closures, booking policy).

Each view fetches through the access policy, makes one call to a named action of
:mod:`backcare.scheduling.actions` and renders or redirects. A refusal names the field to fix and
is shown next to it with a 400; a taken time comes with the nearest free times, each a button
that tries it. Inside the calendar, forms open in a dialog (htmx): a success answers 204 with an
``HX-Trigger`` of ``calendar-changed``, on which the calendar reloads its grid.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import object_type
from backcare.audit.models import AuditEvent
from backcare.booking import actions as booking
from backcare.booking.actions import SchedulingError, SeriesReport, SlotUnavailable
from backcare.booking.agenda import Agenda, location_agenda, therapist_agenda, therapist_zone
from backcare.booking.availability import FreeSlot
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.booking.queries import booked_during_closure, booked_during_time_off
from backcare.clinic.models import Client, Location, Service, Therapist
from backcare.holds.queries import standing
from backcare.lib.when import in_schedule_range
from backcare.pages import form_page
from backcare.policy import Action, AuthenticatedRequest
from backcare.scheduling import actions as scheduling
from backcare.scheduling.clock import clock, day_and_time, spoken
from backcare.scheduling.models import BookingPolicy, Closure, TimeOff, WorkingHours
from backcare.staff.audit.display import Line, describe
from backcare.staff.clinic.forms import ClientSearchForm
from backcare.staff.schedule.forms import (
    BookingForm,
    BookingPolicyForm,
    CancelForm,
    ClosureForm,
    MoveForm,
    SeriesForm,
    TimeOffForm,
    WorkingHoursForm,
    with_picked_slot,
)
from backcare.staff.schedule.week_rows import week_rows

load_location = policy.loader(Location, "location_id")
load_therapist = policy.loader(Therapist, "therapist_id")
load_appointment = policy.loader(Appointment, "appointment_id")
load_client = policy.loader(Client, "client_id")
load_time_off = policy.loader(TimeOff, "time_off_id")
load_closure = policy.loader(Closure, "closure_id")
load_hours = policy.loader(WorkingHours, "hours_id")

CLIENT_CHOICES = 50  # clients offered in the booking form's list; the search finds the rest


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _calendar_changed(message: str) -> HttpResponse:
    """The answer to a form sent from the calendar's dialog: the calendar reloads its grid."""
    response = HttpResponse(status=204)
    response["HX-Trigger"] = json.dumps({"calendar-changed": {"message": message}})
    return response


def _when(moment: dt.datetime, zone: ZoneInfo) -> str:
    return day_and_time(moment, zone)


# --- The calendar -----------------------------------------------------------------------------


class CalendarQuery(forms.Form):
    date = forms.DateField(required=False)
    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)


@dataclass(frozen=True)
class Period:
    view: str
    day: dt.date
    days: list[dt.date]
    previous: dt.date
    next: dt.date
    today: dt.date

    @property
    def title(self) -> str:
        first, last = self.days[0], self.days[-1]
        if self.view == "day":
            return f"{first:%A}, {first:%B} {first.day}, {first.year}"
        if first.month == last.month:
            return f"{first:%B} {first.day}–{last.day}, {first.year}"
        return f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"


def _period(request: HttpRequest, zone: ZoneInfo, default: str) -> Period | None:
    query = CalendarQuery(request.GET)
    if not query.is_valid():
        return None
    today = timezone.now().astimezone(zone).date()
    day = query.cleaned_data["date"] or today
    if not in_schedule_range(day, today):
        return None
    view = query.cleaned_data["view"] or default
    if view == "day":
        days = [day]
        step = dt.timedelta(days=1)
    else:
        monday = day - dt.timedelta(days=day.weekday())
        days = [monday + dt.timedelta(days=offset) for offset in range(7)]
        step = dt.timedelta(days=7)
    return Period(view, day, days, day - step, day + step, today)


def _bad_period() -> HttpResponse:
    return HttpResponseBadRequest(
        "date: Enter a real date such as 2026-06-01, within five years of today; "
        "view: day or week.",
        content_type="text/plain; charset=utf-8",
    )


def _render_calendar(
    request: AuthenticatedRequest,
    agenda: Agenda,
    period: Period,
    *,
    title: str,
    here: str,
    location: Location | None,
    therapist: Therapist | None,
) -> HttpResponse:
    user = request.user
    context = {
        "agenda": agenda,
        "period": period,
        "title": title,
        "here": here,
        "location": location,
        "therapist": therapist,
        "can_book": policy.can(user, Action.SCHEDULE_BOOK),
        "can_settings": policy.can(user, Action.SCHEDULING_SETTINGS),
        "can_waitlist": policy.can(user, Action.WAITLIST_MANAGE),
        "zone_name": str(agenda.zone),
        # A location's week reads as rows, day by day; a day or one therapist's week as a grid.
        "week_rows": week_rows(agenda) if period.view == "week" and location else None,
        # Colleagues' names are plain text to a therapist: their calendars are not theirs to open.
        "openable": {
            shown.pk for shown in agenda.therapists if policy.can(user, Action.SCHEDULE_VIEW, shown)
        },
    }
    if _is_htmx(request):
        return render(request, "scheduling/_calendar_grid.html", context)
    context["locations"] = policy.schedule_locations(user, Location.objects.filter(active=True))
    context["own_calendar"] = policy.can(user, Action.OWN_CALENDAR)
    return render(request, "scheduling/calendar.html", context)


@policy.requires(Action.SCHEDULE_VIEW)
def calendar(request: AuthenticatedRequest) -> HttpResponse:
    """The calendar a person starts from: a therapist's own, else the first location's."""
    own = policy.can(request.user, Action.OWN_CALENDAR)
    if own:
        mine = Therapist.objects.filter(user=request.user).first()
        if mine is not None:
            return _therapist_page(request, mine)
    first = Location.objects.filter(active=True).first()
    if first is None or not policy.can(request.user, Action.SCHEDULE_VIEW, first):
        return render(request, "scheduling/no_calendar.html", {"own_calendar": own})
    return _location_page(request, first)


@policy.requires(Action.SCHEDULE_VIEW, load=load_location)
def location_calendar(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    return _location_page(request, location)


@policy.requires(Action.SCHEDULE_VIEW, load=load_therapist)
def therapist_calendar(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    return _therapist_page(request, therapist)


def _location_page(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    # A location opens on the day: its week, a column per therapist and day, does not fit a
    # screen, and reads as rows instead. One therapist's week (seven columns) opens as a grid.
    return _calendar_page(
        request,
        location.zone,
        "day",
        functools.partial(location_agenda, location),
        title=location.name,
        here=reverse("scheduling:location_calendar", args=[location.pk]),
        location=location,
        therapist=None,
    )


def _therapist_page(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    first_hours = therapist.hours.select_related("location").order_by(
        "location__name", "weekday", "starts"
    )[:1]
    return _calendar_page(
        request,
        therapist_zone(list(first_hours)),
        "week",
        functools.partial(therapist_agenda, therapist),
        title=therapist.name,
        here=reverse("scheduling:therapist_calendar", args=[therapist.pk]),
        location=None,
        therapist=therapist,
    )


def _calendar_page(
    request: AuthenticatedRequest,
    zone: ZoneInfo,
    opens_on: str,
    agenda_for: Callable[..., Agenda],
    *,
    title: str,
    here: str,
    location: Location | None,
    therapist: Therapist | None,
) -> HttpResponse:
    """A calendar's page: the period asked for (``opens_on``, "day" or "week", when none is),
    and ``agenda_for`` its days as the user sees them."""
    period = _period(request, zone, opens_on)
    if period is None:
        return _bad_period()
    agenda = agenda_for(
        period.days,
        request.user,
        now=timezone.now(),
        can_book=policy.can(request.user, Action.SCHEDULE_BOOK),
    )
    return _render_calendar(
        request, agenda, period, title=title, here=here, location=location, therapist=therapist
    )


# --- Refusals shown on forms ------------------------------------------------------------------

# The action's field names, as the forms call them.
_FORM_FIELD = {"starts": "time", "first_start": "date"}


def _refuse(form: forms.BaseForm, refusal: SchedulingError) -> list[FreeSlot]:
    """Show the refusal next to the field it names; return the nearest free times, if any."""
    name = _FORM_FIELD.get(refusal.field, refusal.field)
    form.add_error(name if name in form.fields else None, refusal.message)
    return list(refusal.alternatives) if isinstance(refusal, SlotUnavailable) else []


@dataclass(frozen=True)
class Alternative:
    """A free time offered instead, as the button that picks it."""

    label: str
    value: str


def _alternatives(slots: list[FreeSlot], zone: ZoneInfo) -> list[Alternative]:
    if not slots:
        return []
    names = dict(
        Therapist.objects.filter(pk__in={slot.therapist_id for slot in slots}).values_list(
            "pk", "user__full_name"
        )
    )
    offered = []
    for slot in slots:
        local = slot.start.astimezone(zone)
        offered.append(
            Alternative(
                label=f"{_when(slot.start, zone)} with {names.get(slot.therapist_id, '')}",
                value=f"{local:%Y-%m-%dT%H:%M}|{slot.therapist_id}",
            )
        )
    return offered


def _form_response(
    request: HttpRequest,
    *,
    page: str,
    partial: str,
    context: dict[str, Any],
    status: int,
) -> HttpResponse:
    return render(request, partial if _is_htmx(request) else page, context, status=status)


# --- Booking one appointment ------------------------------------------------------------------


def _client_choices(request: AuthenticatedRequest, query: str, chosen: str | None) -> list[Client]:
    clients = policy.visible_clients(request.user)
    # A name is a few words: a pasted page must not become thousands of LIKE clauses.
    for word in query.split()[:5]:
        clients = clients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    found = list(clients.order_by("last_name", "first_name", "pk")[:CLIENT_CHOICES])
    chosen = chosen if chosen and chosen.isdigit() and len(chosen) <= 18 else None
    if chosen and all(client.pk != int(chosen) for client in found):
        found += list(policy.visible_clients(request.user).filter(pk=int(chosen)))
    return found


_BOOKING_PREFILL = ("client", "service", "location", "therapist", "date", "time", "notes")


@policy.requires(Action.SCHEDULE_BOOK)
def appointment_create(request: AuthenticatedRequest) -> HttpResponse:
    """Book one appointment: from a free time on the calendar, a client's page, or blank."""
    # "Find" (a client by name) posts the form back to itself, so that neither the security
    # token nor the other fields land in the address bar; it books nothing.
    finding = request.method == "POST" and "find" in request.POST
    bound = request.method == "POST" and not finding
    source = request.POST if request.method == "POST" else request.GET
    search = ClientSearchForm(source)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    chosen = source.get("client")
    form = BookingForm(
        with_picked_slot(request.POST) if bound else None,
        initial={name: source[name] for name in _BOOKING_PREFILL if name in source},
        client_choices=_client_choices(request, query, chosen),
    )
    offered: list[Alternative] = []
    if bound and form.is_valid():
        data = form.cleaned_data
        zone = data["location"].zone
        try:
            appointment = booking.book_appointment(
                request.user,
                data["client"],
                data["service"],
                data["therapist"],
                data["location"],
                data["starts"],
                notes=data["notes"],
            )
        except SchedulingError as refusal:
            offered = _alternatives(_refuse(form, refusal), zone)
        else:
            done = (
                f"Booked {appointment.client.full_name} with {appointment.therapist.name} on "
                f"{_when(appointment.starts, zone)}."
            )
            if _is_htmx(request):
                return _calendar_changed(done)
            messages.success(request, done)
            return redirect(appointment)
    client = None
    if chosen and chosen.isdigit():
        client = policy.visible_clients(request.user).filter(pk=int(chosen)).first()
    hold = standing(client, timezone.localdate()).hold if client is not None else None
    return _form_response(
        request,
        page="scheduling/booking.html",
        partial="scheduling/_booking_form.html",
        context={
            "form": form,
            "query": query,
            "client": client,
            "hold": hold,
            "alternatives": offered,
        },
        status=400 if form.errors else 200,
    )


# --- One appointment --------------------------------------------------------------------------


def _history_lines(appointment: Appointment) -> list[Line]:
    """The appointment's audit rows as sentences, at the times of its location."""
    events = (
        AuditEvent.objects.filter(
            object_type=object_type(Appointment), object_id=str(appointment.pk)
        )
        .select_related("actor", "client")
        .order_by("at", "id")
    )
    return describe(events, zone=appointment.location.zone)


@policy.requires(Action.APPOINTMENT_VIEW, load=load_appointment)
def appointment_detail(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    user = request.user
    appointment = Appointment.objects.select_related(
        "client", "therapist__user", "service", "location", "room", "booked_by"
    ).get(pk=appointment.pk)
    now = timezone.now()
    zone = appointment.location.zone
    booked = appointment.status == AppointmentStatus.BOOKED
    can_book = policy.can(user, Action.SCHEDULE_BOOK, appointment)
    can_attend = policy.can(user, Action.APPOINTMENT_ATTEND, appointment)
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": appointment,
            "starts": appointment.starts.astimezone(zone),
            "ends": appointment.ends.astimezone(zone),
            "zone_name": str(zone),
            "history": _history_lines(appointment),
            "can_see_client": policy.can(user, Action.CLIENT_VIEW, appointment.client),
            "can_move": can_book and booked,
            "can_cancel": can_book
            and appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
            "can_check_in": can_attend and booked,
            "can_no_show": can_attend and booked and now >= appointment.starts,
            "can_complete": can_attend and appointment.status == AppointmentStatus.CHECKED_IN,
            "client": appointment.client,
            "standing": standing(appointment.client, timezone.localdate()),
            "can_lift_hold": policy.can(user, Action.HOLD_LIFT, appointment.client),
            "calendar_url": reverse("scheduling:location_calendar", args=[appointment.location_id])
            + f"?view=day&date={appointment.starts.astimezone(zone).date().isoformat()}",
        },
    )


@policy.requires(Action.SCHEDULE_BOOK, load=load_appointment)
def appointment_move(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    bound = request.method == "POST"
    form = MoveForm(with_picked_slot(request.POST) if bound else None, appointment=appointment)
    zone = appointment.location.zone
    offered: list[Alternative] = []
    if bound and form.is_valid():
        try:
            booking.reschedule_appointment(
                request.user,
                appointment,
                form.cleaned_data["starts"],
                therapist=form.cleaned_data["therapist"],
            )
        except SchedulingError as refusal:
            offered = _alternatives(_refuse(form, refusal), zone)
            appointment.refresh_from_db()  # the action may have changed it before refusing
        else:
            done = (
                f"Moved {appointment.client.full_name} to {_when(appointment.starts, zone)} "
                f"with {appointment.therapist.name}."
            )
            if _is_htmx(request):
                return _calendar_changed(done)
            messages.success(request, done)
            return redirect(appointment)
    return _form_response(
        request,
        page="scheduling/move.html",
        partial="scheduling/_move_form.html",
        context={
            "form": form,
            "appointment": appointment,
            "starts": appointment.starts.astimezone(zone),
            "zone_name": str(zone),
            "alternatives": offered,
        },
        status=400 if form.errors else 200,
    )


@policy.requires(Action.SCHEDULE_BOOK, load=load_appointment)
def appointment_cancel(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    form = CancelForm(request.POST if request.method == "POST" else None)
    zone = appointment.location.zone
    if form.is_valid():
        try:
            booking.cancel_appointment(request.user, appointment, form.cleaned_data["reason"])
        except SchedulingError as refusal:
            _refuse(form, refusal)
        else:
            done = f"Cancelled {appointment.client.full_name}'s appointment."
            if appointment.late_cancellation:
                done += " It is recorded as a late cancellation."
            if _is_htmx(request):
                return _calendar_changed(done)
            messages.success(request, done)
            return redirect(appointment)
    policy_now = BookingPolicy.current()
    late = timezone.now() > appointment.starts - policy_now.cancellation_window
    return _form_response(
        request,
        page="scheduling/cancel.html",
        partial="scheduling/_cancel_form.html",
        context={
            "form": form,
            "appointment": appointment,
            "starts": appointment.starts.astimezone(zone),
            "late": late,
            "window_hours": policy_now.cancellation_window_hours,
        },
        status=400 if form.errors else 200,
    )


def _attend(
    request: AuthenticatedRequest,
    appointment: Appointment,
    action: Callable[..., Appointment],
    done: str,
) -> HttpResponse:
    try:
        action(request.user, appointment)
    except SchedulingError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(appointment)


@require_POST
@policy.requires(Action.APPOINTMENT_ATTEND, load=load_appointment)
def appointment_check_in(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    return _attend(request, appointment, booking.check_in, "Checked in.")


@require_POST
@policy.requires(Action.APPOINTMENT_ATTEND, load=load_appointment)
def appointment_no_show(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    return _attend(request, appointment, booking.mark_no_show, "Marked as a no-show.")


@require_POST
@policy.requires(Action.APPOINTMENT_ATTEND, load=load_appointment)
def appointment_complete(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    return _attend(request, appointment, booking.complete_appointment, "Marked as completed.")


# --- A series ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesLine:
    starts: dt.datetime
    booked: Appointment | None
    problem: str
    alternatives: list[tuple[str, str]]  # label, booking-form query string


def series_lines(
    report: SeriesReport, client: Client, service: Service, location: Location
) -> list[SeriesLine]:
    """Each date of a series report in the location's zone, the nearest free times of a refused
    date offered as links to the booking form (used by the series and program booking pages)."""
    zone = location.zone
    names = dict(
        Therapist.objects.filter(
            pk__in={slot.therapist_id for date in report.dates for slot in date.alternatives}
        ).values_list("pk", "user__full_name")
    )
    lines = []
    for date in report.dates:
        offered = []
        for slot in date.alternatives:
            local = slot.start.astimezone(zone)
            query = (
                f"client={client.pk}&service={service.pk}&location={location.pk}"
                f"&therapist={slot.therapist_id}&date={local:%Y-%m-%d}&time={local:%H:%M}"
            )
            label = f"{_when(slot.start, zone)} with {names.get(slot.therapist_id)}"
            offered.append((label, query))
        lines.append(
            SeriesLine(
                starts=date.starts.astimezone(zone),
                booked=date.appointment,
                problem=date.problem.message if date.problem is not None else "",
                alternatives=offered,
            )
        )
    return lines


def series_outcome(
    request: HttpRequest,
    report: SeriesReport,
    client: Client,
    service: Service,
    location: Location,
    *,
    booked_for: str | None,
) -> dict[str, Any]:
    """A series page's report and its lines (the series and program booking pages); after a
    real run, the message that says how many sessions were booked ``booked_for`` whom."""
    lines = series_lines(report, client, service, location)
    if booked_for is not None:
        booked = len(report.booked)
        messages.success(
            request,
            f"Booked {booked} session{'s' if booked != 1 else ''} {booked_for}."
            + (
                f" {len(report.conflicts)} date(s) need another time: see below."
                if report.conflicts
                else ""
            ),
        )
    return {
        "report": report,
        "lines": lines,
        "free_count": sum(1 for line in lines if not line.problem),
    }


@policy.requires(Action.SCHEDULE_BOOK, load=load_client)
def client_series(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """Check a series date by date (a dry run), then book the free dates."""
    form = SeriesForm(request.POST if request.method == "POST" else None)
    outcome: dict[str, Any] = {"report": None, "lines": [], "free_count": 0}
    if form.is_valid():
        data = form.cleaned_data
        book_now = request.POST.get("do") == "book"
        try:
            report = booking.book_series(
                request.user,
                client,
                data["service"],
                data["therapist"],
                data["location"],
                data["starts"],
                data["count"],
                data["per_week"],
                days_between=data["days_between"] or 3,
                dry_run=not book_now,
            )
        except SchedulingError as refusal:
            _refuse(form, refusal)
        else:
            outcome = series_outcome(
                request,
                report,
                client,
                data["service"],
                data["location"],
                booked_for=f"for {client.full_name}" if book_now else None,
            )
    return render(
        request,
        "scheduling/series.html",
        {
            "form": form,
            "client": client,
            "hold": standing(client, timezone.localdate()).hold,
            **outcome,
        },
        status=400 if form.errors else 200,
    )


# --- Owner settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Back:
    """Where a settings form returns after saving (form_page redirects to an object's URL)."""

    url: str

    def get_absolute_url(self) -> str:
        return self.url


@policy.requires(Action.SCHEDULING_SETTINGS)
def hours_overview(request: AuthenticatedRequest) -> HttpResponse:
    therapists = (
        Therapist.objects.filter(active=True)
        .select_related("user")
        .prefetch_related("locations")
        .order_by("user__full_name")
    )
    hours = (
        WorkingHours.objects.filter(therapist__active=True)
        .select_related("location")
        .prefetch_related("breaks")
        .order_by("weekday", "starts")
    )
    by_therapist: dict[int, list[WorkingHours]] = {}
    for row in hours:
        by_therapist.setdefault(row.therapist_id, []).append(row)
    return render(
        request,
        "scheduling/hours_overview.html",
        {"rows": [(therapist, by_therapist.get(therapist.pk, [])) for therapist in therapists]},
    )


@policy.requires(Action.SCHEDULING_SETTINGS, load=load_therapist)
def therapist_hours(request: AuthenticatedRequest, therapist: Therapist) -> HttpResponse:
    form = WorkingHoursForm(request.POST or None, therapist=therapist)
    back = _Back(reverse("scheduling:therapist_hours", args=[therapist.pk]))

    def save() -> _Back:
        data = form.cleaned_data
        scheduling.add_working_hours(
            request.user,
            therapist,
            data["location"],
            data["weekday"],
            data["starts"],
            data["ends"],
            data["breaks"],
        )
        return back

    return form_page(
        request,
        form,
        "scheduling/therapist_hours.html",
        save,
        success="Hours added.",
        context={
            "therapist": therapist,
            "hours": therapist.hours.select_related("location")
            .prefetch_related("breaks")
            .order_by("location__name", "weekday", "starts"),
        },
    )


@dataclass(frozen=True)
class BookedThen:
    """A session still booked when a therapist is away or a location closed, as listed."""

    appointment: Appointment
    when: str  # in the location's zone, with the zone's abbreviation


def _booked_then(appointments: list[Appointment]) -> list[BookedThen]:
    return [
        BookedThen(appointment, spoken(appointment.starts, appointment.location.time_zone))
        for appointment in appointments
    ]


def _cancelled_message(cancelled: list[Appointment]) -> str:
    if not cancelled:
        return "No sessions were left to cancel."
    count = len(cancelled)
    return (
        f"Cancelled {count} session{'s' if count != 1 else ''}. Each client is emailed, "
        "unless they do not take email."
    )


@dataclass(frozen=True)
class _Away:
    """Time off or a closure, as its pages treat it: the sessions booked then (to move or
    cancel them), cancelling them, and removing it."""

    noun: str  # the page's context name: "away" or "closure"
    pages: str  # the URL names' stem: "time_off" or "closure"
    list_page: str
    back_label: str
    removed: str
    title: Callable[[Any], str]
    booked: Callable[[Any, dt.datetime], list[Appointment]]
    reason: Callable[[Any], str]
    cancel: Callable[[Any, Any], list[Appointment]]
    remove: Callable[[Any, Any], object]

    def sessions_page(self, request: AuthenticatedRequest, entry: Any) -> HttpResponse:
        return render(
            request,
            "scheduling/booked_then.html",
            {
                "title": self.title(entry),
                self.noun: entry,
                "sessions": _booked_then(self.booked(entry, timezone.now())),
                "reason": self.reason(entry),
                "cancel_url": reverse(f"scheduling:{self.pages}_cancel_sessions", args=[entry.pk]),
                "back_url": reverse(f"scheduling:{self.list_page}"),
                "back_label": self.back_label,
            },
        )

    def cancel_sessions(self, request: AuthenticatedRequest, entry: Any) -> HttpResponse:
        messages.success(request, _cancelled_message(self.cancel(request.user, entry)))
        return redirect(f"scheduling:{self.pages}_sessions", entry.pk)

    def remove_entry(self, request: AuthenticatedRequest, entry: Any) -> HttpResponse:
        self.remove(request.user, entry)
        messages.success(request, self.removed)
        return redirect(f"scheduling:{self.list_page}")


TIME_OFF = _Away(
    noun="away",
    pages="time_off",
    list_page="time_off",
    back_label="Back to time off",
    removed="Time off removed.",
    title=lambda away: f"{away.therapist.name} away",
    booked=booked_during_time_off,
    reason=booking.time_off_reason,
    cancel=booking.cancel_sessions_during_time_off,
    remove=scheduling.remove_time_off,
)
CLOSURE = _Away(
    noun="closure",
    pages="closure",
    list_page="closures",
    back_label="Back to closures",
    removed="Closure removed.",
    title=lambda closure: closure.name or "Closure",
    booked=booked_during_closure,
    reason=booking.closure_reason,
    cancel=booking.cancel_sessions_during_closure,
    remove=scheduling.remove_closure,
)


@policy.requires(Action.SCHEDULING_SETTINGS)
def time_off(request: AuthenticatedRequest) -> HttpResponse:
    """Add time off; when sessions are booked then, go on to list them (time_off_sessions)."""
    form = TimeOffForm(request.POST or None)

    def save() -> _Back:
        data = form.cleaned_data
        away = scheduling.add_time_off(
            request.user, data["therapist"], data["starts"], data["ends"], data["reason"]
        )
        if booked_during_time_off(away, timezone.now()):
            return _Back(reverse("scheduling:time_off_sessions", args=[away.pk]))
        return _Back(reverse("scheduling:time_off"))

    recent = timezone.now() - dt.timedelta(days=30)
    return form_page(
        request,
        form,
        "scheduling/time_off.html",
        save,
        success="Time off added.",
        context={
            "entries": TimeOff.objects.filter(ends__gte=recent)
            .select_related("therapist__user")
            .order_by("starts"),
        },
    )


@policy.requires(Action.SCHEDULING_SETTINGS, load=load_time_off)
def time_off_sessions(request: AuthenticatedRequest, away: TimeOff) -> HttpResponse:
    """The sessions still booked with the therapist during this time off, to move or cancel."""
    return TIME_OFF.sessions_page(request, away)


@require_POST
@policy.requires(Action.SCHEDULING_SETTINGS, load=load_time_off)
def time_off_cancel_sessions(request: AuthenticatedRequest, away: TimeOff) -> HttpResponse:
    return TIME_OFF.cancel_sessions(request, away)


@require_POST
@policy.requires(Action.SCHEDULING_SETTINGS, load=load_time_off)
def time_off_remove(request: AuthenticatedRequest, away: TimeOff) -> HttpResponse:
    return TIME_OFF.remove_entry(request, away)


@require_POST
@policy.requires(Action.SCHEDULING_SETTINGS, load=load_hours)
def working_hours_remove(request: AuthenticatedRequest, hours: WorkingHours) -> HttpResponse:
    scheduling.remove_working_hours(request.user, hours)
    messages.success(
        request,
        f"Removed {hours.therapist.name}'s hours on {hours.get_weekday_display()}, "
        f"{clock(hours.starts)}–{clock(hours.ends)}. Sessions already booked then stay booked.",
    )
    return redirect("scheduling:hours")


@policy.requires(Action.SCHEDULING_SETTINGS)
def closures(request: AuthenticatedRequest) -> HttpResponse:
    """Add a closure; when sessions are booked then, go on to list them (closure_sessions)."""
    form = ClosureForm(request.POST or None)

    def save() -> _Back:
        data = form.cleaned_data
        closure = scheduling.add_closure(
            request.user,
            data["starts_on"],
            data["ends_on"],
            name=data["name"],
            location=data["location"],
        )
        if booked_during_closure(closure, timezone.now()):
            return _Back(reverse("scheduling:closure_sessions", args=[closure.pk]))
        return _Back(reverse("scheduling:closures"))

    return form_page(
        request,
        form,
        "scheduling/closures.html",
        save,
        success="Closure added.",
        context={
            "entries": Closure.objects.filter(
                ends_on__gte=timezone.localdate() - dt.timedelta(days=30)
            ).select_related("location")
        },
    )


@policy.requires(Action.SCHEDULING_SETTINGS, load=load_closure)
def closure_sessions(request: AuthenticatedRequest, closure: Closure) -> HttpResponse:
    """The sessions still booked on the closure's days, to move or cancel."""
    return CLOSURE.sessions_page(request, closure)


@require_POST
@policy.requires(Action.SCHEDULING_SETTINGS, load=load_closure)
def closure_cancel_sessions(request: AuthenticatedRequest, closure: Closure) -> HttpResponse:
    return CLOSURE.cancel_sessions(request, closure)


@require_POST
@policy.requires(Action.SCHEDULING_SETTINGS, load=load_closure)
def closure_remove(request: AuthenticatedRequest, closure: Closure) -> HttpResponse:
    return CLOSURE.remove_entry(request, closure)


@policy.requires(Action.SCHEDULING_SETTINGS)
def booking_policy(request: AuthenticatedRequest) -> HttpResponse:
    # The form gets its own copy: validating writes the new values onto its instance.
    form = BookingPolicyForm(request.POST or None, instance=BookingPolicy.current())
    back = _Back(reverse("scheduling:booking_policy"))

    def save() -> _Back:
        values = {name: form.cleaned_data[name] for name in scheduling.POLICY_FIELDS}
        scheduling.update_booking_policy(request.user, **values)
        return back

    return form_page(
        request,
        form,
        "scheduling/booking_policy.html",
        save,
        success="Booking policy saved.",
        record=form.instance,
    )
