"""A clinic open for visitors from its website: Tess works Monday to Friday 09:00-17:00 at
Midtown, which has one room; the clock stands at Monday 1 June 2026, 08:00 in Atlanta."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.portal.booking_forms import starts_param
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic
from tests.holds.conftest import NOW, local

WEDNESDAY_10 = local(3, 10)


@pytest.fixture
def website(clinic: Clinic) -> Iterator[Clinic]:
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    with time_machine.travel(NOW, tick=False):
        yield clinic


def page_url(clinic: Clinic) -> str:
    return reverse("public:page", args=[clinic.location.pk]) + "?week=2026-06-01"


def hold_data(clinic: Clinic, starts: dt.datetime = WEDNESDAY_10, **extra: Any) -> dict[str, Any]:
    return {
        "service": clinic.service.pk,
        "therapist": clinic.tess.pk,
        "starts": starts_param(starts),
        **extra,
    }


def hold(
    clinic: Clinic, starts: dt.datetime = WEDNESDAY_10, *, ip: str = "203.0.113.7", **extra: Any
) -> Any:
    """A visitor (at address `ip`) holds the time from the public page."""
    return HttpClient().post(
        reverse("public:hold", args=[clinic.location.pk]),
        hold_data(clinic, starts, **extra),
        REMOTE_ADDR=ip,
    )


PERSON = {
    "first_name": "Carmen",
    "last_name": "Diaz",
    "date_of_birth": "1985-03-14",
    "email": "carmen@example.com",
    "phone": "404-555-0199",
}
