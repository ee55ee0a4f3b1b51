"""Free times for a service: the database side of SPEC §4 availability.

This module only loads. It reads hours, breaks, time off, closures, appointments, rooms, the
client's own appointments and the booking policy with a fixed number of queries whatever the
size of the clinic or the range, turns them into the inputs of the pure engine in
:mod:`backcare.scheduling.slots` and lets :func:`~backcare.scheduling.slots.find_slots` do the
maths. Booking actions use the same loading to re-check a time inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from backcare.booking.models import ACTIVE_STATUSES, Appointment
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.scheduling.models import BookingPolicy, Break, Closure, TimeOff, WorkingHours
from backcare.scheduling.slots import (
    Interval,
    RoomAvailability,
    SlotRequest,
    TherapistAvailability,
    WeeklyHours,
    find_slots,
)

# Loading reaches this far beyond the requested local days, whatever the zone (offsets are
# within ±14 h), so that appointments and time off spilling over a day's edge are seen.
_PAD = dt.timedelta(days=2)
# No appointment with its buffer lasts longer than this (services are at most 8 hours with a
# 2-hour buffer): one that reaches into the window started at most this long before it, which
# bounds the index scan on ``starts`` from below as well as above.
LONGEST_SESSION = dt.timedelta(days=1)
# How far either side of a wanted time :func:`nearest_free` looks.
NEAREST_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Window:
    """What a free-times question covers: these therapists (and these locations' rooms) from
    ``start`` to ``end``, asked at ``now``; no session with its buffer lasts beyond ``longest``."""

    therapist_ids: Sequence[int]
    location_ids: Sequence[int]
    with_rooms: bool
    start: dt.datetime
    end: dt.datetime
    longest: dt.timedelta
    now: dt.datetime


# Time that other apps hold on the calendar besides appointments (the website's held times):
# rows shaped like the appointment rows (therapist, room, starts, blocked_until, and no end of
# the client's own), read in the same query as the appointments.
BlockingRows = Callable[
    [Window], "QuerySet[Any, tuple[int, int | None, dt.datetime, dt.datetime, None]]"
]
_blockers: list[BlockingRows] = []


def also_blocked_by(rows: BlockingRows) -> BlockingRows:
    """Register ``rows`` as time that blocks free times (from the app's ``AppConfig.ready``)."""
    if rows not in _blockers:
        _blockers.append(rows)
    return rows


class FreeSlot(NamedTuple):
    """A bookable start for one therapist at one location; `room_ids` lists the free rooms.

    A named tuple, like the engine's :class:`~backcare.scheduling.slots.Slot`: a 14-day search
    makes thousands. Free slots of one search sort by start, therapist, then location.
    """

    start: dt.datetime
    end: dt.datetime
    therapist_id: int
    location_id: int
    room_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class LocationSearch:
    """Everything the pure engine needs for one location, as loaded from the database."""

    location: Location
    request: SlotRequest
    therapists: list[TherapistAvailability]
    closure_names: dict[dt.date, str] = field(default_factory=dict)
    rooms: dict[int, Room] = field(default_factory=dict)

    def find(self, now: dt.datetime) -> list[FreeSlot]:
        here = self.location.pk
        return [
            FreeSlot(start, end, therapist_id, here, room_ids)
            for start, end, therapist_id, room_ids in find_slots(
                self.request, self.therapists, now=now
            )
        ]

    def therapist(self, therapist_id: int) -> TherapistAvailability | None:
        return next((t for t in self.therapists if t.therapist_id == therapist_id), None)


@dataclass(frozen=True)
class Search:
    policy: BookingPolicy
    locations: list[LocationSearch]

    def find(self, now: dt.datetime) -> list[FreeSlot]:
        found = [slot for search in self.locations for slot in search.find(now)]
        # As tuples: by start, end (the same for every slot of a start), therapist, location.
        found.sort()
        return found


def _interval(starts: dt.datetime, ends: dt.datetime) -> Interval | None:
    return Interval(starts, ends) if ends > starts else None


def load_search(
    service: Service,
    *,
    start_day: dt.date,
    end_day: dt.date,
    location: Location | None = None,
    therapist: Therapist | None = None,
    client: Client | None = None,
    staff: bool = False,
    ignoring: Appointment | None = None,
    policy: BookingPolicy | None = None,
    with_rooms: bool | None = None,
    now: dt.datetime | None = None,
) -> Search:
    """Load what is needed to find slots on local days `start_day` to `end_day`, both included.

    `staff` lifts the client-only limits (minimum notice and horizon). `ignoring` leaves one
    appointment out, so that it can be moved. `with_rooms` overrides whether a slot needs a free
    room (by default, when the service needs one). Queries: the policy (unless given), the locations
    (unless one is given), hours with their breaks (2), time off, closures, rooms (when the
    service needs one) and appointments (with the times held for visitors signing up on the
    clinic's website, which block as appointments do until they expire, as of `now`, by
    default the current time): at most 8, however much data there is.
    """
    policy = policy or BookingPolicy.current()
    locations = [location] if location is not None else list(Location.objects.filter(active=True))
    location_ids = [place.pk for place in locations]
    window_start = dt.datetime.combine(start_day, dt.time(0), tzinfo=dt.UTC) - _PAD
    window_end = dt.datetime.combine(end_day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(days=1)
    window_end += _PAD

    # Hours count only where the therapist still practises: a join on the (therapist, location)
    # pairs, each of which is unique, so no hours are repeated.
    hours_query = WorkingHours.objects.filter(
        location_id__in=location_ids, therapist__active=True, therapist__locations=F("location")
    )
    if therapist is not None:
        hours_query = hours_query.filter(therapist=therapist)
    # Plain rows, not model instances: a clinic has hundreds of hours, each with its breaks.
    # The breaks of these locations' hours; those of hours not kept above are never looked up.
    breaks: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for hours_id, pause_starts, pause_ends in (
        Break.objects.filter(hours__location_id__in=location_ids)
        .order_by("starts")
        .values_list("hours_id", "starts", "ends")
    ):
        breaks[hours_id].append((pause_starts, pause_ends))
    weekly: dict[tuple[int, int], list[WeeklyHours]] = defaultdict(list)
    for hours_id, location_id, therapist_id, weekday, starts, ends in hours_query.order_by(
        "pk"
    ).values_list("pk", "location_id", "therapist_id", "weekday", "starts", "ends"):
        pauses = tuple(breaks.get(hours_id, ()))
        weekly[location_id, therapist_id].append(WeeklyHours(weekday, starts, ends, pauses))
    therapist_ids = sorted({therapist_id for _, therapist_id in weekly})

    time_off: dict[int, list[Interval]] = defaultdict(list)
    for therapist_id, away_starts, away_ends in (
        TimeOff.objects.filter(
            therapist_id__in=therapist_ids, starts__lt=window_end, ends__gt=window_start
        )
        .order_by()
        .values_list("therapist_id", "starts", "ends")
    ):
        time_off[therapist_id].append(Interval(away_starts, away_ends))

    closures = list(
        Closure.objects.filter(
            Q(location__isnull=True) | Q(location_id__in=location_ids),
            starts_on__lte=end_day + dt.timedelta(days=1),
            ends_on__gte=start_day - dt.timedelta(days=1),
        )
    )

    if with_rooms is None:
        with_rooms = service.needs_room
    rooms: list[Room] = []
    if with_rooms:
        rooms = list(
            Room.objects.filter(location_id__in=location_ids, active=True).order_by("name")
        )
    room_set = {room.pk for room in rooms}

    # A room is only ever booked at its own location, so "these locations" finds every booking
    # of their rooms through the (location, starts) index; room_id alone has no time-bounded one.
    who = Q(therapist_id__in=therapist_ids)
    if with_rooms:
        who |= Q(location_id__in=location_ids)
    if client is not None:
        who |= Q(client=client)
    appointments = Appointment.objects.filter(
        who,
        status__in=ACTIVE_STATUSES,
        starts__gte=window_start - LONGEST_SESSION,
        starts__lt=window_end,
        blocked_until__gt=window_start,
    ).order_by()  # the slot maths sorts what it needs; no sort in the database
    if ignoring is not None:
        appointments = appointments.exclude(pk=ignoring.pk)
    therapist_busy: dict[int, list[Interval]] = defaultdict(list)
    room_busy: dict[int, list[Interval]] = defaultdict(list)
    client_busy: list[Interval] = []
    # Only the client's own appointments need their end (the client leaves when the treatment
    # ends); every other one blocks until its buffer is over. Reading no other end spares
    # turning thousands of database values into datetimes nobody looks at.
    own_end = (
        Case(When(client=client, then=F("ends")))
        if client is not None
        else Value(None, output_field=DateTimeField())
    )
    rows = appointments.values_list("therapist_id", "room_id", "starts", "blocked_until", own_end)
    # One query: the appointments and, in the same rows, the time other apps hold (which has
    # no end of the client's own).
    window = Window(
        therapist_ids,
        location_ids,
        with_rooms,
        window_start,
        window_end,
        LONGEST_SESSION,
        now if now is not None else timezone.now(),
    )
    for blocker in _blockers:
        rows = rows.union(blocker(window), all=True)
    for therapist_id, room_id, starts, blocked_until, ends in rows:
        blocked = Interval(starts, blocked_until)
        therapist_busy[therapist_id].append(blocked)
        if room_id in room_set:
            room_busy[room_id].append(blocked)
        if ends is not None:
            client_busy.append(Interval(starts, ends))

    searches = []
    for place in locations:
        zone = place.zone
        closed: dict[dt.date, str] = {}
        for closure in closures:
            if closure.location_id in (None, place.pk):
                for day in closure.days():
                    closed.setdefault(day, closure.name)
        request = SlotRequest(
            first_day=start_day,
            last_day=end_day,
            zone=zone,
            duration=dt.timedelta(minutes=service.duration_minutes),
            buffer_after=dt.timedelta(minutes=service.buffer_after_minutes),
            grid=policy.grid,
            minimum_notice=dt.timedelta(0) if staff else policy.min_notice,
            horizon=None if staff else policy.horizon,
            closures=sorted(closed),
            rooms=(
                [
                    RoomAvailability(room.pk, room_busy.get(room.pk, []))
                    for room in rooms
                    if room.location_id == place.pk
                ]
                if with_rooms
                else None
            ),
            client_busy=client_busy,
        )
        therapists = [
            TherapistAvailability(
                therapist_id=therapist_id,
                zone=zone,
                weekly_hours=weekly_hours,
                time_off=time_off.get(therapist_id, []),
                busy=therapist_busy.get(therapist_id, []),
            )
            for (location_id, therapist_id), weekly_hours in sorted(weekly.items())
            if location_id == place.pk
        ]
        here = {room.pk: room for room in rooms if room.location_id == place.pk}
        searches.append(LocationSearch(place, request, therapists, closed, here))
    return Search(policy, searches)


def free_slots(
    service: Service,
    *,
    start_day: dt.date,
    end_day: dt.date,
    now: dt.datetime,
    location: Location | None = None,
    therapist: Therapist | None = None,
    client: Client | None = None,
    staff: bool = False,
) -> list[FreeSlot]:
    """Every bookable start for `service` on local days `start_day` to `end_day`.

    Without a location, every active location; without a therapist, anyone who practises there.
    With a client, their own appointments block too. Clients see the policy's minimum notice and
    horizon; `staff=True` lifts both (never the past, never an overlap).
    """
    search = load_search(
        service,
        start_day=start_day,
        end_day=end_day,
        location=location,
        therapist=therapist,
        client=client,
        staff=staff,
    )
    return search.find(now)


def nearest_free(
    service: Service,
    location: Location,
    therapist: Therapist | None,
    client: Client | None,
    around: dt.datetime,
    now: dt.datetime,
    *,
    limit: int = 3,
    staff: bool = False,
    ignoring: Appointment | None = None,
    exclude: Sequence[dt.datetime] = (),
    skip_days: Collection[dt.date] = (),
) -> list[FreeSlot]:
    """The `limit` free slots nearest to `around`, looking a week either side, leaving out
    the starts in `exclude` and the local days in `skip_days`.

    Nearest as a person means it: the same day first, closest in time; then the days around
    it, each at the time of day closest to the wanted one (earlier first on a tie). So a
    closed Thursday at 10:00 offers Wednesday and Friday at 10:00 before Wednesday at 15:45.
    """
    day = around.astimezone(location.zone).date()
    today = now.astimezone(location.zone).date()
    start_day = max(day - dt.timedelta(days=NEAREST_WINDOW_DAYS), today)
    end_day = max(day + dt.timedelta(days=NEAREST_WINDOW_DAYS), start_day)
    search = load_search(
        service,
        start_day=start_day,
        end_day=end_day,
        location=location,
        therapist=therapist,
        client=client,
        staff=staff,
        ignoring=ignoring,
        now=now,
    )
    skipped = set(exclude)
    candidates = [slot for slot in search.find(now) if slot.start not in skipped]
    if skip_days:
        candidates = [
            slot
            for slot in candidates
            if slot.start.astimezone(location.zone).date() not in skip_days
        ]
    wanted = around.astimezone(location.zone)

    def distance(slot: FreeSlot) -> tuple[int, float, dt.datetime, int]:
        start = slot.start.astimezone(location.zone)
        days = abs((start.date() - wanted.date()).days)
        if days == 0:
            return (0, abs((slot.start - around).total_seconds()), slot.start, slot.therapist_id)
        minutes = abs((start.hour * 60 + start.minute) - (wanted.hour * 60 + wanted.minute))
        return (days, minutes, slot.start, slot.therapist_id)

    candidates.sort(key=distance)
    return candidates[:limit]
