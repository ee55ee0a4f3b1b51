"""Bad input is a 4xx that names the field, never a server error, and nothing huge is stored:
the analytics dates, the client search of the booking page, the note's text, a service's
description."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backcare.clinic.models import Service
from backcare.notes.models import SessionNote
from tests.conftest import Clinic, login_as
from tests.pages import field_error

MEGABYTE = "word " * 200_000


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("9990-01-01", "9999-12-31", "start"), ("2026-01-01", "9999-12-31", "end")],
)
def test_analytics_dates_out_of_range_are_named(
    clinic: Clinic, start: str, end: str, field: str
) -> None:
    owner = login_as(clinic.owner)
    for url in (reverse("analytics:dashboard"), reverse("analytics:export", args=["programs"])):
        response = owner.get(url, {"start": start, "end": end})
        assert response.status_code == 400, url
        assert "from 1970" in response.content.decode()


def test_a_pasted_page_in_the_booking_search_is_not_a_server_error(clinic: Clinic) -> None:
    desk = login_as(clinic.front_desk)
    response = desk.get(
        reverse("scheduling:appointment_create"),
        {"q": MEGABYTE, "client": "9" * 30},
    )
    assert response.status_code == 200


def test_a_service_description_of_a_megabyte_is_refused_naming_it(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    response = owner.post(
        reverse("clinic:service_edit", args=[clinic.service.pk]),
        {
            "name": clinic.service.name,
            "description": MEGABYTE,
            "duration_minutes": 60,
            "buffer_after_minutes": 15,
            "price": "95.00",
            "techniques": ["swedish"],
            "needs_room": "on",
            "active": "on",
        },
    )
    assert response.status_code == 400
    _, message = field_error(response, "description")
    assert "at most 2000 characters" in message
    assert Service.objects.get(pk=clinic.service.pk).description == ""


def test_a_session_note_of_a_megabyte_is_refused_naming_the_field(clinic: Clinic) -> None:
    from tests.factories import AppointmentFactory

    session = AppointmentFactory.create(
        client=clinic.alice, therapist=clinic.tess, service=clinic.service, location=clinic.location
    )
    tess = login_as(clinic.tess.user)
    response = tess.post(
        reverse("notes:note_save", args=[session.pk]), {"subjective": MEGABYTE, "save": "1"}
    )
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert not SessionNote.objects.filter(appointment=session).exists()


def test_a_therapists_bio_of_a_megabyte_is_refused_naming_it(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    response = owner.post(
        reverse("clinic:therapist_edit", args=[clinic.tess.pk]),
        {
            "full_name": "Tess Therapist",
            "email": "tess@example.com",
            "techniques": ["swedish"],
            "bio": MEGABYTE,
            "active": "on",
        },
    )
    assert response.status_code == 400
    _, message = field_error(response, "bio")
    assert "at most 2000 characters" in message


def test_an_audit_filter_past_the_calendar_or_beyond_any_record_is_named(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    huge = owner.get(reverse("audit:log"), {"client": "99999999999999999999"})
    assert huge.status_code == 400
    _, message = field_error(huge, "client")
    assert "less than or equal to" in message
    last_day = owner.get(reverse("audit:log"), {"until": "9999-12-31"})
    assert last_day.status_code == 400
    _, message = field_error(last_day, "until")
    assert "before the last day of the year 9999" in message
