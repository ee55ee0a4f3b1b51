"""Public holidays by state, and whether a session falls on given local days: pure, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from backcare.scheduling.calendar_days import falls_on_days, public_holidays

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC
D = dt.date


@pytest.mark.parametrize(
    ("state", "day", "name"),
    [
        ("GA", D(2026, 12, 25), "Christmas Day"),
        ("GA", D(2027, 1, 1), "New Year's Day"),
        ("GA", D(2026, 11, 26), "Thanksgiving Day"),
        ("GA", D(2026, 7, 3), "Independence Day (observed)"),  # the 4th is a Saturday
        ("GA", D(2026, 11, 27), "State Holiday"),  # Georgia's own, the day after Thanksgiving
        ("MA", D(2026, 4, 20), "Patriots' Day"),  # Massachusetts' own
        ("CA", D(2026, 3, 31), "Cesar Chavez Day"),
    ],
)
def test_a_states_public_holidays_are_named(state: str, day: dt.date, name: str) -> None:
    assert public_holidays(state, day, day) == {day: name}


def test_another_states_own_holiday_is_a_working_day() -> None:
    assert public_holidays("GA", D(2026, 4, 20), D(2026, 4, 20)) == {}  # Patriots' Day, MA only


def test_an_unknown_state_gets_the_federal_holidays() -> None:
    found = public_holidays("ZZ", D(2026, 12, 1), D(2027, 1, 31))
    assert found[D(2026, 12, 25)] == "Christmas Day"
    assert D(2026, 12, 24) not in found  # Georgia's Washington's Birthday is not federal


def test_holidays_across_the_new_year_are_found_in_both_years() -> None:
    found = public_holidays("GA", D(2026, 12, 20), D(2027, 1, 10))
    assert list(found) == [D(2026, 12, 24), D(2026, 12, 25), D(2027, 1, 1)]


def test_an_empty_range_has_no_holidays() -> None:
    assert public_holidays("GA", D(2026, 12, 26), D(2026, 12, 25)) == {}


def at(zone: ZoneInfo, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


CHRISTMAS = D(2026, 12, 25)


@pytest.mark.parametrize(
    ("starts", "ends", "zone", "falls"),
    [
        (at(NEW_YORK, CHRISTMAS, 10), at(NEW_YORK, CHRISTMAS, 11), NEW_YORK, True),
        (at(NEW_YORK, D(2026, 12, 24), 23), at(NEW_YORK, CHRISTMAS, 0, 30), NEW_YORK, True),
        (at(NEW_YORK, D(2026, 12, 24), 23), at(NEW_YORK, CHRISTMAS, 0), NEW_YORK, False),
        (at(NEW_YORK, D(2026, 12, 26), 0), at(NEW_YORK, D(2026, 12, 26), 1), NEW_YORK, False),
        # 23:00 in Los Angeles on Christmas Eve is already Christmas Day in UTC, not there.
        (
            at(LOS_ANGELES, D(2026, 12, 24), 22),
            at(LOS_ANGELES, D(2026, 12, 24), 23),
            LOS_ANGELES,
            False,
        ),
        # 19:00 on Christmas Day in Los Angeles is the 26th in UTC, but Christmas there.
        (
            dt.datetime(2026, 12, 26, 3, tzinfo=UTC),
            dt.datetime(2026, 12, 26, 4, tzinfo=UTC),
            LOS_ANGELES,
            True,
        ),
    ],
)
def test_a_session_falls_on_a_local_day_in_its_own_zone(
    starts: dt.datetime, ends: dt.datetime, zone: ZoneInfo, falls: bool
) -> None:
    assert falls_on_days(starts, ends, zone, CHRISTMAS, CHRISTMAS) is falls


def test_falls_on_days_wants_aware_times() -> None:
    naive = dt.datetime(2026, 12, 25, 10)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(ValueError, match="aware"):
        falls_on_days(naive, naive + dt.timedelta(hours=1), NEW_YORK, CHRISTMAS, CHRISTMAS)
