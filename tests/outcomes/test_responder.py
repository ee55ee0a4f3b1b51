"""Responder class and change against baseline (SPEC §5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.outcomes.scoring import RESPONDER_CLASSES, ScoringError, responder


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        # substantial: >= 50% better
        (8, 4, "substantial"),  # exactly 50%
        (2, 1, "substantial"),  # exactly 50%, only 1 point
        (10, 0, "substantial"),
        (10, 5.1, "moderate"),  # 49%
        # moderate: >= 30% or >= 2 points better
        (5, 3.5, "moderate"),  # exactly 30%, 1.5 points
        (5, 3.6, "minimal"),  # 28%, 1.4 points
        (10, 8, "moderate"),  # exactly 2 points, 20%
        (10, 8.1, "minimal"),  # 1.9 points, 19%
        (10, 7, "moderate"),  # 30% and 3 points
        # minimal: any improvement
        (8, 7, "minimal"),
        (10, 9.9, "minimal"),
        # none and worse
        (6, 6, "none"),
        (0, 0, "none"),
        (4, 5, "worse"),
        (0, 3, "worse"),
        (3, 10, "worse"),
    ],
)
def test_nrs_responder_class_at_each_boundary(baseline, current, expected):
    assert responder("nrs", baseline, current).responder_class == expected


def test_nrs_example_from_the_issue():
    change = responder("nrs", 8, 4)
    assert change.to_dict() == {
        "measure": "nrs",
        "baseline": 8,
        "current": 4,
        "change": -4,
        "percent_change": -50.0,
        "improvement": 4,
        "class": "substantial",
        "meaningful": True,
        "threshold": {"points": 2, "percent": 30},
        "direction": "lower_is_better",
        "sentence": "Your pain is 50% lower than when you started.",
    }


@pytest.mark.parametrize(
    ("baseline", "current", "meaningful"),
    [(8, 4, True), (10, 8, True), (5, 3.5, True), (8, 7, False), (6, 6, False), (4, 5, False)],
)
def test_nrs_is_meaningful_when_moderate_or_substantial(baseline, current, meaningful):
    assert responder("nrs", baseline, current).meaningful is meaningful


def test_with_baseline_0_percent_is_null_and_class_is_decided_on_points():
    change = responder("nrs", 0, 2)
    assert change.percent_change is None
    assert change.responder_class == "worse"
    assert change.sentence == "Your pain is 2 points higher than when you started."
    psfs = responder("psfs", 0, 2)
    assert psfs.percent_change is None
    assert psfs.responder_class == "moderate"
    assert responder("psfs", 0, 1.5).responder_class == "minimal"


def test_percent_change_is_signed_and_rounded_to_one_decimal():
    assert responder("nrs", 6, 4).percent_change == -33.3
    assert responder("nrs", 4, 5).percent_change == 25.0
    assert responder("psfs", 3, 4).percent_change == 33.3


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (6.33, 4.431, "moderate"),  # exactly 30% of a PEG mean: decided exactly, not in floats
        (6.33, 4.432, "minimal"),
        (10, 7, "moderate"),
        (10, 7.1, "minimal"),
        (10, 8, "minimal"),  # 2 points is not a PEG threshold
        (5, 0, "moderate"),  # PEG has no substantial class in SPEC §5
        (5, 6, "worse"),
    ],
)
def test_peg_is_meaningful_at_30_percent_better(baseline, current, expected):
    assert responder("peg", baseline, current).responder_class == expected


def test_peg_change_is_exact_in_decimals():
    change = responder("peg", 6.33, 4.1)
    assert change.change == -2.23
    assert change.improvement == 2.23
    assert change.percent_change == -35.2


@pytest.mark.parametrize(
    ("baseline", "current", "expected", "meaningful"),
    [
        (4, 6, "moderate", True),  # exactly 2 points better, higher is better
        (4, 5.9, "minimal", False),
        (3.33, 5.33, "moderate", True),
        (6, 4, "worse", False),  # 2 points lower is worse for PSFS
        (5, 5, "none", False),
        (0, 10, "moderate", True),
    ],
)
def test_psfs_higher_is_better_and_meaningful_at_2_points(baseline, current, expected, meaningful):
    change = responder("psfs", baseline, current)
    assert change.responder_class == expected
    assert change.meaningful is meaningful
    assert change.direction == "higher_is_better"


def test_psfs_sentence_speaks_in_points():
    assert responder("psfs", 4, 6).sentence == (
        "Your ability to do the activities you chose is 2 points higher than when you started."
    )
    assert responder("psfs", 4, 5).sentence.endswith("is 1 point higher than when you started.")


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 15, "moderate"),  # exactly 5 points, 25%
        (20, 16, "minimal"),  # 4 points, 20%
        (10, 7, "moderate"),  # exactly 30%, 3 points
        (10, 8, "minimal"),  # 20%, 2 points
        (24, 0, "moderate"),  # no substantial threshold for RMDQ in SPEC §5
        (4, 5, "worse"),
        (0, 0, "none"),
    ],
)
def test_rmdq_is_meaningful_at_5_points_or_30_percent(baseline, current, expected):
    assert responder("rmdq", baseline, current).responder_class == expected


@pytest.mark.parametrize(
    ("measure", "baseline", "current", "sentence"),
    [
        ("nrs", 8, 4, "Your pain is 50% lower than when you started."),
        ("nrs", 4, 5, "Your pain is 25% higher than when you started."),
        ("nrs", 6, 6, "Your pain is the same as when you started."),
        ("nrs", 6, 4, "Your pain is 33% lower than when you started."),
        ("nrs", 10, 9.99, "Your pain is less than 1% lower than when you started."),
        (
            "rmdq",
            12,
            7,
            "Your score for how much your back limits your daily life is 5 points lower than "
            "when you started.",
        ),
    ],
)
def test_client_sentence_is_plain_english(measure, baseline, current, sentence):
    assert responder(measure, baseline, current).sentence == sentence


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"baseline": 11, "current": 4}, "baseline", "nrs scores are 0 to 10, got 11"),
        ({"baseline": 8, "current": -1}, "current", "nrs scores are 0 to 10, got -1"),
        ({"baseline": True, "current": 4}, "baseline", "expected a number, got true"),
        ({"baseline": "8", "current": 4}, "baseline", 'expected a number, got "8"'),
        ({"baseline": 8, "current": float("nan")}, "current", "expected a number, got NaN"),
    ],
)
def test_responder_refuses_bad_values_naming_the_argument(kwargs, field, message):
    with pytest.raises(ScoringError) as caught:
        responder("nrs", **kwargs)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_pgic_has_no_baseline_comparison():
    with pytest.raises(ScoringError) as caught:
        responder("pgic", 4, 2)
    assert caught.value.field == "measure"


def test_unknown_measure_is_refused_naming_the_argument():
    with pytest.raises(ScoringError) as caught:
        responder("odi", 40, 20)
    assert caught.value.field == "measure"


# --- properties -------------------------------------------------------------------------

ranks = {name: rank for rank, name in enumerate(RESPONDER_CLASSES)}
nrs_values = st.decimals(min_value=0, max_value=10, places=2).map(float)
psfs_values = st.decimals(min_value=0, max_value=10, places=2).map(float)


@given(nrs_values, nrs_values, nrs_values)
def test_nrs_class_never_gets_worse_as_current_pain_falls(baseline, a, b):
    higher, lower = max(a, b), min(a, b)
    assert (
        ranks[responder("nrs", baseline, lower).responder_class]
        >= ranks[responder("nrs", baseline, higher).responder_class]
    )


@given(psfs_values, psfs_values, psfs_values)
def test_psfs_class_never_gets_worse_as_current_ability_rises(baseline, a, b):
    higher, lower = max(a, b), min(a, b)
    assert (
        ranks[responder("psfs", baseline, higher).responder_class]
        >= ranks[responder("psfs", baseline, lower).responder_class]
    )


@given(nrs_values, nrs_values)
def test_meaningful_is_exactly_moderate_or_substantial(baseline, current):
    change = responder("nrs", baseline, current)
    assert change.meaningful == (change.responder_class in ("moderate", "substantial"))
    assert (change.responder_class == "worse") == (current > baseline)
