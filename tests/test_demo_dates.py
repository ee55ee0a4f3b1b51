"""The demo loads whatever the day: its history is dated back from the day it loads, so which
of its sessions would fall on a public holiday changes with the day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from backcare.care.models import Program
from backcare.demo import clinic as demo
from backcare.demo import history

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the demo's dates are the same on either database"
)
def test_the_demo_loads_on_a_day_whose_history_meets_many_holidays() -> None:
    """Loaded on July 5, 2027, a series of the history could not avoid Memorial Day,
    Juneteenth and Independence Day: the demo stopped with "No free weekly time". A series
    that must meet a holiday now skips it, as the clinic's own series do."""
    day = dt.date(2027, 7, 5)
    with time_machine.travel(dt.datetime(2027, 7, 5, 16, tzinfo=dt.UTC), tick=False):
        demo.load(day)

    clients = {program.client.full_name for program in Program.objects.select_related("client")}
    assert {past.name for past in history.HISTORY} <= clients
