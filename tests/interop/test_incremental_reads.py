"""A physician's system that keeps up by asking only for what changed (``_lastUpdated``, an
export ``_since``, ``backcare fhir export --since``) sees every change: an appointment moved,
checked in, completed or cancelled, and a client's details edited; and the server says plainly
which resource types it cannot search by their time of change."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient

from backcare.booking.actions import (
    cancel_appointment,
    check_in,
    complete_appointment,
    reschedule_appointment,
)
from backcare.booking.models import Appointment
from backcare.clinic.actions import update_client
from backcare.interop.kinds import KINDS
from tests import factories
from tests.conftest import Clinic, login_as
from tests.interop.fhir import validate
from tests.interop.test_fhir_server import kick_off, system_with
from tests.scheduling.clinic_week import NOW, book, local, open_weekdays

BOOKED = NOW  # Monday 25 May 2026
CHANGED = dt.datetime(2026, 5, 28, 15, 0, tzinfo=dt.UTC)  # the Thursday after
SINCE = "2026-05-27T00:00:00Z"  # between the two
DIRECTORY = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "Questionnaire",
)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """The clinic is set up and Alice booked on Monday 25 May; a test moves the clock on."""
    with time_machine.travel(BOOKED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(clinic: Clinic) -> Appointment:
    """Alice booked with Tess for Monday 1 June at 10:00, a week before the change."""
    open_weekdays(clinic)
    factories.screened(clinic.alice)  # her health questions answered: she may check in
    return book(clinic, local(1, 10))


def ids(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def changed_since(clinic: Clinic, resource_type: str) -> list[str]:
    found = login_as(clinic.owner).get(f"/fhir/R4/{resource_type}?_lastUpdated=ge{SINCE}")
    assert found.status_code == 200
    return ids(found.json())


def test_before_any_change_a_booking_is_not_new_since_a_later_time(
    clinic: Clinic, booked: Appointment
) -> None:
    assert str(booked.pk) not in changed_since(clinic, "Appointment")
    assert str(clinic.alice.pk) not in changed_since(clinic, "Patient")


def test_a_moved_appointment_is_found_as_changed_and_its_last_update_moves(
    clinic: Clinic, booked: Appointment, clock: time_machine.Traveller
) -> None:
    owner = login_as(clinic.owner)
    before = owner.get(f"/fhir/R4/Appointment/{booked.pk}").json()["meta"]["lastUpdated"]

    clock.move_to(CHANGED)
    reschedule_appointment(clinic.front_desk, booked, local(2, 14), now=CHANGED)

    assert changed_since(clinic, "Appointment") == [str(booked.pk)]
    moved = login_as(clinic.owner).get(f"/fhir/R4/Appointment/{booked.pk}").json()
    validate(moved)
    assert before == "2026-05-25T12:00:00Z"
    assert moved["meta"]["lastUpdated"] == "2026-05-28T15:00:00Z"
    assert moved["start"] == "2026-06-02T18:00:00Z"
    assert changed_since(clinic, "Patient") == []  # Alice herself did not change


def test_a_checked_in_session_is_found_as_changed_and_as_an_encounter(
    clinic: Clinic, booked: Appointment, clock: time_machine.Traveller
) -> None:
    arrived = local(1, 9, 50)

    clock.move_to(arrived)
    check_in(clinic.front_desk, booked, arrived)

    owner = login_as(clinic.owner)
    later = "2026-06-01T13:00:00Z"  # after booking, before the arrival
    appointments = owner.get(f"/fhir/R4/Appointment?_lastUpdated=ge{later}").json()
    encounters = owner.get(f"/fhir/R4/Encounter?_lastUpdated=ge{later}").json()
    assert ids(appointments) == [str(booked.pk)]
    assert appointments["entry"][0]["resource"]["status"] == "arrived"
    assert ids(encounters) == [str(booked.pk)]  # before any note is signed
    encounter = encounters["entry"][0]["resource"]
    assert encounter["meta"]["lastUpdated"] == "2026-06-01T13:50:00Z"
    validate(encounter)


@pytest.mark.parametrize("change", ["completed", "cancelled"])
def test_a_completed_or_cancelled_session_is_found_as_changed(
    clinic: Clinic, booked: Appointment, clock: time_machine.Traveller, change: str
) -> None:
    at = local(1, 11)
    clock.move_to(at)
    if change == "completed":
        complete_appointment(
            clinic.tess.user, booked, at, not_checked_in_because="Came straight in"
        )
    else:
        cancel_appointment(clinic.front_desk, booked, "Feeling unwell", at)

    owner = login_as(clinic.owner)
    found = owner.get("/fhir/R4/Appointment?_lastUpdated=gt2026-06-01T14:30:00Z").json()
    assert ids(found) == [str(booked.pk)]
    assert found["entry"][0]["resource"]["meta"]["lastUpdated"] == "2026-06-01T15:00:00Z"


def test_an_edited_client_is_found_as_changed_and_their_last_update_moves(
    clinic: Clinic, booked: Appointment, clock: time_machine.Traveller
) -> None:
    clock.move_to(CHANGED)
    update_client(clinic.front_desk, clinic.alice, {"phone": "404-555-0199"})

    assert changed_since(clinic, "Patient") == [str(clinic.alice.pk)]
    alice = login_as(clinic.owner).get(f"/fhir/R4/Patient/{clinic.alice.pk}").json()
    assert alice["meta"]["lastUpdated"] == "2026-05-28T15:00:00Z"
    assert {"system": "phone", "value": "404-555-0199"} in alice["telecom"]
    assert changed_since(clinic, "Appointment") == []  # her booking did not change


def test_a_bulk_export_since_a_time_carries_the_moved_appointment_and_the_edited_client(
    clinic: Clinic,
    booked: Appointment,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.move_to(CHANGED)
    reschedule_appointment(clinic.front_desk, booked, local(2, 14), now=CHANGED)
    update_client(clinic.front_desk, clinic.alice, {"phone": "404-555-0199"})
    physician = system_with(clinic)

    with django_capture_on_commit_callbacks(execute=True):
        kicked = kick_off(physician, f"?_type=Patient,Appointment&_since={SINCE}")

    manifest = physician.get(kicked["Content-Location"]).json()
    files = {entry["type"]: entry["url"] for entry in manifest["output"]}
    exported = {
        name: [
            json.loads(line)["id"]
            for line in b"".join(physician.get(url).streaming_content).decode().splitlines()
        ]
        for name, url in files.items()
    }
    assert exported == {"Patient": [str(clinic.alice.pk)], "Appointment": [str(booked.pk)]}


def test_the_export_command_since_a_time_carries_the_checked_in_session(
    clinic: Clinic, booked: Appointment, clock: time_machine.Traveller, tmp_path: Path
) -> None:
    arrived = local(1, 9, 50)
    clock.move_to(arrived)
    check_in(clinic.front_desk, booked, arrived)

    call_command(
        "fhir",
        "export",
        str(tmp_path),
        "--type",
        "Appointment,Encounter,Patient",
        "--since",
        "2026-06-01T00:00:00Z",
    )

    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["Appointment.ndjson", "Encounter.ndjson"]
    for name in written:
        lines = (tmp_path / name).read_text().splitlines()
        assert [json.loads(line)["id"] for line in lines] == [str(booked.pk)]


def test_the_capability_statement_offers_last_updated_only_where_it_is_served(
    clinic: Clinic,
) -> None:
    statement = HttpClient().get("/fhir/R4/metadata").json()
    validate(statement)
    offered = {
        entry["type"]: {param["name"] for param in entry.get("searchParam", [])}
        for entry in statement["rest"][0]["resource"]
    }

    for name in KINDS:
        assert ("_lastUpdated" in offered[name]) == (name not in DIRECTORY), name
    for name in ("Patient", "Appointment", "Encounter", "Observation", "Flag"):
        assert "_lastUpdated" in offered[name]


@pytest.mark.parametrize("resource_type", DIRECTORY)
def test_last_updated_on_the_directory_is_refused_naming_the_parameter(
    clinic: Clinic, resource_type: str
) -> None:
    physician = system_with(clinic)

    refused = physician.get(f"/fhir/R4/{resource_type}?_lastUpdated=ge{SINCE}")
    plain = physician.get(f"/fhir/R4/{resource_type}")

    assert refused.status_code == 400
    problem = refused.json()
    assert problem["resourceType"] == "OperationOutcome"
    assert problem["issue"][0]["diagnostics"].startswith("_lastUpdated:")
    assert resource_type in problem["issue"][0]["diagnostics"]
    assert plain.status_code == 200
