"""The analytics' statistics without a database: Kaplan–Meier against a hand-computed example,
and the working-time arithmetic behind utilisation (SPEC §5 clinic analytics)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.analytics import chart
from backcare.analytics.stats import (
    Shift,
    kaplan_meier,
    open_minutes,
    time_off_minutes,
    weekday_counts,
    weeks_since,
    working_minutes,
)
from backcare.lib.errors import FieldError

NEW_YORK = ZoneInfo("America/New_York")

# Six programs: two improve in week 1 and one is last seen then without improving; one
# improves in week 2; one is last seen in week 3 (dropped out); the last improves in week 4.
HAND_EXAMPLE = [(1, True, 2), (1, False, 1), (2, True, 1), (3, False, 1), (4, True, 1)]


def test_kaplan_meier_matches_the_hand_computed_example():
    # By hand: week 1: 6 at risk, 2 improve, S = 4/6. One censored leaves 3.
    # Week 2: 3 at risk, 1 improves, S = 4/6 x 2/3 = 4/9. Week 3: 2 at risk, 1 censored, S
    # stays 4/9. Week 4: 1 at risk, 1 improves, S = 0.
    curve = kaplan_meier(HAND_EXAMPLE)
    assert [(s.week, s.at_risk, s.improved, s.censored) for s in curve.steps] == [
        (1, 6, 2, 1),
        (2, 3, 1, 0),
        (3, 2, 0, 1),
        (4, 1, 1, 0),
    ]
    assert [s.waiting for s in curve.steps] == pytest.approx([4 / 6, 4 / 9, 4 / 9, 0.0])
    assert [s.improved_share for s in curve.steps] == pytest.approx([1 / 3, 5 / 9, 5 / 9, 1.0])
    assert (curve.programs, curve.improved, curve.censored) == (6, 4, 2)
    # Half have improved by the first week where S(t) <= 0.5.
    assert curve.median_weeks == 2


def test_counted_rows_give_the_same_curve_as_one_row_per_program():
    one_each = [(week, improved, 1) for week, improved, n in HAND_EXAMPLE for _ in range(n)]
    assert kaplan_meier(one_each) == kaplan_meier(HAND_EXAMPLE)


def test_a_dropout_is_censored_not_counted_as_a_failure():
    # Two programs: one improves in week 3; the other drops out in week 1. Counting the
    # dropout as "not improved" would give 50%; censoring it gives 100% by week 3.
    curve = kaplan_meier([(3, True, 1), (1, False, 1)])
    assert curve.steps[-1].improved_share == pytest.approx(1.0)


def test_without_any_improvement_the_curve_stays_flat_and_has_no_median():
    curve = kaplan_meier([(2, False, 3), (5, False, 1)])
    assert [s.improved_share for s in curve.steps] == [0.0, 0.0]
    assert curve.median_weeks is None and curve.median_interval == (None, None)


def test_no_programs_gives_an_empty_curve():
    curve = kaplan_meier([])
    assert curve.steps == () and curve.programs == 0


@pytest.mark.parametrize(
    ("row", "field"),
    [((-1, True, 1), "week"), ((1.5, True, 1), "week"), ((1, True, -2), "programs")],
)
def test_impossible_rows_are_refused_naming_the_field(row, field):
    with pytest.raises(FieldError) as caught:
        kaplan_meier([row])
    assert caught.value.field == field


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans(), st.integers(1, 20)), min_size=1, max_size=30
    )
)
def test_the_improved_share_never_falls_and_stays_within_0_and_1(rows):
    shares = [s.improved_share for s in kaplan_meier(rows).steps]
    assert all(0.0 <= share <= 1.0 + 1e-9 for share in shares)
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(shares))


@pytest.mark.parametrize(
    ("start", "day", "weeks"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), 0),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 3), 1),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 9), 1),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 10), 2),
        (dt.date(2026, 3, 2), dt.date(2026, 2, 20), 0),
    ],
)
def test_weeks_count_a_part_week_as_a_week(start, day, weeks):
    assert weeks_since(start, day) == weeks


# --- Working time -----------------------------------------------------------------------------

NINE_TO_FIVE_WITH_LUNCH = Shift(0, 9 * 60, 17 * 60, ((12 * 60, 13 * 60),))


def test_a_shift_counts_its_hours_without_the_break():
    assert NINE_TO_FIVE_WITH_LUNCH.minutes == 7 * 60


def test_weekdays_are_counted_over_a_month_leaving_out_closed_days():
    # November 2026: Sunday the 1st to Monday the 30th; Thanksgiving is Thursday the 26th.
    counts = weekday_counts(dt.date(2026, 11, 1), dt.date(2026, 11, 30), [dt.date(2026, 11, 26)])
    assert counts == [5, 4, 4, 3, 4, 4, 5]


def test_working_minutes_multiply_each_shift_by_its_weekdays():
    counts = weekday_counts(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert working_minutes([NINE_TO_FIVE_WITH_LUNCH], counts) == 5 * 7 * 60


def test_a_room_is_open_while_anyone_works_breaks_aside():
    morning = Shift(0, 9 * 60, 13 * 60)
    afternoon = Shift(0, 12 * 60, 17 * 60, ((14 * 60, 15 * 60),))
    one_monday = weekday_counts(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert open_minutes([morning, afternoon], one_monday) == 8 * 60


def test_time_off_takes_only_the_working_minutes_it_covers():
    # Monday 2026-11-02, 10:00 to 15:00 in Atlanta: 10-12 and 13-15 are working time.
    away = [
        (
            dt.datetime(2026, 11, 2, 10, tzinfo=NEW_YORK),
            dt.datetime(2026, 11, 2, 15, tzinfo=NEW_YORK),
        )
    ]
    minutes = time_off_minutes(
        [NINE_TO_FIVE_WITH_LUNCH], away, NEW_YORK, dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    assert minutes == 4 * 60


def test_time_off_over_several_days_is_read_on_the_locations_clock():
    shifts = [Shift(day, 9 * 60, 17 * 60) for day in (0, 1, 2)]
    # Monday 14:00 to Wednesday 12:00 in Atlanta, given in UTC.
    away = [
        (
            dt.datetime(2026, 11, 2, 19, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 4, 17, tzinfo=dt.UTC),
        )
    ]
    minutes = time_off_minutes(shifts, away, NEW_YORK, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert minutes == 3 * 60 + 8 * 60 + 3 * 60


def test_time_off_on_a_closed_day_is_not_taken_twice():
    away = [
        (
            dt.datetime(2026, 11, 2, 0, tzinfo=NEW_YORK),
            dt.datetime(2026, 11, 3, 0, tzinfo=NEW_YORK),
        )
    ]
    minutes = time_off_minutes(
        [NINE_TO_FIVE_WITH_LUNCH],
        away,
        NEW_YORK,
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        [dt.date(2026, 11, 2)],
    )
    assert minutes == 0


# --- The chart --------------------------------------------------------------------------------


def test_the_chart_rises_in_steps_and_names_each_one():
    curve = chart.layout(kaplan_meier(HAND_EXAMPLE))
    assert [c.label for c in curve.corners] == [
        "By week 1: 33% improved",
        "By week 2: 56% improved",
        "By week 4: 100% improved",
    ]
    ys = [c.y for c in curve.corners]
    assert ys == sorted(ys, reverse=True)  # higher share, higher on the canvas
    assert curve.path.startswith("M") and "V" in curve.path
    assert all(curve.plot.contains(c.x, c.y) for c in curve.corners)
