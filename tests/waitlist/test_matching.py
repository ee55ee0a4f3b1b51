"""Which waitlisted client a freed slot goes to: pure matching, no database (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.waitlist.matching import (
    Opening,
    TimeOfDay,
    Wish,
    first_come_first_served,
    matches,
    offer_expires_at,
    time_of_day,
)

ATLANTA = ZoneInfo("America/New_York")
MIDTOWN, DECATUR = 1, 2
TESS, THEO = 10, 11
ASKED = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
ALL = frozenset(TimeOfDay)
M, A, E = TimeOfDay.MORNING, TimeOfDay.AFTERNOON, TimeOfDay.EVENING


def wish(
    entry_id: int = 1,
    *,
    location: int = MIDTOWN,
    therapist: int | None = None,
    earliest: dt.date = dt.date(2026, 5, 25),
    latest: dt.date = dt.date(2026, 6, 5),
    times: frozenset[TimeOfDay] = ALL,
    asked: dt.datetime = ASKED,
) -> Wish:
    return Wish(entry_id, asked, location, therapist, earliest, latest, times)


def opening(
    day: dt.date = dt.date(2026, 5, 26),
    at: dt.time = dt.time(10),
    *,
    location: int = MIDTOWN,
    therapist: int = TESS,
) -> Opening:
    local = dt.datetime.combine(day, at, tzinfo=ATLANTA)
    return Opening(location, therapist, local.astimezone(dt.UTC), ATLANTA)


@pytest.mark.parametrize(
    ("local_start", "expected"),
    [
        (dt.time(0, 0), M),
        (dt.time(8, 0), M),
        (dt.time(11, 45), M),
        (dt.time(12, 0), A),
        (dt.time(16, 45), A),
        (dt.time(17, 0), E),
        (dt.time(19, 30), E),
    ],
)
def test_times_of_day_split_at_noon_and_five(local_start: dt.time, expected: TimeOfDay) -> None:
    assert time_of_day(local_start) == expected


@pytest.mark.parametrize(
    ("case", "the_wish", "the_opening", "expected"),
    [
        ("anyone, any time, inside the dates", wish(), opening(), True),
        ("another location", wish(location=DECATUR), opening(), False),
        ("the therapist asked for", wish(therapist=TESS), opening(), True),
        ("another therapist asked for", wish(therapist=THEO), opening(), False),
        ("on the first day", wish(earliest=dt.date(2026, 5, 26)), opening(), True),
        ("on the last day", wish(latest=dt.date(2026, 5, 26)), opening(), True),
        ("the day before the window", wish(earliest=dt.date(2026, 5, 27)), opening(), False),
        ("the day after the window", wish(latest=dt.date(2026, 5, 25)), opening(), False),
        ("mornings only, a morning", wish(times=frozenset({M})), opening(at=dt.time(9)), True),
        ("mornings only, at noon", wish(times=frozenset({M})), opening(at=dt.time(12)), False),
        ("afternoons, at noon", wish(times=frozenset({A})), opening(at=dt.time(12)), True),
        ("afternoons, at five", wish(times=frozenset({A})), opening(at=dt.time(17)), False),
        ("evenings, at five", wish(times=frozenset({E})), opening(at=dt.time(17)), True),
        (
            "mornings or evenings, 2 PM",
            wish(times=frozenset({M, E})),
            opening(at=dt.time(14)),
            False,
        ),
        # 21:00 on May 26 in Atlanta is 01:00 UTC on May 27: the local date is what counts.
        (
            "late evening, local date not UTC date",
            wish(latest=dt.date(2026, 5, 26), times=frozenset({E})),
            opening(at=dt.time(21)),
            True,
        ),
        # Spring forward, 8 March 2026: 08:00 EDT is 12:00 UTC, still a morning locally.
        (
            "the morning after the clocks go forward",
            wish(earliest=dt.date(2026, 3, 8), latest=dt.date(2026, 3, 8), times=frozenset({M})),
            opening(dt.date(2026, 3, 8), dt.time(8)),
            True,
        ),
        # Fall back, 1 November 2026: 11:30 EST is 16:30 UTC, still a morning locally.
        (
            "the morning the clocks go back",
            wish(earliest=dt.date(2026, 11, 1), latest=dt.date(2026, 11, 1), times=frozenset({M})),
            opening(dt.date(2026, 11, 1), dt.time(11, 30)),
            True,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_freed_slot_matches_a_wish(
    case: str, the_wish: Wish, the_opening: Opening, expected: bool
) -> None:
    assert matches(the_wish, the_opening) is expected


def test_the_client_who_asked_first_is_offered_first() -> None:
    early = wish(3, asked=ASKED)
    later = wish(1, asked=ASKED + dt.timedelta(hours=1))
    latest = wish(2, asked=ASKED + dt.timedelta(days=1))
    elsewhere = wish(4, asked=ASKED - dt.timedelta(days=1), location=DECATUR)

    ordered = first_come_first_served([latest, elsewhere, later, early], opening())

    assert [w.entry_id for w in ordered] == [3, 1, 2]


def test_the_same_moment_is_broken_by_the_earlier_entry() -> None:
    ordered = first_come_first_served([wish(7), wish(5)], opening())
    assert [w.entry_id for w in ordered] == [5, 7]


def test_a_client_already_offered_this_slot_is_passed_over() -> None:
    first, second = wish(1), wish(2, asked=ASKED + dt.timedelta(minutes=5))
    ordered = first_come_first_served([first, second], opening(), passed_over={1})
    assert [w.entry_id for w in ordered] == [2]


NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=dt.UTC)
TWO_HOURS = dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("starts_in", "expected_in"),
    [
        (dt.timedelta(days=1), TWO_HOURS),  # far off: the full two hours
        (dt.timedelta(hours=4), TWO_HOURS),  # just far enough
        (dt.timedelta(hours=3), dt.timedelta(hours=1)),  # shortened to keep two hours' notice
        (TWO_HOURS, None),  # no time left to accept with notice
        (dt.timedelta(hours=1), None),
    ],
)
def test_an_offer_lasts_its_time_but_leaves_the_booking_notice(
    starts_in: dt.timedelta, expected_in: dt.timedelta | None
) -> None:
    expires = offer_expires_at(
        now=NOW, starts=NOW + starts_in, valid_for=TWO_HOURS, notice=TWO_HOURS
    )
    assert expires == (None if expected_in is None else NOW + expected_in)


wishes = st.builds(
    wish,
    st.integers(min_value=1, max_value=50),
    location=st.sampled_from([MIDTOWN, DECATUR]),
    therapist=st.sampled_from([None, TESS, THEO]),
    earliest=st.dates(dt.date(2026, 5, 20), dt.date(2026, 5, 30)),
    latest=st.dates(dt.date(2026, 5, 20), dt.date(2026, 6, 5)),
    times=st.frozensets(st.sampled_from(list(TimeOfDay)), min_size=1),
    asked=st.integers(min_value=0, max_value=24 * 60).map(
        lambda minutes: ASKED + dt.timedelta(minutes=minutes)
    ),
)


@given(
    st.lists(wishes, max_size=12, unique_by=lambda w: w.entry_id),
    st.dates(dt.date(2026, 5, 22), dt.date(2026, 5, 29)),
    st.times(),
    st.sets(st.integers(min_value=1, max_value=50)),
)
def test_candidates_all_match_are_first_come_first_served_and_skip_the_passed_over(
    candidates: list[Wish], day: dt.date, at: dt.time, passed_over: set[int]
) -> None:
    slot = opening(day, at.replace(microsecond=0))
    ordered = first_come_first_served(candidates, slot, passed_over=passed_over)

    assert all(matches(w, slot) and w.entry_id not in passed_over for w in ordered)
    assert [(w.asked_at, w.entry_id) for w in ordered] == sorted(
        (w.asked_at, w.entry_id) for w in ordered
    )
    left_out = [w for w in candidates if w not in ordered]
    assert all(not matches(w, slot) or w.entry_id in passed_over for w in left_out)
