"""Slot maths without a database: tables for each rule, properties for the sweep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.scheduling.slots import (
    Interval,
    RoomAvailability,
    Slot,
    SlotRequest,
    TherapistAvailability,
    WeeklyHours,
    find_slots,
    intersect,
    local_day_to_utc,
    local_interval_to_utc,
    merge,
    subtract,
)
from tests.scheduling.clinic_week import NOW

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 6, 1)
SUNDAY_BEFORE = date(2026, 5, 31)
MINUTE = timedelta(minutes=1)


def clock(hhmm: str) -> time:
    hour, minute = hhmm.split(":")
    return time(int(hour), int(minute))


def at(hhmm: str, day: date = MONDAY) -> datetime:
    """The UTC instant of a New York wall-clock time (no DST change near MONDAY)."""
    return datetime.combine(day, clock(hhmm), tzinfo=NY).astimezone(UTC)


def span(starts: str, ends: str, day: date = MONDAY) -> Interval:
    return Interval(at(starts, day), at(ends, day))


def hours(
    starts: str, ends: str, *breaks: tuple[str, str], weekday: int = MONDAY.weekday()
) -> WeeklyHours:
    return WeeklyHours(
        weekday, clock(starts), clock(ends), tuple((clock(a), clock(b)) for a, b in breaks)
    )


def therapist(
    *weekly: WeeklyHours,
    therapist_id: int = 1,
    time_off: tuple[Interval, ...] = (),
    busy: tuple[Interval, ...] = (),
    zone: ZoneInfo = NY,
) -> TherapistAvailability:
    return TherapistAvailability(therapist_id, zone, weekly, time_off=time_off, busy=busy)


def request(**overrides: Any) -> SlotRequest:
    fields: dict[str, Any] = {
        "first_day": MONDAY,
        "last_day": MONDAY,
        "zone": NY,
        "duration": timedelta(minutes=60),
    }
    return SlotRequest(**(fields | overrides))


def local_starts(slots: list[Slot]) -> list[str]:
    return [slot.start.astimezone(NY).strftime("%H:%M") for slot in slots]


def starts_for(
    weekly: tuple[WeeklyHours, ...],
    *,
    time_off: tuple[Interval, ...] = (),
    busy: tuple[Interval, ...] = (),
    now: datetime = NOW,
    **request_fields: Any,
) -> list[str]:
    found = find_slots(
        request(**request_fields), [therapist(*weekly, time_off=time_off, busy=busy)], now=now
    )
    return local_starts(found)


NINE_TO_ELEVEN = ["09:00", "09:15", "09:30", "09:45", "10:00"]
NINE_TO_NOON = [*NINE_TO_ELEVEN, "10:15", "10:30", "10:45", "11:00"]
FIFTEEN = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param({"weekly": (hours("09:00", "11:00"),)}, NINE_TO_ELEVEN, id="hours-only"),
        pytest.param(
            {"weekly": (hours("09:00", "11:00", weekday=1),)}, [], id="other-weekday-no-hours"
        ),
        pytest.param(
            {"weekly": (hours("09:00", "10:00"), hours("14:00", "15:00"))},
            ["09:00", "14:00"],
            id="split-shift",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "13:00", ("10:30", "11:30")),)},
            ["09:00", "09:15", "09:30", "11:30", "11:45", "12:00"],
            id="break",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "time_off": (span("10:00", "11:00"),)},
            ["09:00", "11:00"],
            id="time-off-part-of-day",
        ),
        pytest.param(
            {
                "weekly": (hours("09:00", "12:00"),),
                "time_off": (Interval(at("00:00", SUNDAY_BEFORE), at("18:00")),),
            },
            [],
            id="time-off-whole-day",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "11:00"),), "closures": (MONDAY,)}, [], id="closed-day"
        ),
        pytest.param(
            {"weekly": (hours("09:00", "11:00"),), "closures": (SUNDAY_BEFORE,)},
            NINE_TO_ELEVEN,
            id="closed-other-day",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "closures": (span("09:00", "10:30"),)},
            ["10:30", "10:45", "11:00"],
            id="closed-interval",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "busy": (span("09:00", "10:00"),)},
            ["10:00", "10:15", "10:30", "10:45", "11:00"],
            id="appointment-without-buffer",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "busy": (span("09:00", "10:15"),)},
            ["10:15", "10:30", "10:45", "11:00"],
            id="appointment-buffer-blocks-following-slot",
        ),
        pytest.param(
            {
                "weekly": (hours("09:00", "12:00"),),
                "busy": (span("11:00", "12:00"),),
                "buffer_after": FIFTEEN,
            },
            ["09:00", "09:15", "09:30", "09:45"],
            id="new-buffer-must-end-before-next-appointment",
        ),
        pytest.param(
            {
                "weekly": (hours("09:00", "12:00"),),
                "now": at("08:50"),
                "minimum_notice": timedelta(hours=1),
            },
            ["10:00", "10:15", "10:30", "10:45", "11:00"],
            id="minimum-notice-rounds-up-to-grid",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "now": at("10:20")},
            ["10:30", "10:45", "11:00"],
            id="past-starts-never-offered",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00"),), "now": at("09:00")},
            NINE_TO_NOON,
            id="start-at-now-is-offered",
        ),
        pytest.param(
            {
                "weekly": (hours("09:00", "12:00"),),
                "now": at("10:00", SUNDAY_BEFORE),
                "horizon": timedelta(hours=24),
            },
            NINE_TO_ELEVEN,
            id="horizon-includes-its-last-instant",
        ),
        pytest.param(
            {"weekly": (hours("09:10", "11:00"),)},
            ["09:15", "09:30", "09:45", "10:00"],
            id="grid-aligns-odd-opening-time",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "11:00"),), "grid": timedelta(minutes=30)},
            ["09:00", "09:30", "10:00"],
            id="coarser-grid",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "10:30"),)},
            ["09:00", "09:15", "09:30"],
            id="slot-ending-past-closing-excluded",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "11:00"),), "buffer_after": FIFTEEN},
            ["09:00", "09:15", "09:30", "09:45"],
            id="buffer-must-fit-inside-hours",
        ),
        pytest.param(
            {"weekly": (hours("09:00", "12:00", ("11:00", "12:00")),), "buffer_after": FIFTEEN},
            ["09:00", "09:15", "09:30", "09:45"],
            id="buffer-must-not-run-into-break",
        ),
    ],
)
def test_slot_rules(case: dict[str, Any], expected: list[str]) -> None:
    assert starts_for(**case) == expected


@pytest.mark.parametrize(
    ("rooms", "expected"),
    [
        pytest.param(None, [("09:00", ())], id="service-needs-no-room"),
        pytest.param([], [], id="needs-a-room-but-clinic-has-none"),
        pytest.param(
            [
                RoomAvailability(1, (span("09:00", "10:00"),)),
                RoomAvailability(2, (span("09:30", "09:45"),)),
            ],
            [],
            id="every-room-busy",
        ),
        pytest.param(
            [RoomAvailability(1, (span("09:00", "10:00"),)), RoomAvailability(2)],
            [("09:00", (2,))],
            id="one-room-free",
        ),
        pytest.param(
            [RoomAvailability(1), RoomAvailability(2, (span("10:15", "11:00"),))],
            [("09:00", (1, 2))],
            id="all-rooms-free",
        ),
        pytest.param(
            [RoomAvailability(1, (span("10:00", "10:15"),))],
            [],
            id="room-busy-during-the-buffer",
        ),
    ],
)
def test_rooms_must_be_free_for_duration_and_buffer(
    rooms: list[RoomAvailability] | None, expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    found = find_slots(
        request(rooms=rooms, buffer_after=FIFTEEN),
        [therapist(hours("09:00", "10:15"))],
        now=NOW,
    )
    assert [
        (label, slot.room_ids) for label, slot in zip(local_starts(found), found, strict=True)
    ] == expected


def test_client_own_appointment_blocks_every_therapist() -> None:
    therapists = [
        therapist(hours("09:00", "12:00"), therapist_id=1),
        therapist(hours("09:00", "12:00"), therapist_id=2),
    ]
    found = find_slots(request(client_busy=(span("09:30", "10:30"),)), therapists, now=NOW)
    assert [
        (label, slot.therapist_id) for label, slot in zip(local_starts(found), found, strict=True)
    ] == [
        ("10:30", 1),
        ("10:30", 2),
        ("10:45", 1),
        ("10:45", 2),
        ("11:00", 1),
        ("11:00", 2),
    ]


def test_client_needs_only_the_duration_not_the_buffer() -> None:
    found = find_slots(
        request(client_busy=(span("10:00", "11:00"),), buffer_after=FIFTEEN),
        [therapist(hours("09:00", "11:00"))],
        now=NOW,
    )
    assert local_starts(found) == ["09:00"]


def test_any_therapist_merges_slots_sorted_by_start_then_therapist() -> None:
    therapists = [
        therapist(hours("10:00", "11:00"), therapist_id=7),
        therapist(hours("09:30", "10:30"), therapist_id=3),
        therapist(hours("10:00", "11:00"), therapist_id=5),
    ]
    found = find_slots(request(), therapists, now=NOW)
    assert [(slot.start, slot.therapist_id) for slot in found] == [
        (at("09:30"), 3),
        (at("10:00"), 5),
        (at("10:00"), 7),
    ]


def test_slot_lasts_the_duration_in_utc() -> None:
    found = find_slots(
        request(duration=timedelta(minutes=50), buffer_after=timedelta(minutes=10)),
        [therapist(hours("09:00", "10:00"), therapist_id=4)],
        now=NOW,
    )
    assert found == [Slot(at("09:00"), at("09:50"), 4)]
    assert found[0].start.tzinfo is UTC


def test_date_range_includes_both_ends_and_follows_weekdays() -> None:
    wednesday = MONDAY + timedelta(days=2)
    found = find_slots(
        request(last_day=wednesday, grid=timedelta(hours=1)),
        [therapist(hours("09:00", "10:00", weekday=0), hours("09:00", "10:00", weekday=2))],
        now=NOW,
    )
    assert [slot.start for slot in found] == [at("09:00"), at("09:00", wednesday)]


def test_hours_are_read_in_the_therapist_zone_and_gridded_in_the_location_zone() -> None:
    chicago = ZoneInfo("America/Chicago")
    found = find_slots(request(), [therapist(hours("09:00", "10:30"), zone=chicago)], now=NOW)
    assert local_starts(found) == ["10:00", "10:15", "10:30"]


def test_the_same_hours_in_two_zones_stay_each_therapist_own() -> None:
    """Therapists with equal hours share their working time only within one zone."""
    chicago = ZoneInfo("America/Chicago")
    nine_to_ten = hours("09:00", "10:00")
    found = find_slots(
        request(),
        [
            therapist(nine_to_ten, therapist_id=1),
            therapist(nine_to_ten, therapist_id=2, zone=chicago),
            therapist(nine_to_ten, therapist_id=3),
        ],
        now=NOW,
    )
    assert list(zip(local_starts(found), [slot.therapist_id for slot in found], strict=True)) == [
        ("09:00", 1),
        ("09:00", 3),
        ("10:00", 2),
    ]


def test_one_busy_room_is_left_out_of_every_therapist_slot_at_that_start() -> None:
    rooms = [RoomAvailability(1, (span("09:00", "10:00"),)), RoomAvailability(2)]
    found = find_slots(
        request(rooms=rooms),
        [therapist(hours("09:00", "10:00"), therapist_id=t) for t in (1, 2)],
        now=NOW,
    )
    assert [(slot.therapist_id, slot.room_ids) for slot in found] == [(1, (2,)), (2, (2,))]


def test_hours_from_the_therapist_previous_local_day_count_in_the_location_day() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    sunday_evening = hours("20:00", "21:00", weekday=SUNDAY_BEFORE.weekday())
    found = find_slots(request(zone=kolkata), [therapist(sunday_evening)], now=NOW)
    # 20:00 EDT on Sunday is 05:30 IST on Monday.
    assert [slot.start.astimezone(kolkata).isoformat() for slot in found] == [
        "2026-06-01T05:30:00+05:30"
    ]


def test_interval_is_normalised_to_utc_and_rejects_naive_or_empty() -> None:
    assert span("09:00", "10:00").start.tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime.fromisoformat("2026-06-01T09:00"), at("10:00"))
    with pytest.raises(ValueError, match="end after"):
        Interval(at("10:00"), at("10:00"))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"last_day": SUNDAY_BEFORE}, id="range-backwards"),
        pytest.param({"duration": timedelta(0)}, id="no-duration"),
        pytest.param({"buffer_after": -FIFTEEN}, id="negative-buffer"),
        pytest.param({"grid": timedelta(minutes=7)}, id="grid-not-dividing-a-day"),
        pytest.param({"minimum_notice": -FIFTEEN}, id="negative-notice"),
        pytest.param({"horizon": -FIFTEEN}, id="negative-horizon"),
    ],
)
def test_request_rejects_impossible_limits(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        request(**fields)


def test_closure_as_a_datetime_is_refused_not_read_as_a_day() -> None:
    with pytest.raises(TypeError):
        find_slots(request(closures=(at("09:00"),)), [], now=NOW)


def test_find_slots_requires_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        find_slots(request(), [], now=datetime.fromisoformat("2026-06-01T09:00"))


# --- Interval arithmetic properties -----------------------------------------------------------

BASE = datetime(2026, 6, 1, tzinfo=UTC)

minute_intervals = st.lists(
    st.builds(
        lambda start, length: Interval(BASE + start * MINUTE, BASE + (start + length) * MINUTE),
        st.integers(0, 240),
        st.integers(1, 90),
    ),
    max_size=10,
)


def minutes_covered(intervals: list[Interval]) -> set[int]:
    covered: set[int] = set()
    for interval in intervals:
        covered.update(range((interval.start - BASE) // MINUTE, (interval.end - BASE) // MINUTE))
    return covered


def is_sorted_and_apart(intervals: list[Interval]) -> bool:
    return all(a.end < b.start for a, b in pairwise(intervals))


@given(minute_intervals)
def test_merge_covers_the_same_time_sorted_and_apart(intervals: list[Interval]) -> None:
    merged = merge(intervals)
    assert is_sorted_and_apart(merged)
    assert minutes_covered(merged) == minutes_covered(intervals)


@given(minute_intervals, minute_intervals)
def test_subtract_is_inside_free_and_clear_of_busy(
    free: list[Interval], busy: list[Interval]
) -> None:
    result = subtract(free, busy)
    assert is_sorted_and_apart(result)
    assert not any(r.overlaps(b) for r in result for b in busy)
    assert all(any(f.contains(r) for f in merge(free)) for r in result)
    assert minutes_covered(result) == minutes_covered(free) - minutes_covered(busy)


@given(minute_intervals, minute_intervals)
def test_intersect_is_the_time_in_both(a: list[Interval], b: list[Interval]) -> None:
    result = intersect(a, b)
    assert is_sorted_and_apart(result)
    assert result == intersect(b, a)
    assert minutes_covered(result) == minutes_covered(a) & minutes_covered(b)


# --- find_slots properties --------------------------------------------------------------------

ZONES = [NY, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")]
# Days around DST changes in those zones, and an ordinary week.
FIRST_DAYS = [
    date(2026, 3, 7),
    date(2026, 3, 8),
    date(2026, 4, 4),
    date(2026, 10, 3),
    date(2026, 10, 31),
    date(2026, 11, 1),
    MONDAY,
]


@st.composite
def weekly_hours(draw: st.DrawFn, earliest: int = 0, latest: int = 24 * 60 - 1) -> WeeklyHours:
    """One weekday's hours between `earliest` and `latest` minutes after midnight."""
    starts = draw(st.integers(earliest, latest - 1))
    ends = draw(st.integers(starts + 1, latest))
    breaks = []
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.integers(starts, ends - 1))
        b = draw(st.integers(a + 1, ends))
        breaks.append((time(a // 60, a % 60), time(b // 60, b % 60)))
    return WeeklyHours(
        draw(st.integers(0, 6)),
        time(starts // 60, starts % 60),
        time(ends // 60, ends % 60),
        tuple(breaks),
    )


@st.composite
def scenarios(
    draw: st.DrawFn, earliest: int = 0, latest: int = 24 * 60 - 1
) -> tuple[SlotRequest, list[TherapistAvailability], datetime]:
    zone = draw(st.sampled_from(ZONES))
    first_day = draw(st.sampled_from(FIRST_DAYS))
    last_day = first_day + timedelta(days=draw(st.integers(0, 2)))
    origin = local_day_to_utc(first_day, zone).start

    def intervals(max_size: int) -> st.SearchStrategy[list[Interval]]:
        return st.lists(
            st.builds(
                lambda start, length: Interval(
                    origin + start * MINUTE, origin + (start + length) * MINUTE
                ),
                st.integers(-24 * 60, 4 * 24 * 60),
                st.integers(5, 240),
            ),
            max_size=max_size,
        )

    therapists = []
    for therapist_id in range(1, draw(st.integers(1, 3)) + 1):
        days = draw(
            st.lists(weekly_hours(earliest, latest), max_size=7, unique_by=lambda h: h.weekday)
        )
        therapists.append(
            TherapistAvailability(
                therapist_id,
                zone,
                days,
                time_off=draw(intervals(2)),
                busy=draw(intervals(6)),
            )
        )
    rooms = draw(
        st.none()
        | st.lists(
            st.builds(RoomAvailability, st.integers(1, 9), intervals(3)),
            max_size=2,
            unique_by=lambda room: room.room_id,
        )
    )
    closures: list[date | Interval] = draw(
        st.lists(st.sampled_from([first_day, last_day + timedelta(days=1)]), max_size=1)
    )
    closures.extend(draw(intervals(1)))
    slot_request = SlotRequest(
        first_day=first_day,
        last_day=last_day,
        zone=zone,
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 50, 60, 90]))),
        grid=timedelta(minutes=draw(st.sampled_from([15, 15, 30, 60]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 10, 15, 30]))),
        minimum_notice=timedelta(hours=draw(st.sampled_from([0, 2, 24]))),
        horizon=draw(st.sampled_from([None, timedelta(days=1), timedelta(days=2)])),
        closures=closures,
        rooms=rooms,
        client_busy=draw(intervals(3)),
    )
    now = origin + draw(st.integers(-2 * 24 * 60, 2 * 24 * 60)) * MINUTE
    return slot_request, therapists, now


def overlaps_any(candidate: Interval, intervals: Iterable[Interval]) -> bool:
    return any(candidate.overlaps(interval) for interval in intervals)


def brute_force_slots(
    slot_request: SlotRequest, therapists: list[TherapistAvailability], now: datetime
) -> list[Slot]:
    """Every quarter-hour instant checked against every rule one by one: slow but obvious."""
    zone = slot_request.zone
    needed = slot_request.duration + slot_request.buffer_after
    grid_minutes = slot_request.grid // MINUTE
    closed = [
        c if isinstance(c, Interval) else local_day_to_utc(c, zone) for c in slot_request.closures
    ]
    found = []
    candidate = local_day_to_utc(slot_request.first_day, zone).start
    stop = local_day_to_utc(slot_request.last_day, zone).end
    while candidate < stop:
        local = candidate.astimezone(zone)
        on_grid = (local.hour * 60 + local.minute) % grid_minutes == 0 and local.second == 0
        in_range = slot_request.first_day <= local.date() <= slot_request.last_day
        in_time = candidate >= now + slot_request.minimum_notice and (
            slot_request.horizon is None or candidate <= now + slot_request.horizon
        )
        whole = Interval(candidate, candidate + needed)
        treatment = Interval(candidate, candidate + slot_request.duration)
        if (
            on_grid
            and in_range
            and in_time
            and not overlaps_any(treatment, slot_request.client_busy)
        ):
            room_ids: tuple[int, ...] = ()
            if slot_request.rooms is not None:
                room_ids = tuple(
                    room.room_id
                    for room in slot_request.rooms
                    if not overlaps_any(whole, room.busy)
                )
            for t in therapists:
                if slot_request.rooms is not None and not room_ids:
                    continue
                if overlaps_any(whole, [*t.time_off, *t.busy, *closed]):
                    continue
                if any(
                    within_hours(whole, day, hours, t.zone)
                    for day in (local.date() - timedelta(days=1), local.date())
                    for hours in t.weekly_hours
                    if hours.weekday == day.weekday()
                ):
                    found.append(Slot(candidate, treatment.end, t.therapist_id, room_ids))
        candidate += timedelta(minutes=15)
    return sorted(found, key=lambda slot: (slot.start, slot.therapist_id))


def within_hours(whole: Interval, day: date, hours: WeeklyHours, zone: ZoneInfo) -> bool:
    working = local_interval_to_utc(day, hours.starts, hours.ends, zone)
    if working is None or not working.contains(whole):
        return False
    breaks = [local_interval_to_utc(day, a, b, zone) for a, b in hours.breaks]
    return not overlaps_any(whole, [b for b in breaks if b is not None])


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_find_slots_matches_checking_every_grid_instant_by_hand(
    scenario: tuple[SlotRequest, list[TherapistAvailability], datetime],
) -> None:
    slot_request, therapists, now = scenario
    assert find_slots(slot_request, therapists, now=now) == brute_force_slots(
        slot_request, therapists, now
    )


@settings(deadline=None)
@given(scenarios(earliest=6 * 60, latest=22 * 60))
def test_slots_stay_inside_wall_clock_hours_clear_of_breaks_and_busy_time(
    scenario: tuple[SlotRequest, list[TherapistAvailability], datetime],
) -> None:
    """Checked on the wall clock minute by minute, independently of the UTC conversion."""
    slot_request, therapists, now = scenario
    zone = slot_request.zone
    needed = slot_request.duration + slot_request.buffer_after
    by_id = {t.therapist_id: t for t in therapists}
    found = find_slots(slot_request, therapists, now=now)

    keys = [(slot.start, slot.therapist_id) for slot in found]
    assert keys == sorted(set(keys))
    for slot in found:
        local_start = slot.start.astimezone(zone)
        since_midnight = timedelta(hours=local_start.hour, minutes=local_start.minute)
        assert since_midnight % slot_request.grid == timedelta(0)
        assert (local_start.second, local_start.microsecond) == (0, 0)
        assert slot.end - slot.start == slot_request.duration
        assert slot.start >= now + slot_request.minimum_notice
        t = by_id[slot.therapist_id]
        whole = Interval(slot.start, slot.start + needed)
        assert not overlaps_any(whole, [*t.time_off, *t.busy])
        assert not overlaps_any(Interval(slot.start, slot.end), slot_request.client_busy)
        moments = [slot.start + step * MINUTE for step in range(needed // MINUTE)]
        for moment in [*moments, whole.end - timedelta(microseconds=1)]:
            local = moment.astimezone(zone)
            (day_hours,) = [h for h in t.weekly_hours if h.weekday == local.weekday()]
            wall = local.time()
            assert day_hours.starts <= wall < day_hours.ends
            assert not any(a <= wall < b for a, b in day_hours.breaks)
