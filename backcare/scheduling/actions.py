"""Named write actions for scheduling (SPEC §4): working hours, time off, closures, the booking
policy, and booking, moving, cancelling and attending appointments.

Integrity. A therapist, a room or a client is never double-booked, even under concurrent
requests. Every booking action re-checks the time inside its transaction with the same engine
that shows free times (:mod:`backcare.scheduling.availability`), then writes:

* on SQLite, transactions are IMMEDIATE (settings.py): the write lock is taken at BEGIN, so
  bookings run one after another and the re-check sees every earlier booking;
* on PostgreSQL, bookings run side by side and two may pass the re-check together; the
  exclusion constraints on ``Appointment`` let only one insert through. The loser's exclusion
  violation is caught in a savepoint and becomes :class:`SlotTaken` with the nearest free
  times: an ``IntegrityError`` never escapes.

Refusals are :class:`SchedulingError` (a :class:`~backcare.lib.errors.FieldError`), naming the
field to change. Events (:mod:`backcare.events`: booked, rescheduled, cancelled, slot freed)
are delivered after commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.utils import timezone

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import create_recorded, delete_recorded, diff, record, snapshot
from backcare.clinic.actions import add_to_care_team
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.holds.actions import ClientHeld, door, refuse_if_held
from backcare.lib.errors import FieldError
from backcare.policy import staff_or_system
from backcare.scheduling.availability import (
    NEAREST_WINDOW_DAYS,
    FreeSlot,
    LocationSearch,
    load_search,
    nearest_free,
)
from backcare.scheduling.calendar_days import public_holidays
from backcare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    Break,
    Closure,
    TimeOff,
    WorkingHours,
)
from backcare.scheduling.queries import booked_during_closure, booked_during_time_off
from backcare.scheduling.slots import Interval, weekly_series, working_time

if TYPE_CHECKING:
    from backcare.care.models import Program


@transaction.atomic
def add_working_hours(
    actor: User | None,
    therapist: Therapist,
    location: Location,
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    breaks: tuple[tuple[dt.time, dt.time], ...] = (),
) -> WorkingHours:
    """A weekday's hours at a location, in its wall-clock time, with any breaks inside them."""
    hours = WorkingHours(
        therapist=therapist, location=location, weekday=weekday, starts=starts, ends=ends
    )
    hours.full_clean()
    for break_starts, break_ends in breaks:
        if not starts <= break_starts < break_ends <= ends:
            raise ValidationError(
                {
                    "breaks": f"The break {break_starts:%H:%M}–{break_ends:%H:%M} must lie "
                    f"inside the hours {starts:%H:%M}–{ends:%H:%M}."
                }
            )
    hours.save()
    for break_starts, break_ends in breaks:
        pause = Break(hours=hours, starts=break_starts, ends=break_ends)
        pause.full_clean()
        pause.save()
    record(
        actor,
        "working_hours.added",
        hours,
        changes=diff(
            {},
            {
                "therapist": therapist.pk,
                "location": location.pk,
                "weekday": weekday,
                "hours": f"{starts:%H:%M}-{ends:%H:%M}",
                "breaks": [f"{b:%H:%M}-{e:%H:%M}" for b, e in breaks],
            },
        ),
    )
    return hours


# --- Time off, closures and the booking policy ----------------------------------------------


@transaction.atomic
def add_time_off(
    actor: User | None,
    therapist: Therapist,
    starts: dt.datetime,
    ends: dt.datetime,
    reason: str = "",
) -> TimeOff:
    """The therapist is away from `starts` to `ends` (aware). Existing appointments stay booked."""
    away = TimeOff(therapist=therapist, starts=starts, ends=ends, reason=reason)
    return create_recorded(actor, away, "time_off.added")


@transaction.atomic
def remove_time_off(actor: User | None, away: TimeOff) -> None:
    delete_recorded(actor, away, "time_off.removed")


@transaction.atomic
def add_closure(
    actor: User | None,
    starts_on: dt.date,
    ends_on: dt.date,
    *,
    name: str = "",
    location: Location | None = None,
) -> Closure:
    """Close `location` (or every location) on local days `starts_on` to `ends_on`, included."""
    closure = Closure(location=location, starts_on=starts_on, ends_on=ends_on, name=name)
    return create_recorded(actor, closure, "closure.added")


@transaction.atomic
def remove_closure(actor: User | None, closure: Closure) -> None:
    delete_recorded(actor, closure, "closure.removed")


def closure_reason(closure: Closure) -> str:
    """Why a session on a closed day was cancelled, as its history and the client read it."""
    return "The clinic is closed that day" + (f" ({closure.name})." if closure.name else ".")


def time_off_reason(away: TimeOff) -> str:
    return f"{away.therapist.name} is away that day."


@transaction.atomic
def cancel_sessions_during_time_off(
    actor: User | None, away: TimeOff, now: dt.datetime | None = None
) -> list[Appointment]:
    """Cancel the therapist's sessions still booked during `away`, each by
    :func:`cancel_appointment` (its audit row, the client's email, the freed slot)."""
    now = _now(now)
    return _cancel_all(actor, booked_during_time_off(away, now), time_off_reason(away), now)


@transaction.atomic
def cancel_sessions_during_closure(
    actor: User | None, closure: Closure, now: dt.datetime | None = None
) -> list[Appointment]:
    """Cancel the sessions still booked on the closure's days, each by
    :func:`cancel_appointment` (its audit row, the client's email, the freed slot)."""
    now = _now(now)
    return _cancel_all(actor, booked_during_closure(closure, now), closure_reason(closure), now)


def _cancel_all(
    actor: User | None, appointments: Sequence[Appointment], reason: str, now: dt.datetime
) -> list[Appointment]:
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can cancel other people's sessions.")
    cancelled = []
    for appointment in appointments:
        try:
            cancelled.append(
                cancel_appointment(actor, appointment, reason, now=now, by_clinic=True)
            )
        except SchedulingError:
            continue  # cancelled, completed or missed since it was read: nothing left to do
    return cancelled


POLICY_FIELDS = (
    "min_notice_minutes",
    "horizon_days",
    "cancellation_window_hours",
    "held_sessions",
)


@transaction.atomic
def update_booking_policy(actor: User | None, **values: int | str) -> BookingPolicy:
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise TypeError(f"not a booking policy setting: {', '.join(unknown)}")
    policy = BookingPolicy.current()
    before = snapshot(policy, values)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    changes = diff(before, snapshot(policy, values))
    if changes:
        policy.save(update_fields=list(changes))
        record(actor, "booking_policy.updated", policy, changes=changes)
    return policy


# --- Refusals -------------------------------------------------------------------------------


class SchedulingError(FieldError):
    """A scheduling request refused; ``field`` names what to change."""


class BookingHeld(SchedulingError, ClientHeld):
    """A clinical hold shuts booking for this client (:mod:`backcare.holds`, SPEC §2a).

    The message is the hold's staff message for staff and its client message for the client.
    """


class SlotUnavailable(SchedulingError):
    """This time cannot be booked; ``alternatives`` are the nearest free slots, if any."""

    def __init__(
        self, message: str, alternatives: Sequence[FreeSlot] = (), *, field: str = "starts"
    ) -> None:
        super().__init__(field, message)
        self.alternatives: tuple[FreeSlot, ...] = tuple(alternatives)


class SlotTaken(SlotUnavailable):
    """Someone else holds the therapist or the room then, perhaps booked a moment ago."""

    MESSAGE = "That time was just taken — here are the nearest free times."

    def __init__(self, alternatives: Sequence[FreeSlot] = (), *, constraint: str = "") -> None:
        super().__init__(self.MESSAGE, alternatives)
        self.constraint = constraint
        """The exclusion constraint that refused the write, when the database refused it."""


class ClientAlreadyBooked(SlotUnavailable):
    """The client has another appointment at that time (with anyone, anywhere)."""


class PublicHoliday(SlotUnavailable):
    """A series date on a public holiday: a series skips them (a single booking may take one)."""

    def __init__(self, day: dt.date, name: str, alternatives: Sequence[FreeSlot] = ()) -> None:
        super().__init__(f"{name} — the series skips public holidays.", alternatives)
        self.day = day
        self.name = name


class CalendarBusy(SchedulingError):
    """The database stayed busy with other bookings for longer than a person should wait."""

    def __init__(self) -> None:
        super().__init__(
            "starts",
            "Many people are booking right now and we couldn't confirm this time. Nothing was "
            "booked: please try again in a moment.",
        )


class CancellationRefused(SchedulingError):
    """Too close to the appointment for the client to cancel or move it themselves."""


# --- Helpers --------------------------------------------------------------------------------

_EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for an exclusion constraint violation
# A race lost to another writer: deadlock, serialization failure, lock not available.
_CONTENTION_STATES = frozenset({"40P01", "40001", "55P03"})
_CONTENTION_ATTEMPTS = 3
# The kinds of advisory lock a booking takes, in the order it takes them.
_THERAPIST_LOCK, _ROOMS_LOCK, _CLIENT_LOCK = 1, 2, 3
_CLIENT_CONSTRAINT = "appointment_client_no_overlap"
_ROOM_CONSTRAINT = "appointment_room_no_overlap"
_ROOM_ATTEMPTS = 3
_SNAPSHOT_FIELDS = (
    "client",
    "therapist",
    "room",
    "service",
    "location",
    "starts",
    "ends",
    "blocked_until",
    "status",
    "series",
)


def _appointment_snapshot(appointment: Appointment) -> dict[str, Any]:
    values = snapshot(appointment, _SNAPSHOT_FIELDS)
    values["series"] = str(appointment.series) if appointment.series is not None else None
    return values


def _pause_before_write() -> None:
    """A seam for the concurrency tests, between the re-check and the write. Does nothing."""


def _now(now: dt.datetime | None) -> dt.datetime:
    moment = now if now is not None else timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("now must be an aware datetime")
    return moment.astimezone(dt.UTC)


def _check_own(actor: User | None, client: Client, what: str) -> None:
    if not staff_or_system(actor) and (actor is None or client.user_id != actor.pk):
        raise SchedulingError("client", f"You can only {what} your own appointments.")


def _check_hold(actor: User | None, client: Client, now: dt.datetime) -> None:
    refuse_if_held(actor, client, "book", now, refusal=BookingHeld)


def _check_bookable_with(service: Service, therapist: Therapist, location: Location) -> None:
    if not service.active:
        raise SchedulingError("service", f"{service.name} is no longer offered.")
    if not location.active:
        raise SchedulingError("location", f"{location.name} is closed for bookings.")
    if not therapist.active:
        raise SchedulingError("therapist", f"{therapist.name} is not taking bookings.")
    if not therapist.locations.filter(pk=location.pk).exists():
        raise SchedulingError("therapist", f"{therapist.name} does not work at {location.name}.")


def _day_label(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


def _why_not(
    search: LocationSearch,
    policy: BookingPolicy,
    therapist: Therapist,
    client: Client,
    wanted: Interval,
    blocked: Interval,
    now: dt.datetime,
    staff: bool,
) -> SlotUnavailable:
    """The first rule that `wanted` breaks, in the order a person would look for it."""
    zone = search.location.zone
    local = wanted.start.astimezone(zone)
    if wanted.start < now:
        return SlotUnavailable("That time has already passed.")
    if not staff and wanted.start < now + policy.min_notice:
        hours, minutes = divmod(policy.min_notice_minutes, 60)
        if minutes:
            notice = f"{policy.min_notice_minutes} minutes'"
        else:
            notice = "an hour's" if hours == 1 else f"{hours} hours'"
        return SlotUnavailable(f"Online bookings need at least {notice} notice.")
    if not staff and wanted.start > now + policy.horizon:
        return SlotUnavailable(
            f"Bookings open {policy.horizon_days} days ahead; please choose an earlier date."
        )
    if (local.minute * 60 + local.second) % (policy.grid_minutes * 60) or local.microsecond:
        return SlotUnavailable("Appointments start on the quarter hour (:00, :15, :30 or :45).")
    for instant in (blocked.start, blocked.end - dt.timedelta(microseconds=1)):
        day = instant.astimezone(zone).date()
        if day in search.closure_names:
            name = search.closure_names[day]
            return SlotUnavailable(
                f"{search.location.name} is closed on {_day_label(day)}"
                + (f" ({name})." if name else ".")
            )
    availability = search.therapist(therapist.pk)
    if availability is None:
        return SlotUnavailable(
            f"{therapist.name} has no working hours at {search.location.name}.", field="therapist"
        )
    working = working_time(
        availability, local.date() - dt.timedelta(days=1), local.date() + dt.timedelta(days=1)
    )
    if not any(span.contains(blocked) for span in working):
        return SlotUnavailable(f"That is outside {therapist.name}'s working hours.")
    if any(away.overlaps(blocked) for away in availability.time_off):
        return SlotUnavailable(f"{therapist.name} is away then.")
    if any(busy.overlaps(blocked) for busy in availability.busy):
        return SlotTaken()
    if any(busy.overlaps(wanted) for busy in search.request.client_busy):
        return ClientAlreadyBooked(f"{client.full_name} already has an appointment then.")
    if search.request.rooms is not None:
        return SlotTaken()  # every room is in use
    return SlotUnavailable("That time cannot be booked.")


@dataclass(frozen=True)
class _Plan:
    starts: dt.datetime
    ends: dt.datetime
    blocked_until: dt.datetime
    room: Room | None


def _plan(
    *,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None,
    preferred_room: Room | None,
    now: dt.datetime,
    staff: bool,
    ignoring: Appointment | None,
) -> _Plan:
    """Re-check that `starts` is free, inside the transaction, and choose the room."""
    if timezone.is_naive(starts):
        raise SchedulingError("starts", "The time must carry its time zone.")
    starts = starts.astimezone(dt.UTC)
    ends = starts + dt.timedelta(minutes=service.duration_minutes)
    blocked_until = ends + dt.timedelta(minutes=service.buffer_after_minutes)
    if room is not None and room.location_id != location.pk:
        raise SchedulingError("room", f"{room.name} is not at {location.name}.")
    if room is not None and not room.active:
        raise SchedulingError("room", f"{room.name} is out of service.")
    if starts < now:
        raise SlotUnavailable("That time has already passed.")
    day = starts.astimezone(location.zone).date()
    search = load_search(
        service,
        start_day=day,
        end_day=day,
        location=location,
        therapist=therapist,
        client=client,
        staff=staff,
        ignoring=ignoring,
        with_rooms=service.needs_room or room is not None,
    )
    place = search.locations[0]
    for slot in place.find(now):
        if slot.start != starts or slot.therapist_id != therapist.pk:
            continue
        if room is not None:
            if room.pk not in slot.room_ids:
                raise SlotTaken()
            return _Plan(starts, ends, blocked_until, room)
        if not slot.room_ids:
            return _Plan(starts, ends, blocked_until, None)
        if preferred_room is not None and preferred_room.pk in slot.room_ids:
            return _Plan(starts, ends, blocked_until, preferred_room)
        return _Plan(starts, ends, blocked_until, place.rooms[slot.room_ids[0]])
    raise _why_not(
        place,
        search.policy,
        therapist,
        client,
        Interval(starts, ends),
        Interval(starts, blocked_until),
        now,
        staff,
    )


def _overlap_refusal(error: IntegrityError, client: Client) -> SlotUnavailable | None:
    """The refusal an exclusion violation stands for, or None for any other integrity error."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != _EXCLUSION_VIOLATION:
        return None
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None) or ""
    if constraint == _CLIENT_CONSTRAINT:
        return ClientAlreadyBooked(f"{client.full_name} already has an appointment then.")
    return SlotTaken(constraint=constraint)


def _contention(error: BaseException) -> bool:
    """Did this write lose a race: a deadlock, a serialization failure, a lock timeout (in
    PostgreSQL's words) or a busy database file (SQLite's)?"""
    cause = error.__cause__ or error
    if getattr(cause, "sqlstate", None) in _CONTENTION_STATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def _write(appointment: Appointment, update_fields: list[str] | None = None) -> None:
    """Save in a savepoint, turning the database's refusal of an overlap, or a race lost to
    another writer, into a refusal. The savepoint's rollback leaves the transaction usable."""
    try:
        with transaction.atomic():
            if update_fields is None:
                appointment.save(force_insert=True)
            else:
                appointment.save(update_fields=update_fields)
    except IntegrityError as error:
        refusal = _overlap_refusal(error, appointment.client)
        if refusal is None:
            raise
        raise refusal from error
    except OperationalError as error:
        if not _contention(error):
            raise
        raise SlotTaken() from error


def _lock_for_booking(
    therapist: Therapist, location: Location, client: Client, *, rooms: bool
) -> None:
    """Take the booking's locks, always in one order: the therapist, then the location's rooms
    (when the service needs one), then the client. Two bookings that want the same therapist,
    rooms or client then run one after the other, each re-checking what the other wrote, and
    can never wait on each other in a circle (a deadlock). Transaction-scoped: released at
    commit or rollback. SQLite needs none: its IMMEDIATE transactions run writers one by one."""
    if connection.vendor != "postgresql":
        return
    keys = [(_THERAPIST_LOCK, therapist.pk)]
    if rooms:
        keys.append((_ROOMS_LOCK, location.pk))
    keys.append((_CLIENT_LOCK, client.pk))
    with connection.cursor() as cursor:
        for kind, pk in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [kind, pk % 2**31])


F = TypeVar("F", bound=Callable[..., Any])


def settles_contention(action: F) -> F:
    """Run a booking write again when it lost a race for the database itself (a deadlock, a
    serialization failure, SQLite's busy file) before it could even re-check: a bounded number
    of times, then a refusal that says so. Never a server error. Only the outermost write
    retries; inside another transaction the refusal is raised for that one to answer."""

    @functools.wraps(action)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, _CONTENTION_ATTEMPTS + 1):
            try:
                return action(*args, **kwargs)
            except (OperationalError, InternalError) as error:
                if not _contention(error):
                    raise
                if connection.in_atomic_block or attempt == _CONTENTION_ATTEMPTS:
                    raise CalendarBusy() from error
        raise AssertionError("unreachable")  # pragma: no cover

    return cast(F, wrapped)


def _with_alternatives(
    refusal: SlotUnavailable,
    *,
    service: Service,
    location: Location,
    therapist: Therapist,
    client: Client,
    around: dt.datetime,
    now: dt.datetime,
    staff: bool,
    ignoring: Appointment | None = None,
    skip_days: Collection[dt.date] = (),
) -> SlotUnavailable:
    if not refusal.alternatives and refusal.field == "starts":
        refusal.alternatives = tuple(
            nearest_free(
                service,
                location,
                therapist,
                client,
                around,
                now,
                staff=staff,
                ignoring=ignoring,
                skip_days=skip_days,
            )
        )
    return refusal


def _lock(appointment: Appointment) -> None:
    """Lock the appointment's row (PostgreSQL) and refresh it, so two changes never cross."""
    fresh = Appointment.objects.select_for_update().get(pk=appointment.pk)
    for model_field in Appointment._meta.concrete_fields:
        setattr(appointment, model_field.attname, getattr(fresh, model_field.attname))


def _require_status(appointment: Appointment, allowed: Sequence[str], doing: str) -> None:
    if appointment.status not in allowed:
        raise SchedulingError(
            "appointment",
            f"This appointment is {appointment.get_status_display().lower()}, so it cannot be "
            f"{doing}.",
        )


# --- Booking --------------------------------------------------------------------------------


def _book(
    actor: User | None,
    *,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None,
    now: dt.datetime,
    staff: bool,
    series: uuid.UUID | None = None,
    notes: str = "",
    program: Program | None = None,
) -> Appointment:
    """Re-check, write, audit, announce. Refusals carry the nearest free times."""
    _lock_for_booking(therapist, location, client, rooms=service.needs_room or room is not None)
    try:
        for attempt in range(1, _ROOM_ATTEMPTS + 1):
            plan = _plan(
                client=client,
                service=service,
                therapist=therapist,
                location=location,
                starts=starts,
                room=room,
                preferred_room=None,
                now=now,
                staff=staff,
                ignoring=None,
            )
            _pause_before_write()
            appointment = Appointment(
                client=client,
                therapist=therapist,
                room=plan.room,
                service=service,
                location=location,
                starts=plan.starts,
                ends=plan.ends,
                blocked_until=plan.blocked_until,
                status=AppointmentStatus.BOOKED,
                booked_by=actor if actor is not None and actor.is_authenticated else None,
                booked_at=now,
                series=series,
                notes=notes,
                program=program,
            )
            try:
                _write(appointment)
            except SlotTaken as taken:
                # The room we picked went to someone else a moment ago: another may be free.
                if (
                    room is None
                    and taken.constraint == _ROOM_CONSTRAINT
                    and attempt < _ROOM_ATTEMPTS
                ):
                    continue
                raise
            break
    except SlotUnavailable as refusal:
        raise _with_alternatives(
            refusal,
            service=service,
            location=location,
            therapist=therapist,
            client=client,
            around=starts,
            now=now,
            staff=staff,
        ) from refusal.__cause__
    record(
        actor,
        "appointment.booked",
        appointment,
        client=client,
        changes=diff({}, _appointment_snapshot(appointment)),
    )
    events.publish(events.AppointmentBooked(appointment))
    return appointment


@door("book")
@settles_contention
@transaction.atomic
def book_appointment(
    actor: User | None,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None = None,
    now: dt.datetime | None = None,
    *,
    notes: str = "",
) -> Appointment:
    """Book `client` with `therapist` for `service` at `location`, starting at `starts` (aware).

    Refuses (:class:`SchedulingError` and subclasses) a screening hold, a therapist who does not
    work at the location, a time in the past, off the quarter hour, outside working hours, on
    a closed day, during time off, or overlapping the therapist's, the room's or the client's
    other appointments (:class:`SlotTaken` / :class:`ClientAlreadyBooked`, with the nearest free
    times). Clients must also respect the policy's minimum notice and horizon; staff need not.
    A service that needs a room gets the first free one unless `room` is given. Booking gives
    the therapist no access to the client's clinical record: checking in does (SPEC §2a).
    """
    now = _now(now)
    staff = staff_or_system(actor)
    _check_own(actor, client, "book")
    _check_hold(actor, client, now)
    _check_bookable_with(service, therapist, location)
    return _book(
        actor,
        client=client,
        service=service,
        therapist=therapist,
        location=location,
        starts=starts,
        room=room,
        now=now,
        staff=staff,
        notes=notes,
    )


@door("book")
@settles_contention
@transaction.atomic
def reschedule_appointment(
    actor: User | None,
    appointment: Appointment,
    starts: dt.datetime,
    *,
    therapist: Therapist | None = None,
    room: Room | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to `starts`, with the same or another therapist.

    The same rules as booking apply to the new time, ignoring the appointment itself. A client
    cannot move an appointment that is inside the cancellation window. The room is kept if it
    is free at the new time, otherwise another is chosen, unless `room` is given.
    """
    now = _now(now)
    staff = staff_or_system(actor)
    _lock(appointment)
    client, location, service = appointment.client, appointment.location, appointment.service
    _check_own(actor, client, "move")
    _require_status(appointment, [AppointmentStatus.BOOKED], "moved")
    policy = BookingPolicy.current()
    if not staff and now > appointment.starts - policy.cancellation_window:
        raise CancellationRefused(
            "appointment",
            f"This appointment is less than {policy.cancellation_window_hours} hours away, so it "
            "can no longer be moved online. Please call the clinic.",
        )
    _check_hold(actor, client, now)
    new_therapist = therapist or appointment.therapist
    _check_bookable_with(service, new_therapist, location)
    before = _appointment_snapshot(appointment)
    previous_starts, previous_ends = appointment.starts, appointment.ends
    previous_therapist, previous_room = appointment.therapist, appointment.room
    _lock_for_booking(new_therapist, location, client, rooms=service.needs_room or room is not None)
    try:
        plan = _plan(
            client=client,
            service=service,
            therapist=new_therapist,
            location=location,
            starts=starts,
            room=room,
            preferred_room=appointment.room,
            now=now,
            staff=staff,
            ignoring=appointment,
        )
        _pause_before_write()
        appointment.therapist = new_therapist
        appointment.room = plan.room
        appointment.starts = plan.starts
        appointment.ends = plan.ends
        appointment.blocked_until = plan.blocked_until
        _write(appointment, ["therapist", "room", "starts", "ends", "blocked_until"])
    except SlotUnavailable as refusal:
        raise _with_alternatives(
            refusal,
            service=service,
            location=location,
            therapist=new_therapist,
            client=client,
            around=starts,
            now=now,
            staff=staff,
            ignoring=appointment,
        ) from refusal.__cause__
    record(
        actor,
        "appointment.rescheduled",
        appointment,
        client=client,
        changes=diff(before, _appointment_snapshot(appointment)),
    )
    events.publish(
        events.AppointmentRescheduled(
            appointment,
            previous_starts=previous_starts,
            previous_ends=previous_ends,
            previous_therapist=previous_therapist,
            previous_room=previous_room,
        )
    )
    if previous_starts > now:
        events.publish(
            events.SlotFreed(
                appointment,
                starts=previous_starts,
                ends=previous_ends,
                therapist=previous_therapist,
                room=previous_room,
                location=location,
            )
        )
    return appointment


@transaction.atomic
def cancel_appointment(
    actor: User | None,
    appointment: Appointment,
    reason: str = "",
    now: dt.datetime | None = None,
    *,
    held: bool = False,
    by_clinic: bool = False,
) -> Appointment:
    """Cancel a booked (or checked-in) appointment, freeing its time.

    Inside the policy's cancellation window only staff may cancel, and the appointment is
    marked ``late_cancellation``; a client is refused with :class:`CancellationRefused`.
    ``held``: the clinic cancels it because a clinical hold stands (SPEC §2a): never late, and
    the hold's own email tells the client, so the usual cancellation email is not sent.
    ``by_clinic``: the clinic cancels it (a closure, the therapist away): never late.
    """
    now = _now(now)
    _lock(appointment)
    _check_own(actor, appointment.client, "cancel")
    _require_status(
        appointment, [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN], "cancelled"
    )
    policy = BookingPolicy.current()
    late = now > appointment.starts - policy.cancellation_window and not (held or by_clinic)
    if late and not staff_or_system(actor):
        raise CancellationRefused(
            "appointment",
            f"This appointment is less than {policy.cancellation_window_hours} hours away, so it "
            "can no longer be cancelled online. Please call the clinic to cancel.",
        )
    before = snapshot(appointment, ["status", "late_cancellation", "cancelled_at", "cancel_reason"])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.late_cancellation = late
    appointment.cancelled_at = now
    appointment.cancel_reason = reason.strip()
    appointment.save(update_fields=["status", "late_cancellation", "cancelled_at", "cancel_reason"])
    record(
        actor,
        "appointment.cancelled",
        appointment,
        client=appointment.client,
        changes=diff(
            before,
            snapshot(appointment, ["status", "late_cancellation", "cancelled_at", "cancel_reason"]),
        ),
    )
    events.publish(events.AppointmentCancelled(appointment, late=late, held=held))
    if appointment.starts > now:
        events.publish(
            events.SlotFreed(
                appointment,
                starts=appointment.starts,
                ends=appointment.ends,
                therapist=appointment.therapist,
                room=appointment.room,
                location=appointment.location,
            )
        )
    return appointment


def _set_status(
    actor: User | None, appointment: Appointment, status: AppointmentStatus, action: str
) -> Appointment:
    before = snapshot(appointment, ["status"])
    appointment.status = status
    appointment.save(update_fields=["status"])
    record(
        actor,
        action,
        appointment,
        client=appointment.client,
        changes=diff(before, snapshot(appointment, ["status"])),
    )
    return appointment


@transaction.atomic
def mark_no_show(
    actor: User | None, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    """The client did not come. Staff only, once the appointment has started."""
    now = _now(now)
    _lock(appointment)
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can record a no-show.")
    _require_status(appointment, [AppointmentStatus.BOOKED], "marked as a no-show")
    if now < appointment.starts:
        raise SchedulingError("appointment", "The appointment has not started yet.")
    return _set_status(actor, appointment, AppointmentStatus.NO_SHOW, "appointment.no_show")


@door("check_in")
@transaction.atomic
def check_in(
    actor: User | None, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    """The client has arrived: from the start of the appointment's local day until it ends.

    The appointment's therapist now treats the client and joins their care team (SPEC §2a:
    access to the clinical record follows treatment, not a booking)."""
    now = _now(now)
    _lock(appointment)
    _check_own(actor, appointment.client, "check in to")
    _require_status(appointment, [AppointmentStatus.BOOKED], "checked in")
    zone = appointment.location.zone
    if now.astimezone(zone).date() < appointment.starts.astimezone(zone).date():
        raise SchedulingError("appointment", "Check-in opens on the day of the appointment.")
    if now >= appointment.ends:
        raise SchedulingError("appointment", "This appointment has already ended.")
    refuse_if_held(actor, appointment.client, "check_in", now)
    _set_status(actor, appointment, AppointmentStatus.CHECKED_IN, "appointment.checked_in")
    add_to_care_team(
        actor, appointment.client, appointment.therapist, CareTeamMembership.Reason.TREATED, now
    )
    return appointment


@transaction.atomic
def complete_appointment(
    actor: User | None,
    appointment: Appointment,
    now: dt.datetime | None = None,
    *,
    not_checked_in_because: str = "",
) -> Appointment:
    """The session took place. Staff only, once it has started, for a checked-in appointment
    or, when the client was never checked in, with the reason recorded (SPEC §2a)."""
    now = _now(now)
    _lock(appointment)
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can complete an appointment.")
    because = not_checked_in_because.strip()
    allowed = [AppointmentStatus.CHECKED_IN] + ([AppointmentStatus.BOOKED] if because else [])
    _require_status(appointment, allowed, "completed")
    if now < appointment.starts:
        raise SchedulingError("appointment", "The appointment has not started yet.")
    completed = _set_status(
        actor, appointment, AppointmentStatus.COMPLETED, "appointment.completed"
    )
    if because:
        record(
            actor,
            "appointment.completed_without_check_in",
            appointment,
            client=appointment.client,
            changes={"reason": {"before": None, "after": because}},
        )
        # Treated without a check-in: the therapist treats the client all the same.
        add_to_care_team(
            actor, appointment.client, appointment.therapist, CareTeamMembership.Reason.TREATED, now
        )
    return completed


# --- Series ---------------------------------------------------------------------------------

MAX_SERIES = 52


@dataclass(frozen=True)
class SeriesDate:
    """One date of a series: booked (or free, in a dry run), or refused with alternatives."""

    starts: dt.datetime
    ends: dt.datetime
    appointment: Appointment | None = None
    problem: SlotUnavailable | None = None

    @property
    def free(self) -> bool:
        return self.problem is None

    @property
    def alternatives(self) -> tuple[FreeSlot, ...]:
        return self.problem.alternatives if self.problem is not None else ()


@dataclass(frozen=True)
class SeriesReport:
    dry_run: bool
    series: uuid.UUID | None
    dates: tuple[SeriesDate, ...]

    @property
    def booked(self) -> list[Appointment]:
        return [date.appointment for date in self.dates if date.appointment is not None]

    @property
    def conflicts(self) -> list[SeriesDate]:
        return [date for date in self.dates if not date.free]


def series_starts(
    first_start: dt.datetime, count: int, per_week: int, zone: ZoneInfo, *, days_between: int = 3
) -> list[dt.datetime]:
    """The UTC starts of a series that keeps `first_start`'s local wall-clock time.

    Twice a week, the second weekly session is `days_between` days after the first.
    """
    one_week = dt.timedelta(days=7)
    tick = dt.timedelta(minutes=1)  # weekly_series wants a duration; only the starts are used
    first_local = first_start.astimezone(zone)
    weekly = [
        i.start
        for i in weekly_series(first_local, math.ceil(count / per_week), one_week, zone, tick)
    ]
    if per_week == 1:
        return weekly
    second_local = dt.datetime.combine(
        first_local.date() + dt.timedelta(days=days_between), first_local.time(), tzinfo=zone
    ).replace(fold=first_local.fold)
    second = [i.start for i in weekly_series(second_local, count // 2, one_week, zone, tick)]
    return sorted(weekly + second)[:count]


@door("book")
@settles_contention
@transaction.atomic
def book_series(
    actor: User | None,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    first_start: dt.datetime,
    count: int,
    per_week: int = 1,
    *,
    days_between: int = 3,
    room: Room | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    program: Program | None = None,
) -> SeriesReport:
    """Check, and unless `dry_run` book, `count` sessions at `first_start`'s local time.

    Once or twice (`per_week`) a week, keeping the local wall-clock time across DST changes.
    Every date is checked like a single booking; the report says, per date, booked (free in a
    dry run) or why not with the nearest free times. A date on a public holiday of the
    location's state is skipped (:class:`PublicHoliday`) unless something else refuses it
    first, and no nearest free time falls on one. A real run books every free date and
    reports the rest, so the intended use is: dry run, show the report, then book. Refusals
    that concern the whole series (a screening hold, a therapist not at the location, a bad
    count) raise instead. Sessions of a care `program` (the client's own) belong to it.
    """
    now = _now(now)
    staff = staff_or_system(actor)
    if not 1 <= count <= MAX_SERIES:
        raise SchedulingError("count", f"A series has 1 to {MAX_SERIES} sessions.")
    if per_week not in (1, 2):
        raise SchedulingError("per_week", "A series runs once or twice a week.")
    if per_week == 2 and not 1 <= days_between <= 6:
        raise SchedulingError("days_between", "The second weekly session is 1 to 6 days later.")
    if timezone.is_naive(first_start):
        raise SchedulingError("first_start", "The time must carry its time zone.")
    if first_start < now:
        raise SchedulingError("first_start", "The first session's time has already passed.")
    first_local = first_start.astimezone(location.zone)
    if first_local.minute % BookingPolicy.GRID_MINUTES or first_local.second:
        raise SchedulingError(
            "first_start", "Appointments start on the quarter hour (:00, :15, :30 or :45)."
        )
    if program is not None and program.client_id != client.pk:
        raise SchedulingError("program", "That program belongs to someone else.")
    _check_own(actor, client, "book")
    _check_hold(actor, client, now)
    _check_bookable_with(service, therapist, location)
    duration = dt.timedelta(minutes=service.duration_minutes)
    series = None if dry_run else uuid.uuid4()
    zone = location.zone
    all_starts = series_starts(first_start, count, per_week, zone, days_between=days_between)
    days = [starts.astimezone(zone).date() for starts in all_starts]
    reach = dt.timedelta(days=NEAREST_WINDOW_DAYS)  # the nearest free times avoid them too
    holidays = public_holidays(location.state, min(days) - reach, max(days) + reach)
    dates = []
    for starts, day in zip(all_starts, days, strict=True):
        holiday = holidays.get(day)
        try:
            if dry_run or holiday is not None:
                # The clinic's own reasons (a closure, time off, a taken time) come first.
                _plan(
                    client=client,
                    service=service,
                    therapist=therapist,
                    location=location,
                    starts=starts,
                    room=room,
                    preferred_room=None,
                    now=now,
                    staff=staff,
                    ignoring=None,
                )
                if holiday is not None:
                    raise PublicHoliday(day, holiday)
                dates.append(SeriesDate(starts, starts + duration))
            else:
                with transaction.atomic():
                    booked = _book(
                        actor,
                        client=client,
                        service=service,
                        therapist=therapist,
                        location=location,
                        starts=starts,
                        room=room,
                        now=now,
                        staff=staff,
                        series=series,
                        program=program,
                    )
                dates.append(SeriesDate(booked.starts, booked.ends, appointment=booked))
        except SlotUnavailable as refusal:
            refusal = _with_alternatives(
                refusal,
                service=service,
                location=location,
                therapist=therapist,
                client=client,
                around=starts,
                now=now,
                staff=staff,
                skip_days=holidays,
            )
            dates.append(SeriesDate(starts, starts + duration, problem=refusal))
    report = SeriesReport(dry_run=dry_run, series=series, dates=tuple(dates))
    if not dry_run:
        record(
            actor,
            "appointment.series_booked",
            None,
            client=client,
            changes={
                "series": str(series),
                "program": program.pk if program is not None else None,
                "booked": [a.starts.isoformat() for a in report.booked],
                "refused": [
                    {"starts": d.starts.isoformat(), "why": str(d.problem)}
                    for d in report.conflicts
                ],
            },
        )
        if report.booked and series is not None:
            events.publish(events.SeriesBooked(series, tuple(report.booked)))
    return report
