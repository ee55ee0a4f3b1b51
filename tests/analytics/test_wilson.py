"""95% Wilson score intervals for responder rates (SPEC §5 clinic analytics)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.analytics.stats import wilson_interval
from backcare.lib.errors import FieldError


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (8, 10, 0.490, 0.943),
        (5, 10, 0.237, 0.763),
        (50, 100, 0.404, 0.596),
        (10, 10, 0.722, 1.000),
        (0, 10, 0.000, 0.278),
    ],
)
def test_wilson_interval_matches_known_values_to_3_decimals(successes, n, low, high):
    interval = wilson_interval(successes, n)
    assert (round(interval[0], 3), round(interval[1], 3)) == (low, high)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe_1998_table_1_to_4_decimals(successes, n, low, high):
    """Newcombe RG. Stat Med 1998;17:857-872, table I, method 3 (score method)."""
    interval = wilson_interval(successes, n)
    assert (round(interval[0], 4), round(interval[1], 4)) == (low, high)


def test_wilson_interval_with_no_clients_is_the_whole_range():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_with_all_or_none_touches_the_ends_exactly():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0


def test_a_wider_z_gives_a_wider_interval():
    narrow = wilson_interval(8, 10, z=1.645)
    wide = wilson_interval(8, 10, z=2.576)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]


@pytest.mark.parametrize(
    ("successes", "n", "z", "field"),
    [
        (11, 10, 1.96, "successes"),
        (-1, 10, 1.96, "successes"),
        (0, -1, 1.96, "n"),
        (True, 10, 1.96, "successes"),
        (1, 10, 0, "z"),
        (1, 10, float("inf"), "z"),
    ],
)
def test_wilson_interval_refuses_impossible_counts(successes, n, z, field):
    with pytest.raises(FieldError) as caught:
        wilson_interval(successes, n, z)
    assert caught.value.field == field


@given(
    st.integers(min_value=1, max_value=2000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_holds_the_observed_rate_within_0_and_1(counts):
    successes, n = counts
    low, high = wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0
