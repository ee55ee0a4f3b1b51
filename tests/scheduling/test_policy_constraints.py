"""The booking policy's numbers are kept by the database as well as by its form: a raw write
of a count out of range, of an unknown way to treat held sessions, or of a clock that is
neither 12- nor 24-hour, is refused."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from backcare.scheduling.models import BookingPolicy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"held_sessions": "delete"},
        {"horizon_days": 0},
        {"horizon_days": 100_000},
        {"min_notice_minutes": -1},
        {"cancellation_window_hours": -5},
        {"clock": 13},
    ],
)
def test_the_database_refuses_a_booking_policy_out_of_range(change: dict[str, object]) -> None:
    BookingPolicy.current()
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingPolicy.objects.filter(pk=1).update(**change)
    policy = BookingPolicy.current()
    assert (policy.held_sessions, policy.horizon_days) == ("hold", 60)
