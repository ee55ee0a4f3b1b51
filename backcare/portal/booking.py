"""The client's own booking pages in the portal (SPEC §4; issue 4 item 5).

Find a free time and book it, see one's appointments, move or cancel one. The writes are the
named actions of :mod:`backcare.scheduling.actions`, which re-check everything; these views
choose what to show and turn each refusal into a page that says what to do:

* 400 when the request itself is wrong (an unknown service, a time off the grid), naming the
  field;
* 403 when screening holds the client's bookings, or the cancellation window has closed;
* 409 when someone else took the time first, with the nearest free times to choose from.

A client only ever reaches their own appointments: anyone else's is a 404. Times are shown in
the location's zone, and the page says which zone that is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from backcare import policy
from backcare.booking.actions import (
    BookingHeld,
    CancellationRefused,
    ClientAlreadyBooked,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from backcare.booking.availability import FreeSlot, load_search
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Client, Location, Service
from backcare.emails.appointments import calendar_event, emailable
from backcare.holds.queries import Standing, standing
from backcare.holds.rules import ClinicalHold
from backcare.lib import ics
from backcare.lib.when import MONTHS, WEEKDAYS
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal import today
from backcare.portal.booking_forms import (
    WEEK,
    BookingWindow,
    CancelForm,
    Catalogue,
    SlotForm,
    TimesForm,
    starts_param,
)
from backcare.scheduling import clock as clinic_clock
from backcare.scheduling.clock import spoken
from backcare.scheduling.models import BookingPolicy

# --- Saying times the way a client reads them -------------------------------------------------

# The names people in the United States use for their zones; others are named after their city.
ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Indiana/Indianapolis": "Eastern Time",
    "America/Kentucky/Louisville": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Boise": "Mountain Time",
    "America/Phoenix": "Arizona Time",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    "America/Puerto_Rico": "Atlantic Time",
}


def zone_name(time_zone: str) -> str:
    """``Eastern Time`` for America/New_York; ``Lisbon time`` for a zone without a US name."""
    if time_zone in ZONE_NAMES:
        return ZONE_NAMES[time_zone]
    return f"{time_zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


def clock(local: dt.datetime) -> str:
    """``9:00 AM`` (or ``09:00``): a wall-clock time, already in the zone it is shown in."""
    return clinic_clock.clock(local.time())


def day_label(day: dt.date) -> str:
    """``Monday, November 2``, whatever the server's locale."""
    return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month - 1]} {day.day}"


def clock_change(location: Location, days: Sequence[dt.date]) -> str:
    """A sentence about a daylight saving change on one of `days`, or an empty string."""
    zone = location.zone

    def offset(day: dt.date) -> dt.timedelta | None:
        return dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()

    for day in days:
        before, after = offset(day - dt.timedelta(days=1)), offset(day)
        if before is not None and after is not None and before != after:
            way = "forward" if after > before else "back"
            return f"Clocks go {way} one hour on {day_label(day)}; the times shown allow for it."
    return ""


@dataclass(frozen=True)
class TimeChoice:
    label: str  # 9:00 AM
    url: str


@dataclass(frozen=True)
class DayTimes:
    label: str
    times: list[TimeChoice]
    closed: str | None  # None when open; the closure's name (maybe empty) when closed
    new_tab: bool = False  # the links open a new tab (the clinic's page embedded in its site)

    def links(self) -> SafeString:
        """The day's times as list items with links, written here rather than in a template
        loop: a week shows a hundred times or more, and the loop was most of the page's
        rendering. The screen-reader text names the day, since the times repeat each day."""
        day = escape(self.label)
        target = ' target="_blank" rel="noopener"' if self.new_tab else ""
        return mark_safe(  # noqa: S308 - the label and every time's text and link are escaped
            "".join(
                f'<li><a class="button" href="{escape(time.url)}"{target}>'
                f'<span class="visually-hidden">{day}, </span>{escape(time.label)}</a></li>'
                for time in self.times
            )
        )


def one_per_time(slots: Iterable[FreeSlot], preferred: Sequence[int]) -> list[FreeSlot]:
    """One slot per start time: the first of `preferred` therapists free then, else the first."""
    rank = {therapist_id: index for index, therapist_id in enumerate(preferred)}
    chosen: dict[dt.datetime, FreeSlot] = {}
    for slot in sorted(slots):
        best = chosen.get(slot.start)
        if best is None or rank.get(slot.therapist_id, len(rank)) < rank.get(
            best.therapist_id, len(rank)
        ):
            chosen[slot.start] = slot
    return [chosen[start] for start in sorted(chosen)]


# --- Loading what belongs to the client -------------------------------------------------------


def _mine(request: AuthenticatedRequest) -> tuple[Client, Standing]:
    """The client and where they stand, read once for the page and its navigation."""
    mine = today.own(request)
    if mine is None:
        raise Http404("No client record is linked to this login.")
    return mine.client, mine.standing


def _own_client(request: AuthenticatedRequest) -> Client:
    client = policy.visible_clients(request.user).select_related("home_location").first()
    if client is None:
        raise Http404("No client record is linked to this login.")
    return client


def _own_appointment(request: AuthenticatedRequest, appointment_id: int) -> Appointment:
    """The client's own appointment; anyone else's does not exist for them (404)."""
    return get_object_or_404(
        Appointment.objects.select_related("client", "service", "location", "therapist__user"),
        pk=appointment_id,
        client__in=policy.visible_clients(request.user),
    )


def _held(
    request: AuthenticatedRequest,
    hold: ClinicalHold,
    *,
    screened: bool,
    refused: str = "",
    status: int = 200,
    moving: Appointment | None = None,
) -> HttpResponse:
    """Screening holds this client's bookings: say why and where to go next; offer no form."""
    return render(
        request,
        "booking/held.html",
        {
            "hold": hold,
            "refused": refused,
            "moving": moving,
            "next_steps": today.next_steps_url(screened=screened),
        },
        status=status,
    )


def _why_unchangeable(
    appointment: Appointment, booking_policy: BookingPolicy, now: dt.datetime, doing: str
) -> str:
    """Why the client cannot move or cancel (`doing`) this appointment online; empty if they can.

    The actions decide; this only lets a page say so before the client tries, in their words.
    """
    allowed = [AppointmentStatus.BOOKED]
    if doing == "cancelled":
        allowed.append(AppointmentStatus.CHECKED_IN)
    if appointment.status not in allowed:
        return (
            f"This appointment is {appointment.get_status_display().lower()}, so it cannot be "
            f"{doing}."
        )
    if appointment.starts <= now:
        return "The time of this appointment has passed."
    if now > appointment.starts - booking_policy.cancellation_window:
        hours = booking_policy.cancellation_window_hours
        if doing == "cancelled":
            return (
                f"This appointment is less than {hours} hours away, so it can no longer be "
                "cancelled online. Please call the clinic to cancel."
            )
        return (
            f"This appointment is less than {hours} hours away, so it can no longer be moved "
            "online. Please call the clinic."
        )
    return ""


# --- Free times -------------------------------------------------------------------------------


def _confirm_urls(
    service: Service, location: Location, moving: Appointment | None
) -> Callable[[FreeSlot], str]:
    """The link from each free time to its confirm page. A week shows a hundred times or more,
    so the path and the query's fixed part are worked out once, not once per time."""
    if moving is not None:
        fixed = f"{reverse('booking:reschedule_confirm', args=[moving.pk])}?"
    else:
        place = urlencode({"service": service.pk, "location": location.pk})
        fixed = f"{reverse('booking:confirm')}?{place}&"

    def confirm_url(slot: FreeSlot) -> str:
        return f"{fixed}therapist={slot.therapist_id}&starts={quote(starts_param(slot.start))}"

    return confirm_url


def _times_page(
    request: AuthenticatedRequest,
    client: Client,
    form: TimesForm,
    *,
    moving: Appointment | None = None,
) -> HttpResponse:
    """The free times of one week, grouped by day in the location's zone (400 on bad input)."""
    context: dict[str, Any] = {"form": form, "moving": moving}
    if not form.is_valid():
        return render(request, "booking/times.html", context, status=400)
    service, location = form.chosen()
    monday: dt.date = form.cleaned_data["week"]
    form.data = {**form.data, "week": monday.isoformat()}  # show the week the times are for
    therapist_id: int | None = form.cleaned_data["therapist"]
    preferred: list[int] = [moving.therapist_id] if moving is not None else []
    if therapist_id is None:
        # "Any therapist": someone who already treats the client, when one is free.
        preferred += list(
            client.care_team.filter(ended_at__isnull=True).values_list("therapist_id", flat=True)
        )

    def week_url(week: dt.date) -> str:
        query: dict[str, Any] = {"therapist": therapist_id or "", "week": week.isoformat()}
        if moving is not None:
            return f"{reverse('booking:reschedule', args=[moving.pk])}?{urlencode(query)}"
        query = {"service": service.pk, "location": location.pk, **query}
        return f"{reverse('booking:start')}?{urlencode(query)}"

    if moving is not None:
        context["moving_when"] = spoken(moving.starts, location.time_zone)
    context.update(
        week_of_times(
            form.catalogue,
            service,
            location,
            monday,
            therapist_id,
            booking_policy=form.policy,
            now=form.now,
            preferred=preferred,
            link=_confirm_urls(service, location, moving),
            week_url=week_url,
            client=client,
            ignoring=moving,
        )
    )
    return render(request, "booking/times.html", context)


def week_of_times(
    catalogue: Catalogue,
    service: Service,
    location: Location,
    monday: dt.date,
    therapist_id: int | None,
    *,
    booking_policy: BookingPolicy,
    now: dt.datetime,
    preferred: list[int],
    link: Callable[[FreeSlot], str],
    week_url: Callable[[dt.date], str],
    new_tab: bool = False,
    client: Client | None = None,
    ignoring: Appointment | None = None,
) -> dict[str, Any]:
    """What a page of one week's free times shows (``booking/times.html`` and the clinic's
    public booking page): the free times of the week from ``monday`` (from the first day a
    client may book) with the therapist asked for, or anyone who gives the service there; one
    a time (``preferred`` therapists first), by local day, each linking where ``link`` says
    (in a new tab with ``new_tab``); the closures of those days; ``week_url`` links the weeks
    around."""
    window = BookingWindow.at(location, booking_policy, now)
    offering = {therapist.pk for therapist in catalogue.therapists_for(service, location)}
    shown = [
        day
        for day in (monday + dt.timedelta(days=index) for index in range(7))
        if day >= window.today
    ]
    search = load_search(
        service,
        start_day=shown[0],
        end_day=shown[-1],
        location=location,
        therapist=catalogue.therapists[therapist_id] if therapist_id is not None else None,
        client=client,
        ignoring=ignoring,
        policy=booking_policy,
        now=now,
    )
    place = search.locations[0]
    free = [slot for slot in place.find(now) if slot.therapist_id in offering]
    by_day: dict[dt.date, list[TimeChoice]] = {day: [] for day in shown}
    for slot in one_per_time(free, preferred):
        local = slot.start.astimezone(location.zone)
        if local.date() in by_day:
            by_day[local.date()].append(TimeChoice(clock(local), link(slot)))
    closures = place.closure_names
    week = shown[0] - dt.timedelta(days=shown[0].weekday())
    return {
        "service": service,
        "location": location,
        "zone_name": zone_name(location.time_zone),
        "week_label": f"Week of {day_label(week)}",
        "clock_change": clock_change(location, shown),
        "days": [
            DayTimes(day_label(day), by_day[day], closures.get(day), new_tab) for day in shown
        ],
        "any_free": any(by_day.values()),
        "nobody": not offering,
        "previous_week": week_url(week - WEEK) if week > window.today else "",
        "next_week": week_url(week + WEEK) if week + WEEK <= window.last_day else "",
        "horizon_days": booking_policy.horizon_days,
    }


@require_safe
@policy.requires(Action.CLIENT_HOME)
def start(request: AuthenticatedRequest) -> HttpResponse:
    """Book a session: choose a service, a location, a therapist or anyone, and a week."""
    client, where = _mine(request)
    if where.hold is not None:
        return _held(request, where.hold, screened=where.screening is not None)
    catalogue = Catalogue.load()
    if not catalogue.open:
        return render(request, "booking/closed.html")
    home = client.home_location_id
    defaults = {
        "service": next(iter(catalogue.services)),
        "location": home if home in catalogue.locations else next(iter(catalogue.locations)),
        "therapist": "",
        "week": "",
    }
    form = TimesForm(
        {**defaults, **request.GET.dict()},
        catalogue=catalogue,
        policy=BookingPolicy.current(),
        now=timezone.now(),
    )
    return _times_page(request, client, form)


@require_safe
@policy.requires(Action.CLIENT_HOME)
def reschedule(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment: the same free times, for its service and location."""
    appointment = _own_appointment(request, appointment_id)
    now = timezone.now()
    booking_policy = BookingPolicy.current()
    why_not = _why_unchangeable(appointment, booking_policy, now, "moved")
    if why_not:
        return _unchangeable(request, appointment, why_not)
    client = appointment.client
    where = standing(client, timezone.localdate())
    if where.hold is not None:
        return _held(request, where.hold, screened=where.screening is not None, moving=appointment)
    catalogue = Catalogue.load()
    window = BookingWindow.at(appointment.location, booking_policy, now)
    same_week = appointment.local_starts().date()
    gives = appointment.therapist_id in catalogue.therapists and catalogue.gives(
        catalogue.therapists[appointment.therapist_id], appointment.service, appointment.location
    )
    defaults = {
        "therapist": appointment.therapist_id if gives else "",
        "week": (same_week if same_week <= window.last_day else window.first_day).isoformat(),
    }
    form = TimesForm(
        {**defaults, **request.GET.dict()},
        catalogue=catalogue,
        policy=booking_policy,
        now=now,
        appointment=appointment,
    )
    return _times_page(request, client, form, moving=appointment)


# --- Confirming a time ------------------------------------------------------------------------

FIELD_LABELS = {
    "service": "Service",
    "location": "Location",
    "therapist": "Therapist",
    "starts": "Time",
    "room": "Room",
    "client": "Booking",
    "appointment": "Appointment",
}


@dataclass(frozen=True)
class Alternative:
    said: str
    values: dict[str, str]


def _slot_page(
    request: AuthenticatedRequest,
    form: SlotForm,
    *,
    moving: Appointment | None = None,
    refusal: SchedulingError | None = None,
) -> HttpResponse:
    """Confirm a time (200); or say what is wrong with the request (400) or the time (409)."""
    context: dict[str, Any] = {"form": form, "moving": moving}
    if not form.is_valid():
        context["errors"] = [
            (FIELD_LABELS.get(name, name.title()), error)
            for name, errors in form.errors.items()
            for error in errors
        ]
        return render(request, "booking/confirm.html", context, status=400)
    service, location = form.chosen()
    starts: dt.datetime = form.cleaned_data["starts"]
    context.update(
        service=service,
        location=location,
        therapist=form.chosen_therapist,
        when=spoken(starts, location.time_zone),
        zone_name=zone_name(location.time_zone),
        values=form.hidden_values(),
        again=(
            reverse("booking:reschedule", args=[moving.pk])
            if moving is not None
            else f"{reverse('booking:start')}?"
            + urlencode({"service": service.pk, "location": location.pk})
        ),
    )
    if moving is not None:
        context["was"] = spoken(moving.starts, location.time_zone)
    status = 200
    if refusal is not None:
        status = 409 if isinstance(refusal, SlotTaken) else 400
        message = refusal.message
        if isinstance(refusal, ClientAlreadyBooked):
            message = "You already have an appointment at that time."
        context.update(
            refusal=message,
            refusal_field=""
            if isinstance(refusal, SlotTaken)
            else FIELD_LABELS.get(refusal.field, refusal.field.title()),
            taken=isinstance(refusal, SlotTaken),
        )
        if isinstance(refusal, SlotUnavailable):
            names = form.catalogue.therapists
            context["alternatives"] = [
                Alternative(
                    said=f"{spoken(slot.start, location.time_zone)}"
                    + (
                        f" with {names[slot.therapist_id].name}"
                        if slot.therapist_id in names
                        else ""
                    ),
                    values={
                        **form.hidden_values(),
                        "therapist": str(slot.therapist_id),
                        "starts": starts_param(slot.start),
                    },
                )
                for slot in refusal.alternatives
            ]
    return render(request, "booking/confirm.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def confirm(request: AuthenticatedRequest) -> HttpResponseBase:
    """Check the chosen time (GET) and book it (POST)."""
    client, where = _mine(request)
    posted = request.method == "POST"
    screened = where.screening is not None
    if where.hold is not None and not posted:
        return _held(request, where.hold, screened=screened)
    now = timezone.now()
    form = SlotForm(request.POST if posted else request.GET, catalogue=Catalogue.load(), now=now)
    if not form.is_valid():
        if where.hold is not None:
            return _held(request, where.hold, screened=screened, status=403)
        return _slot_page(request, form)
    if not posted:
        return _slot_page(request, form)
    service, location = form.chosen()
    try:
        appointment = book_appointment(
            request.user,
            client,
            service,
            form.chosen_therapist,
            location,
            form.cleaned_data["starts"],
            now=now,
        )
    except BookingHeld as held:
        return _held(request, held.hold, screened=screened, refused=held.message, status=403)
    except SchedulingError as refusal:
        return _slot_page(request, form, refusal=refusal)
    return redirect(f"{reverse('booking:appointment', args=[appointment.pk])}?done=booked")


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def reschedule_confirm(request: AuthenticatedRequest, appointment_id: int) -> HttpResponseBase:
    """Check the new time (GET) and move the appointment there (POST)."""
    appointment = _own_appointment(request, appointment_id)
    posted = request.method == "POST"
    now = timezone.now()
    if not posted:
        why_not = _why_unchangeable(appointment, BookingPolicy.current(), now, "moved")
        if why_not:
            return _unchangeable(request, appointment, why_not)
    where = standing(appointment.client, timezone.localdate())
    screened = where.screening is not None
    if where.hold is not None and not posted:
        return _held(request, where.hold, screened=screened, moving=appointment)
    form = SlotForm(
        request.POST if posted else request.GET,
        catalogue=Catalogue.load(),
        now=now,
        appointment=appointment,
    )
    if not form.is_valid():
        if where.hold is not None:
            return _held(request, where.hold, screened=screened, status=403, moving=appointment)
        return _slot_page(request, form, moving=appointment)
    if not posted:
        return _slot_page(request, form, moving=appointment)
    try:
        reschedule_appointment(
            request.user,
            appointment,
            form.cleaned_data["starts"],
            therapist=form.chosen_therapist,
            now=now,
        )
    except BookingHeld as held:
        return _held(
            request,
            held.hold,
            screened=screened,
            refused=held.message,
            status=403,
            moving=appointment,
        )
    except CancellationRefused as refusal:
        return _unchangeable(request, appointment, refusal.message, status=403)
    except SchedulingError as refusal:
        return _slot_page(request, form, moving=appointment, refusal=refusal)
    return redirect(f"{reverse('booking:appointment', args=[appointment.pk])}?done=moved")


# --- The client's appointments ----------------------------------------------------------------


def _unchangeable(
    request: AuthenticatedRequest, appointment: Appointment, why: str, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "booking/unchangeable.html",
        {"appointment": appointment, "why": why, **_facts(appointment)},
        status=status,
    )


def _facts(appointment: Appointment) -> dict[str, Any]:
    zone = appointment.location.time_zone
    return {"when": spoken(appointment.starts, zone), "zone_name": zone_name(zone)}


_COMING = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


@require_safe
@policy.requires(Action.CLIENT_HOME)
def appointments(request: AuthenticatedRequest) -> HttpResponse:
    """My appointments: what is coming (to move or cancel) and what has been."""
    client, where = _mine(request)
    now = timezone.now()
    booking_policy = BookingPolicy.current()
    upcoming, past = [], []
    for appointment in client.appointments.select_related(
        "service", "location", "therapist__user"
    ).order_by("starts", "pk"):
        row = {
            "appointment": appointment,
            "when": spoken(appointment.starts, appointment.location.time_zone),
            # A held client's session can't be moved to another time, only kept or cancelled.
            "cannot_move": _why_unchangeable(appointment, booking_policy, now, "moved")
            or (where.hold.client_message if where.hold else ""),
            "cannot_cancel": _why_unchangeable(appointment, booking_policy, now, "cancelled"),
        }
        if appointment.status in _COMING and appointment.ends > now:
            upcoming.append(row)
        else:
            past.append(row)
    past.reverse()
    return render(
        request,
        "booking/appointments.html",
        {
            "client": client,
            "upcoming": upcoming,
            "past": past,
            "hold": where.hold,
            "held": where.at("check_in"),
        },
    )


@require_safe
@policy.requires(Action.CLIENT_HOME)
def appointment_detail(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """One appointment: after booking or moving it, with how to add it to a calendar."""
    booked = _own_appointment(request, appointment_id)
    now = timezone.now()
    booking_policy = BookingPolicy.current()
    done = request.GET.get("done", "")
    return render(
        request,
        "booking/appointment.html",
        {
            "appointment": booked,
            "done": done if done in ("booked", "moved") else "",
            "upcoming": booked.status in _COMING and booked.ends > now,
            "emailed": emailable(booked.client),
            "cannot_move": _why_unchangeable(booked, booking_policy, now, "moved"),
            "cannot_cancel": _why_unchangeable(booked, booking_policy, now, "cancelled"),
            "cancellation_hours": booking_policy.cancellation_window_hours,
            # Booked before answering the health questions: asked at once (SPEC §2a).
            "needs_questionnaire": booked.status in _COMING
            and not booked.client.screenings.exists(),
            **_facts(booked),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def cancel(request: AuthenticatedRequest, appointment_id: int) -> HttpResponseBase:
    """Cancel an appointment: a page to confirm (GET), then the cancellation (POST)."""
    appointment = _own_appointment(request, appointment_id)
    now = timezone.now()
    posted = request.method == "POST"
    form = CancelForm(request.POST if posted else None)
    refused, status = "", 200
    if posted and form.is_valid():
        when = spoken(appointment.starts, appointment.location.time_zone)
        try:
            cancel_appointment(request.user, appointment, form.cleaned_data["reason"], now=now)
        except CancellationRefused as refusal:
            refused, status = refusal.message, 403
        except SchedulingError as refusal:
            refused, status = refusal.message, 400
        else:
            messages.success(request, f"Your appointment on {when} is cancelled.")
            return redirect("booking:appointments")
    elif posted:
        status = 400
    why_not = refused or _why_unchangeable(appointment, BookingPolicy.current(), now, "cancelled")
    return render(
        request,
        "booking/cancel.html",
        {
            "appointment": appointment,
            "form": form,
            "why_not": why_not,
            "refused": bool(refused),
            **_facts(appointment),
        },
        status=status,
    )


@require_safe
@policy.requires(Action.CLIENT_HOME)
def calendar_file(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    """The appointment as an .ics file, in the location's zone, to add to any calendar."""
    booked = _own_appointment(request, appointment_id)
    now = timezone.now()
    cancelled = booked.status == AppointmentStatus.CANCELLED
    content = ics.calendar([calendar_event(booked, made_at=now, cancelled=cancelled)], stamp=now)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="backcare-appointment.ics"'
    return response
