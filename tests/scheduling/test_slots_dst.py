"""Slots across DST changes in America/New_York (and two zones with odd offsets).

2026-03-08: clocks jump from 02:00 EST (-05:00) to 03:00 EDT (-04:00) at 07:00 UTC.
2026-11-01: clocks fall back from 02:00 EDT (-04:00) to 01:00 EST (-05:00) at 06:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from backcare.scheduling.slots import (
    Interval,
    SlotRequest,
    TherapistAvailability,
    WeeklyHours,
    _day_grid,
    find_slots,
    local_day_to_utc,
    local_interval_to_utc,
    wall_to_utc,
    weekly_series,
)

NY = ZoneInfo("America/New_York")
SPRING_FORWARD = date(2026, 3, 8)
FALL_BACK = date(2026, 11, 1)
EST = timedelta(hours=-5)
EDT = timedelta(hours=-4)
QUARTER = timedelta(minutes=15)
HOUR = timedelta(hours=1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def slots_on(
    day: date,
    starts: time,
    ends: time,
    *,
    zone: ZoneInfo = NY,
    breaks: tuple[tuple[time, time], ...] = (),
) -> list[datetime]:
    therapist = TherapistAvailability(1, zone, [WeeklyHours(day.weekday(), starts, ends, breaks)])
    slot_request = SlotRequest(first_day=day, last_day=day, zone=zone, duration=HOUR)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return [slot.start for slot in find_slots(slot_request, [therapist], now=now)]


def labels(starts: list[datetime], zone: ZoneInfo = NY) -> list[str]:
    return [start.astimezone(zone).strftime("%H:%M%z") for start in starts]


def evenly_spaced(starts: list[datetime], step: timedelta = QUARTER) -> bool:
    return all(b - a == step for a, b in pairwise(starts))


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        pytest.param(date(2026, 3, 1), EST, id="week-before-spring"),
        pytest.param(SPRING_FORWARD, EDT, id="spring-forward-day"),
        pytest.param(date(2026, 10, 25), EDT, id="week-before-fall"),
        pytest.param(FALL_BACK, EST, id="fall-back-day"),
    ],
)
def test_nine_to_five_offers_local_nine_to_four_at_the_day_offset(
    day: date, offset: timedelta
) -> None:
    starts = slots_on(day, time(9), time(17))
    local = [start.astimezone(NY) for start in starts]
    expected_first = datetime.combine(day, time(9), tzinfo=UTC) - offset
    assert len(starts) == 29  # 09:00 to 16:00 every quarter hour
    assert (local[0].time(), local[-1].time()) == (time(9), time(16))
    assert {moment.utcoffset() for moment in local} == {offset}
    assert starts[0] == expected_first
    assert starts[-1] == expected_first + 7 * HOUR
    assert evenly_spaced(starts)


@pytest.mark.parametrize(
    ("day", "wall", "fold", "expected"),
    [
        pytest.param(SPRING_FORWARD, time(1, 59), 0, utc(3, 8, 6, 59), id="before-gap"),
        pytest.param(SPRING_FORWARD, time(2, 0), 0, utc(3, 8, 7), id="gap-start-moves-to-jump"),
        pytest.param(SPRING_FORWARD, time(2, 30), 0, utc(3, 8, 7), id="in-gap-fold0-to-jump"),
        pytest.param(SPRING_FORWARD, time(2, 30), 1, utc(3, 8, 7), id="in-gap-fold1-to-jump"),
        pytest.param(SPRING_FORWARD, time(3, 0), 1, utc(3, 8, 7), id="after-gap"),
        pytest.param(FALL_BACK, time(0, 59), 1, utc(11, 1, 4, 59), id="before-overlap"),
        pytest.param(FALL_BACK, time(1, 0), 0, utc(11, 1, 5), id="overlap-first-occurrence"),
        pytest.param(FALL_BACK, time(1, 0), 1, utc(11, 1, 6), id="overlap-second-occurrence"),
        pytest.param(FALL_BACK, time(1, 30), 0, utc(11, 1, 5, 30), id="mid-overlap-first"),
        pytest.param(FALL_BACK, time(1, 30), 1, utc(11, 1, 6, 30), id="mid-overlap-second"),
        pytest.param(FALL_BACK, time(2, 0), 0, utc(11, 1, 7), id="after-overlap"),
    ],
)
def test_wall_time_to_utc_around_the_changes(
    day: date, wall: time, fold: int, expected: datetime
) -> None:
    assert wall_to_utc(day, wall, NY, fold=fold) == expected


@pytest.mark.parametrize(
    ("day", "starts", "ends", "expected"),
    [
        pytest.param(
            SPRING_FORWARD,
            time(1),
            time(4),
            Interval(utc(3, 8, 6), utc(3, 8, 8)),
            id="across-gap-is-two-real-hours",
        ),
        pytest.param(
            SPRING_FORWARD,
            time(1),
            time(2, 30),
            Interval(utc(3, 8, 6), utc(3, 8, 7)),
            id="ending-in-gap-ends-at-jump",
        ),
        pytest.param(
            SPRING_FORWARD,
            time(2, 30),
            time(4),
            Interval(utc(3, 8, 7), utc(3, 8, 8)),
            id="starting-in-gap-starts-at-jump",
        ),
        pytest.param(SPRING_FORWARD, time(2, 15), time(2, 45), None, id="wholly-in-gap-is-none"),
        pytest.param(
            FALL_BACK,
            time(0, 30),
            time(3),
            Interval(utc(11, 1, 4, 30), utc(11, 1, 8)),
            id="across-overlap-is-three-and-a-half-real-hours",
        ),
        pytest.param(
            FALL_BACK,
            time(1, 15),
            time(1, 45),
            Interval(utc(11, 1, 5, 15), utc(11, 1, 6, 45)),
            id="inside-overlap-runs-first-to-second-occurrence",
        ),
        pytest.param(
            FALL_BACK,
            time(9),
            time(17),
            Interval(utc(11, 1, 14), utc(11, 1, 22)),
            id="ordinary-hours-on-fall-back-day",
        ),
    ],
)
def test_local_hours_to_real_time(
    day: date, starts: time, ends: time, expected: Interval | None
) -> None:
    assert local_interval_to_utc(day, starts, ends, NY) == expected


def test_slots_across_the_spring_gap_skip_the_missing_hour_with_no_hole_or_duplicate() -> None:
    starts = slots_on(SPRING_FORWARD, time(1), time(4))
    assert labels(starts) == ["01:00-0500", "01:15-0500", "01:30-0500", "01:45-0500", "03:00-0400"]
    assert starts[0] == utc(3, 8, 6)
    assert evenly_spaced(starts)


def test_slots_across_the_fall_back_overlap_offer_the_repeated_hour_twice_in_real_time() -> None:
    starts = slots_on(FALL_BACK, time(0, 30), time(3))
    assert labels(starts) == [
        "00:30-0400",
        "00:45-0400",
        "01:00-0400",
        "01:15-0400",
        "01:30-0400",
        "01:45-0400",
        "01:00-0500",
        "01:15-0500",
        "01:30-0500",
        "01:45-0500",
        "02:00-0500",
    ]
    assert starts[0] == utc(11, 1, 4, 30)
    assert starts[-1] + HOUR == utc(11, 1, 8)
    assert evenly_spaced(starts)
    assert len(set(starts)) == len(starts)


def test_a_break_in_the_repeated_hour_covers_both_occurrences() -> None:
    starts = slots_on(FALL_BACK, time(0), time(3), breaks=((time(1), time(1, 30)),))
    # The break runs from 01:00 EDT (05:00 UTC) to 01:30 EST (06:30 UTC).
    assert labels(starts) == ["00:00-0400", "01:30-0500", "01:45-0500", "02:00-0500"]
    assert starts[0] + HOUR == utc(11, 1, 5)
    assert starts[1] == utc(11, 1, 6, 30)


@pytest.mark.parametrize(
    ("day", "length"),
    [
        pytest.param(SPRING_FORWARD, timedelta(hours=23), id="spring-forward-day-is-23h"),
        pytest.param(FALL_BACK, timedelta(hours=25), id="fall-back-day-is-25h"),
        pytest.param(date(2026, 6, 1), timedelta(hours=24), id="ordinary-day-is-24h"),
    ],
)
def test_a_local_day_lasts_its_real_length(day: date, length: timedelta) -> None:
    assert local_day_to_utc(day, NY).duration == length


@pytest.mark.parametrize(
    ("day", "starts", "length"),
    [
        pytest.param(date(2026, 3, 8), utc(3, 8, 5), timedelta(hours=23), id="missing-midnight"),
        pytest.param(date(2026, 10, 31), utc(10, 31, 4), timedelta(hours=24), id="day-before"),
        pytest.param(date(2026, 11, 1), utc(11, 1, 4), timedelta(hours=25), id="twice-midnight"),
    ],
)
def test_havana_days_start_at_the_first_midnight_or_at_the_jump(
    day: date, starts: datetime, length: timedelta
) -> None:
    """Cuba changes clocks at midnight: 00:00 is missing in March and happens twice in November."""
    havana = ZoneInfo("America/Havana")
    assert local_day_to_utc(day, havana) == Interval(starts, starts + length)


def test_closing_the_spring_forward_day_closes_only_that_day() -> None:
    monday = SPRING_FORWARD + timedelta(days=1)
    therapist = TherapistAvailability(
        1, NY, [WeeklyHours(6, time(1), time(4)), WeeklyHours(0, time(0), time(1))]
    )
    slot_request = SlotRequest(
        first_day=SPRING_FORWARD,
        last_day=monday,
        zone=NY,
        duration=HOUR,
        closures=(SPRING_FORWARD,),
    )
    found = find_slots(slot_request, [therapist], now=utc(1, 1, 0))
    assert [slot.start for slot in found] == [utc(3, 9, 4)]


@pytest.mark.parametrize(
    ("first", "expected_utc_hours"),
    [
        pytest.param(datetime(2026, 3, 1, 10, tzinfo=NY), [15, 14, 14], id="across-spring"),
        pytest.param(datetime(2026, 10, 25, 10, tzinfo=NY), [14, 15, 15], id="across-fall"),
    ],
)
def test_weekly_series_keeps_local_ten_oclock(
    first: datetime, expected_utc_hours: list[int]
) -> None:
    series = weekly_series(first, 3, timedelta(days=7), NY, HOUR)
    assert [interval.start.hour for interval in series] == expected_utc_hours
    assert {interval.start.astimezone(NY).time() for interval in series} == {time(10)}
    assert all(interval.duration == HOUR for interval in series)


def test_daily_series_at_half_past_two_starts_at_the_jump_on_the_missing_day() -> None:
    first = datetime(2026, 3, 7, 2, 30, tzinfo=NY)
    series = weekly_series(first, 3, timedelta(days=1), NY, HOUR)
    assert [interval.start for interval in series] == [
        utc(3, 7, 7, 30),
        utc(3, 8, 7),
        utc(3, 9, 6, 30),
    ]


def test_series_in_the_repeated_hour_keeps_the_occurrence_of_its_first_appointment() -> None:
    second_occurrence = datetime(2026, 10, 25, 1, 30, tzinfo=NY).replace(fold=1)
    series = weekly_series(second_occurrence, 2, timedelta(days=7), NY, HOUR)
    assert [interval.start for interval in series] == [utc(10, 25, 5, 30), utc(11, 1, 6, 30)]
    first_occurrence = datetime(2026, 10, 31, 1, 30, tzinfo=NY)
    series = weekly_series(first_occurrence, 2, timedelta(days=1), NY, HOUR)
    assert [interval.start for interval in series] == [utc(10, 31, 5, 30), utc(11, 1, 5, 30)]


def test_weekly_series_refuses_a_step_that_is_not_whole_days() -> None:
    with pytest.raises(ValueError, match="whole number of days"):
        weekly_series(datetime(2026, 3, 1, 10, tzinfo=NY), 2, timedelta(hours=36), NY, HOUR)


def test_grid_is_the_local_wall_clock_in_a_half_hour_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    starts = slots_on(date(2026, 6, 1), time(9, 5), time(11), zone=kolkata)
    assert labels(starts, kolkata) == ["09:15+0530", "09:30+0530", "09:45+0530", "10:00+0530"]
    assert starts[0] == utc(6, 1, 3, 45)


def test_hourly_grid_in_a_half_hour_zone_starts_on_local_hours_not_utc_hours() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    therapist = TherapistAvailability(1, kolkata, [WeeklyHours(0, time(8, 45), time(12))])
    slot_request = SlotRequest(
        first_day=date(2026, 6, 1),
        last_day=date(2026, 6, 1),
        zone=kolkata,
        duration=HOUR,
        grid=HOUR,
    )
    found = find_slots(slot_request, [therapist], now=utc(1, 1, 0))
    assert labels([slot.start for slot in found], kolkata) == [
        "09:00+0530",
        "10:00+0530",
        "11:00+0530",
    ]


def test_half_hour_spring_forward_in_lord_howe_keeps_the_local_grid() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 +10:30 jumps to 02:30 +11:00
    starts = slots_on(date(2026, 10, 4), time(1), time(4), zone=lord_howe)
    assert labels(starts, lord_howe) == [
        "01:00+1030",
        "01:15+1030",
        "01:30+1030",
        "01:45+1030",
        "02:30+1100",
        "02:45+1100",
        "03:00+1100",
    ]
    assert evenly_spaced(starts)


@pytest.mark.parametrize(
    ("day", "quarters"),
    [
        pytest.param(date(2026, 6, 1), 96, id="ordinary-day"),
        pytest.param(SPRING_FORWARD, 92, id="spring-forward-day"),
        pytest.param(FALL_BACK, 100, id="fall-back-day"),
    ],
)
def test_a_day_grid_holds_every_quarter_hour_the_clocks_show_in_order(
    day: date, quarters: int
) -> None:
    """The grid a search bisects: the missing hour has no quarters, the repeated one has two."""
    grid = list(_day_grid(day, NY, QUARTER))
    whole_day = local_day_to_utc(day, NY)
    assert len(grid) == quarters
    assert (grid[0], grid[-1]) == (whole_day.start, whole_day.end - QUARTER)
    assert evenly_spaced(grid)
    assert all(instant.astimezone(NY).minute % 15 == 0 for instant in grid)


def test_an_hourly_day_grid_skips_the_half_hour_jump_in_lord_howe() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 +10:30 jumps to 02:30 +11:00
    grid = _day_grid(date(2026, 10, 4), lord_howe, HOUR)
    assert labels(list(grid[:4]), lord_howe) == [
        "00:00+1030",
        "01:00+1030",
        "03:00+1100",
        "04:00+1100",
    ]
    assert len(grid) == 23
