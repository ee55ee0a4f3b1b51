"""Times outside what can be booked — past, beyond the horizon, year 1, year 9999, off the
quarter hour, garbage — are refused on every booking URL with a 4xx that names the field, and
nothing is written. Never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from backcare.booking.models import Appointment
from tests import factories
from tests.conftest import Clinic, login_as
from tests.pages import field_error
from tests.scheduling.clinic_week import open_weekdays

# The value posted for ``starts`` (portal) and the message the page shows next to the time.
PORTAL_STARTS = {
    "past": ("2026-05-18T14:00Z", "already passed"),
    "beyond the horizon": ("2027-01-04T15:00Z", "days ahead online"),
    "year 1": ("0001-01-01T00:00Z", "not a time we recognise"),
    "year 9999": ("9999-12-31T23:45Z", "not a time we recognise"),
    "off the grid": ("2026-06-01T14:07Z", "quarter hour"),
    "garbage": ("tomorrow-ish", "not a time we recognise"),
}
# The date and time typed on the staff pages, and the field the message sits next to.
STAFF_DATES = {
    "year 1": ({"date": "0001-01-01", "time": "10:00"}, "date", "Please choose a date between"),
    "year 9999": ({"date": "9999-12-31", "time": "23:45"}, "date", "Please choose a date"),
    "garbage": ({"date": "soon", "time": "10:00"}, "date", "Enter a valid date"),
    "off the grid": ({"date": "2026-06-01", "time": "10:07"}, "time", "quarter hour"),
    "past": ({"date": "2026-05-18", "time": "10:00"}, "time", "already passed"),
}


pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """Only Tess works, Monday to Friday 09:00-17:00, with no lunch."""
    return open_weekdays(clinic, [clinic.tess], breaks=())


@pytest.fixture
def booked(open_clinic: Clinic) -> Appointment:
    """Alice's session on Wednesday June 3 at 10:00, to move."""
    return factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=dt.datetime(2026, 6, 3, 14, 0, tzinfo=dt.UTC),
    )


def slot(clinic: Clinic, starts: str) -> dict[str, Any]:
    return {
        "service": clinic.service.pk,
        "location": clinic.location.pk,
        "therapist": clinic.tess.pk,
        "starts": starts,
    }


def unchanged(before: list[Any]) -> bool:
    return list(Appointment.objects.order_by("pk").values_list("pk", "starts", "status")) == before


def snapshot() -> list[Any]:
    return list(Appointment.objects.order_by("pk").values_list("pk", "starts", "status"))


@pytest.mark.parametrize("case", sorted(PORTAL_STARTS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_portal_confirm_page_refuses_the_time_and_names_it(
    open_clinic: Clinic, case: str, method: str
) -> None:
    value, message = PORTAL_STARTS[case]
    before = snapshot()
    alice = login_as(open_clinic.alice.user)
    response = getattr(alice, method)(reverse("booking:confirm"), slot(open_clinic, value))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="starts-error"' in page or "Time" in page
    assert unchanged(before)


@pytest.mark.parametrize("case", sorted(PORTAL_STARTS))
def test_moving_in_the_portal_refuses_the_time_and_names_it(
    open_clinic: Clinic, booked: Appointment, case: str
) -> None:
    value, message = PORTAL_STARTS[case]
    before = snapshot()
    alice = login_as(open_clinic.alice.user)
    url = reverse("booking:reschedule_confirm", args=[booked.pk])
    response = alice.post(url, slot(open_clinic, value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert unchanged(before)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("9999-12-31", "days ahead online"),
        ("0001-01-01", "has passed"),
        ("2025-01-06", "has passed"),
        ("2027-03-01", "days ahead online"),
        ("next-tuesday", "Enter a date, for example"),
    ],
)
def test_the_weeks_of_free_times_refuse_a_week_out_of_range(
    open_clinic: Clinic, booked: Appointment, week: str, message: str
) -> None:
    alice = login_as(open_clinic.alice.user)
    query: dict[str, Any] = {
        "service": open_clinic.service.pk,
        "location": open_clinic.location.pk,
        "week": week,
    }
    for url in (reverse("booking:start"), reverse("booking:reschedule", args=[booked.pk])):
        response = alice.get(url, query)
        assert response.status_code == 400, url
        assert message in response.content.decode()


@pytest.mark.parametrize("case", sorted(STAFF_DATES))
def test_staff_booking_refuses_the_date_and_names_it(open_clinic: Clinic, case: str) -> None:
    typed, field, message = STAFF_DATES[case]
    before = snapshot()
    desk = login_as(open_clinic.front_desk)
    response = desk.post(
        reverse("scheduling:appointment_create"),
        {
            "client": open_clinic.alice.pk,
            "service": open_clinic.service.pk,
            "location": open_clinic.location.pk,
            "therapist": open_clinic.tess.pk,
            **typed,
        },
    )
    assert response.status_code == 400
    _, shown = field_error(response, field)
    assert message in shown
    assert unchanged(before)


@pytest.mark.parametrize("case", sorted(STAFF_DATES))
def test_staff_moves_and_series_refuse_the_date(
    open_clinic: Clinic, booked: Appointment, case: str
) -> None:
    typed, _, message = STAFF_DATES[case]
    before = snapshot()
    desk = login_as(open_clinic.front_desk)
    moved = desk.post(
        reverse("scheduling:appointment_move", args=[booked.pk]),
        {"therapist": open_clinic.tess.pk, **typed},
    )
    series = desk.post(
        reverse("scheduling:client_series", args=[open_clinic.alice.pk]),
        {
            "service": open_clinic.service.pk,
            "location": open_clinic.location.pk,
            "therapist": open_clinic.tess.pk,
            "count": 4,
            "per_week": 1,
            "days_between": 3,
            "book": "1",
            **typed,
        },
    )
    for response in (moved, series):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert unchanged(before)


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "garbage"])
def test_the_calendar_refuses_a_date_out_of_range(open_clinic: Clinic, date: str) -> None:
    desk = login_as(open_clinic.front_desk)
    response = desk.get(reverse("scheduling:calendar"), {"date": date})
    assert response.status_code == 400
    assert "date:" in response.content.decode()
