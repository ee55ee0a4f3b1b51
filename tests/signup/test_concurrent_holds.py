"""Two visitors (or a visitor and a client in the portal) who want one time at once, on
PostgreSQL: real concurrent requests, each on its own connection; one wins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.booking.models import Appointment
from backcare.signup.models import HeldTime
from tests import factories
from tests.conftest import Clinic, login_as
from tests.scheduling.test_race import run_together
from tests.signup.conftest import hold_data

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
]

VISITORS = 8


def holding(clinic: Clinic, index: int) -> Callable[[], Any]:
    def request() -> int:
        response = HttpClient().post(
            reverse("public:hold", args=[clinic.location.pk]),
            hold_data(clinic),
            REMOTE_ADDR=f"203.0.113.{index + 1}",
        )
        return response.status_code

    return request


@pytest.mark.django_db(transaction=True)
def test_simultaneous_visitors_holding_one_time_make_one_held_time(website: Clinic) -> None:
    statuses = run_together([holding(website, index) for index in range(VISITORS)])
    assert sorted(statuses) == [302] + [409] * (VISITORS - 1), statuses
    assert HeldTime.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_hold_and_a_portal_booking_of_one_time_never_both_win(website: Clinic) -> None:
    factories.screened(website.alice, [])
    alice = login_as(website.alice.user)

    def book() -> int:
        data = {**hold_data(website), "location": website.location.pk}
        return alice.post(reverse("booking:confirm"), data).status_code

    statuses = run_together([holding(website, 0), book])
    assert sorted(statuses) == [302, 409], statuses
    assert HeldTime.objects.count() + Appointment.objects.count() == 1
