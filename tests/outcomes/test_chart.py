"""The geometry of the progress chart (pure): where readings, the baseline and the band go."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.outcomes.chart import (
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    WIDTH,
    Reading,
    layout,
)
from backcare.outcomes.instruments import shipped_instruments
from backcare.outcomes.progress import (
    Entry,
    due_reassessment,
    meaningful_band,
    measure,
    progress_sentence,
)

PLOT_LEFT, PLOT_RIGHT = MARGIN_LEFT, WIDTH - 16
PLOT_TOP, PLOT_BOTTOM = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM


@pytest.mark.parametrize(
    ("value", "y"),
    [(0, PLOT_BOTTOM), (10, PLOT_TOP), (5, (PLOT_TOP + PLOT_BOTTOM) / 2)],
)
def test_values_map_onto_the_full_height_of_the_scale(value: float, y: float) -> None:
    chart = layout([Reading(0, value, "x")], scale=(0, 10))
    assert chart.points[0].y == pytest.approx(y)


@pytest.mark.parametrize(
    ("weeks", "planned", "x"),
    [
        ([0, 10], 10, [PLOT_LEFT, PLOT_RIGHT]),
        ([0, 5], 10, [PLOT_LEFT, (PLOT_LEFT + PLOT_RIGHT) / 2]),
        ([0, 12], 10, [PLOT_LEFT, PLOT_RIGHT]),  # past the plan: the axis grows
        ([-1, 0], 4, [PLOT_LEFT, PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) / 5]),  # intake before
    ],
)
def test_weeks_run_from_the_start_to_the_end_of_the_plan(
    weeks: list[float], planned: float, x: list[float]
) -> None:
    chart = layout([Reading(w, 5, "x") for w in weeks], scale=(0, 10), weeks=planned)
    assert [p.x for p in chart.points] == pytest.approx(x)


def test_the_line_joins_the_points_in_order_and_a_lone_point_has_none() -> None:
    chart = layout([Reading(0, 8, "a"), Reading(1, 6, "b")], scale=(0, 10), weeks=2)
    assert chart.path.startswith("M44.0 ")
    assert chart.path.count("L") == 1
    assert layout([Reading(0, 8, "a")], scale=(0, 10)).path == ""


def test_the_band_and_baseline_sit_at_their_values() -> None:
    chart = layout([Reading(0, 8, "a")], scale=(0, 10), band=(8, 6), baseline=8)
    assert chart.band is not None
    assert chart.band.low == 6
    assert chart.band.high == 8
    assert chart.band.top == pytest.approx(chart.points[0].y)
    assert chart.baseline_y == pytest.approx(chart.points[0].y)
    assert chart.band.height > 0


def test_a_scale_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        layout([], scale=(10, 0))


@given(
    readings=st.lists(
        st.tuples(
            st.floats(min_value=-4, max_value=60, allow_nan=False),
            st.floats(min_value=0, max_value=10, allow_nan=False),
        ),
        max_size=40,
    ),
    planned=st.integers(min_value=0, max_value=52),
)
def test_every_point_lies_inside_the_plot_area(
    readings: list[tuple[float, float]], planned: int
) -> None:
    chart = layout(
        [Reading(week, value, "x") for week, value in sorted(readings)],
        scale=(0, 10),
        weeks=planned,
        band=(0, 10),
    )
    for point in chart.points:
        assert chart.plot.contains(point.x, point.y)
    assert chart.band is not None
    assert chart.plot.top <= chart.band.top <= chart.band.bottom <= chart.plot.bottom
    for tick in chart.x_ticks:
        assert chart.plot.left <= tick.at <= chart.plot.right


# --- the band of SPEC §5 and the words ---------------------------------------------------------

INSTRUMENTS = shipped_instruments()


@pytest.mark.parametrize(
    ("key", "baseline", "band"),
    [
        ("nrs", 8, (6, 8)),  # 2 points comes before 30% (2.4)
        ("nrs", 5, (3.5, 5)),  # 30% (1.5) comes before 2 points
        ("nrs", 0, None),  # no percent of 0, but 2 points down from 0 is off the scale
        ("psfs", 3, (3, 5)),  # higher is better: 2 points up
        ("psfs", 9.5, (9.5, 10)),  # the band stops at the top of the scale
        ("peg", 6, (4.2, 6)),
    ],
)
def test_the_meaningful_band_reaches_the_smaller_threshold(
    key: str, baseline: float, band: tuple[float, float] | None
) -> None:
    found = meaningful_band(INSTRUMENTS[key], baseline)
    if band is None:
        assert found == (0, 0)
    else:
        assert found == pytest.approx(band)


START = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)


def _course(key: str, baseline: float, latest: float) -> str:
    entries = [
        Entry(key, baseline, START - dt.timedelta(days=3), "intake"),
        Entry(key, latest, START + dt.timedelta(weeks=4), "reassessment"),
    ]
    return progress_sentence(measure(INSTRUMENTS[key], entries, start=START, weeks_planned=10))


@pytest.mark.parametrize(
    ("baseline", "latest", "words"),
    [
        (8, 4, "Your pain is 50% lower than when you started: a substantial improvement."),
        (8, 5, "Your pain is 38% lower than when you started: a meaningful improvement."),
        (10, 7, "Your pain is 30% lower than when you started: a meaningful improvement."),
        (6, 4, "Your pain is 33% lower than when you started: a meaningful improvement."),
        (
            9,
            8,
            "Your pain is 11% lower than when you started: a small improvement, not yet "
            "as much as counts as meaningful.",
        ),
        (5, 5, "Your pain is the same as when you started: no change yet."),
        (4, 6, "Your pain is 50% higher than when you started: worse than at the start."),
    ],
)
def test_progress_in_words_at_the_class_boundaries(
    baseline: float, latest: float, words: str
) -> None:
    assert _course("nrs", baseline, latest) == words


def test_psfs_progress_is_in_points() -> None:
    assert _course("psfs", 4, 6) == (
        "Your ability to do the activities you chose is 2 points higher than when you started: "
        "a meaningful improvement."
    )


def test_the_baseline_is_the_last_intake_answer_before_the_program() -> None:
    entries = [
        Entry("nrs", 7, START - dt.timedelta(days=30), "intake"),
        Entry("nrs", 6, START - dt.timedelta(days=2), "intake"),
        Entry("nrs", 3, START + dt.timedelta(weeks=2), "check_in"),
    ]
    m = measure(INSTRUMENTS["nrs"], entries, start=START, weeks_planned=10)
    assert m.baseline == entries[1]
    assert m.weeks == (-4.3, -0.3, 2.0)
    assert [when for _, when in m.rows] == ["Before the start", "Baseline", "Week 3"]
    labels = [tick.label for tick in m.chart.x_ticks]
    # The program's first week is week 1; a 15-week axis is labelled every other week.
    assert labels[:3] == ["Before", "Wk 1", "Wk 3"]


# --- reassessment due ----------------------------------------------------------------------


def _sessions(n: int) -> list[dt.datetime]:
    return [START + dt.timedelta(weeks=w) for w in range(n)]


@pytest.mark.parametrize(
    ("completed", "answered_after", "due"),
    [
        (3, [], None),  # session 4 not reached
        (4, [], 4),
        (4, [1.5], 4),  # answered before session 3 began (week 2): an earlier point's answers
        (4, [2], None),  # answered after session 3 began: at the check-in of session 4
        (4, [3.5], None),
        (7, [3.5], None),
        (10, [3.5], 10),  # the last session reached
        (10, [8.2], None),
    ],
)
def test_a_reassessment_is_due_from_its_session_until_answered(
    completed: int, answered_after: list[float], due: int | None
) -> None:
    answered = [START + dt.timedelta(weeks=w, minutes=1) for w in answered_after]
    assert due_reassessment([4, 10], _sessions(completed), answered) == due
