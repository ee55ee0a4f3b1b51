"""The demo clinic (`backcare demo`), built once for every test of this folder on a test worker
and rolled back after the last of them: building it is slow (a month of bookings, notes and
bills, each through the named action), and these tests only read it or change it inside their
own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from backcare.demo import clinic as demo

# A day whose month of history cannot avoid Memorial Day, Juneteenth and Independence Day
# (tests/demo/test_demo.py: test_the_demo_loads_on_a_day_whose_history_meets_many_holidays).
TODAY = dt.date(2027, 7, 5)
NOON = dt.datetime(2027, 7, 5, 16, 0, tzinfo=dt.UTC)  # noon in Atlanta on TODAY (EDT)


@pytest.fixture(scope="package", autouse=True)
def demo_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded at noon on TODAY."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOON, tick=False):
            demo.load(TODAY)
        yield
        transaction.set_rollback(True)
