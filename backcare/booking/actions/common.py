"""What the booking actions share: the clock, the locks, the re-check and the write."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.utils import timezone

from backcare.accounts.models import User
from backcare.audit.log import snapshot
from backcare.booking.actions.errors import (
    BookingHeld,
    CalendarBusy,
    ClientAlreadyBooked,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
    TooClose,
)
from backcare.booking.availability import (
    LocationSearch,
    load_search,
    nearest_free,
)
from backcare.booking.models import ACTIVE_STATUSES, Appointment
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.holds.actions import refuse_if_held
from backcare.policy import staff_or_system
from backcare.scheduling.models import BookingPolicy
from backcare.scheduling.slots import Interval, working_time

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
    clashes = [busy for busy in availability.busy if busy.overlaps(blocked)]
    if clashes:
        return _taken_or_too_close(therapist, clashes, wanted, blocked)
    if any(busy.overlaps(wanted) for busy in search.request.client_busy):
        return ClientAlreadyBooked(f"{client.full_name} already has an appointment then.")
    if search.request.rooms is not None:
        return SlotTaken()  # every room is in use
    return SlotUnavailable("That time cannot be booked.")


def _taken_or_too_close(
    therapist: Therapist, clashes: list[Interval], wanted: Interval, blocked: Interval
) -> SlotUnavailable:
    """:class:`SlotTaken` when another session takes the time itself; :class:`TooClose` when
    only the clean-up time between two sessions clashes (this one's, or the one's before it).
    One query, on the refusal path only: the therapist's busy times carry no treatment end."""
    others = dict(
        Appointment.objects.filter(
            therapist=therapist,
            status__in=ACTIVE_STATUSES,
            starts__in=[busy.start for busy in clashes],
        ).values_list("starts", "ends")
    )
    minutes = 0
    for busy in clashes:
        ends = others.get(busy.start)
        if ends is None or Interval(busy.start, ends).overlaps(wanted):
            return SlotTaken()  # a session (or a time someone is holding) then
        if busy.start < wanted.start:  # the session before is still being cleared up after
            minutes = max(minutes, round((busy.end - ends).total_seconds() / 60))
        else:  # this session's own clean-up runs into the next one
            minutes = max(minutes, round((blocked.end - wanted.end).total_seconds() / 60))
    return TooClose(therapist.name, minutes)


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
        now=now,
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
    lock_calendar(therapist, location, rooms=rooms, client=client)


def lock_calendar(
    therapist: Therapist, location: Location, *, rooms: bool, client: Client | None = None
) -> None:
    """Take the booking locks of :func:`_lock_for_booking` (the client's only when given).
    A write that holds a time without booking it (a time held for a visitor signing up on the
    clinic's website) takes them too, so it queues with the bookings of that therapist."""
    if connection.vendor != "postgresql":
        return
    keys = [(_THERAPIST_LOCK, therapist.pk)]
    if rooms:
        keys.append((_ROOMS_LOCK, location.pk))
    if client is not None:
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
