"""Times in emails read the way a person says them, in the location's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from backcare.lib.when import spoken

ATLANTA = "America/New_York"


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "words"),
    [
        (utc(12, 1, 19, 30), ATLANTA, "Tuesday, December 1 at 2:30 PM (EST)"),
        (utc(6, 1, 14), ATLANTA, "Monday, June 1 at 10:00 AM (EDT)"),
        (utc(6, 1, 4, 5), ATLANTA, "Monday, June 1 at 12:05 AM (EDT)"),
        (utc(6, 1, 16), ATLANTA, "Monday, June 1 at 12:00 PM (EDT)"),
        (utc(6, 1, 16), "America/Chicago", "Monday, June 1 at 11:00 AM (CDT)"),
        # The Sunday the clocks go back: 1:30 AM happens twice, first in EDT, then in EST.
        (utc(11, 1, 5, 30), ATLANTA, "Sunday, November 1 at 1:30 AM (EDT)"),
        (utc(11, 1, 6, 30), ATLANTA, "Sunday, November 1 at 1:30 AM (EST)"),
        # The Sunday the clocks go forward: 3:00 AM EDT comes straight after 1:59 AM EST.
        (utc(3, 8, 7), ATLANTA, "Sunday, March 8 at 3:00 AM (EDT)"),
    ],
)
def test_times_are_spoken_in_the_locations_zone(moment: dt.datetime, zone: str, words: str) -> None:
    assert spoken(moment, zone) == words
