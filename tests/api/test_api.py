"""The REST API: the public services and free times for the website widget, and clients,
appointments, programs and outcomes for a connected system with its token (SPEC §6, §10)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment, AppointmentStatus
from tests import factories
from tests.api.conftest import Api
from tests.conftest import Clinic
from tests.scheduling.clinic_week import open_weekdays

# Monday 1 June 2026, 08:00 in Atlanta (the factories' location zone is America/New_York).
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def local(day: int, hour: int) -> str:
    return f"2026-06-{day:02d}T{hour:02d}:00:00-04:00"


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """Tess and Theo work Monday to Friday 09:00-17:00 at Midtown, with no lunch."""
    return open_weekdays(clinic, breaks=())


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False):
        yield


# --- Public: the website widget's data --------------------------------------------------------


def test_anyone_sees_the_services_and_locations_without_signing_in(open_clinic: Clinic) -> None:
    http = HttpClient()
    services = http.get("/api/v1/public/services").json()
    assert [s["name"] for s in services] == [open_clinic.service.name]
    locations = http.get("/api/v1/public/locations").json()
    assert locations[0]["name"] == "Midtown"


def test_free_times_link_to_booking_and_name_no_client(open_clinic: Clinic) -> None:
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=dt.datetime(2026, 6, 3, 14, 0, tzinfo=dt.UTC),
    )
    response = HttpClient().get(
        f"/api/v1/public/locations/{open_clinic.location.pk}/availability",
        {"service_id": str(open_clinic.service.pk), "start": "2026-06-03", "days": "1"},
    )
    assert response.status_code == 200
    body = response.json()
    times = [(t["starts"], t["therapist_name"]) for t in body["free_times"]]
    assert ("2026-06-03T10:00:00-04:00", open_clinic.theo.name) in times
    assert ("2026-06-03T10:00:00-04:00", open_clinic.tess.name) not in times  # Alice's time
    assert "/portal/book/confirm/?" in body["free_times"][0]["book_url"]
    assert "Alice" not in response.content.decode()


def test_a_bad_day_is_a_problem_naming_the_field(open_clinic: Clinic) -> None:
    response = HttpClient().get(
        f"/api/v1/public/locations/{open_clinic.location.pk}/availability",
        {"service_id": str(open_clinic.service.pk), "start": "3026-01-01"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"][0]["field"] == "start"
    missing = HttpClient().get(f"/api/v1/public/locations/{open_clinic.location.pk}/availability")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "service_id"


@override_settings(API_PUBLIC_PER_MINUTE=3)
def test_the_public_api_is_rate_limited_per_address(open_clinic: Clinic) -> None:
    http = HttpClient(REMOTE_ADDR="203.0.113.9")
    answers = [http.get("/api/v1/public/services").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = http.get("/api/v1/public/services")
    assert limited["Content-Type"] == "application/problem+json"
    assert "Retry-After" in limited
    other = HttpClient(REMOTE_ADDR="203.0.113.10")
    assert other.get("/api/v1/public/services").status_code == 200


@override_settings(CORS_ALLOWED_ORIGINS=["https://clinic.example"])
def test_only_the_clinics_own_sites_may_call_the_public_api_from_a_page(
    open_clinic: Clinic, system_api: Api
) -> None:
    http = HttpClient()
    allowed = http.get("/api/v1/public/services", headers={"Origin": "https://clinic.example"})
    assert allowed["Access-Control-Allow-Origin"] == "https://clinic.example"
    stranger = http.get("/api/v1/public/services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger
    private = http.get("/api/v1/clients", headers={"Origin": "https://clinic.example"})
    assert "Access-Control-Allow-Origin" not in private


def test_the_widget_script_and_the_api_documentation_are_served(open_clinic: Clinic) -> None:
    http = HttpClient()
    assert http.get("/api/v1/docs").status_code == 200
    document = http.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    book = document["paths"]["/api/v1/appointments"]["post"]
    assert "application/problem+json" in book["responses"]["409"]["content"]
    script = http.get("/widget/booking.js")
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert b"/api/v1/public" in script.content


# --- With a system token ----------------------------------------------------------------------


def test_records_need_a_working_token(open_clinic: Clinic) -> None:
    for api in (Api(), Api("not-a-token")):
        response = api.get("/clients")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_reads_only_what_its_scopes_name(
    open_clinic: Clinic, api_token: Callable[..., str]
) -> None:
    api = Api(api_token("system/Patient.read"))
    assert api.get("/clients").status_code == 200
    assert api.get("/programs").status_code == 403
    refused = api.post(f"/appointments/{1}/cancel", {"reason": "no"})
    assert refused.status_code == 403


def test_reading_a_client_is_audited_with_the_system_named(
    open_clinic: Clinic, system_api: Api
) -> None:
    response = system_api.get(f"/clients/{open_clinic.alice.pk}")
    assert response.status_code == 200
    assert response.json()["last_name"] == open_clinic.alice.last_name
    read = AuditEvent.objects.get(action="api.client_read")
    assert read.client == open_clinic.alice
    assert "Peachtree EHR" in read.actor_email
    assert AuditEvent.objects.filter(action="system_token.used").exists()


def test_a_system_books_moves_and_cancels_through_the_clinics_rules(
    open_clinic: Clinic, system_api: Api
) -> None:
    c = open_clinic
    factories.screened(c.bob, [])
    booking = {
        "client_id": c.bob.pk,
        "service_id": c.service.pk,
        "therapist_id": c.tess.pk,
        "location_id": c.location.pk,
        "starts": local(3, 10),
    }
    booked = system_api.post("/appointments", booking)
    assert booked.status_code == 201, booked.content
    appointment_id = booked.json()["id"]
    assert Appointment.objects.get(pk=appointment_id).status == AppointmentStatus.BOOKED

    twice = system_api.post("/appointments", {**booking, "client_id": c.alice.pk})
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("slot-taken")
    assert twice.json()["errors"][0]["field"] == "starts"

    off_grid = system_api.post(
        f"/appointments/{appointment_id}/move", {"starts": local(3, 11)[:14] + "07:00-04:00"}
    )
    assert off_grid.status_code == 409
    assert "quarter hour" in off_grid.json()["detail"]

    moved = system_api.post(f"/appointments/{appointment_id}/move", {"starts": local(4, 11)})
    assert moved.status_code == 200
    assert moved.json()["starts"].startswith("2026-06-04T15:00")

    cancelled = system_api.post(f"/appointments/{appointment_id}/cancel", {"reason": "Moved away"})
    assert cancelled.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="appointment.cancelled").count() == 1


def test_a_booking_with_a_wrong_field_names_it(open_clinic: Clinic, system_api: Api) -> None:
    response = system_api.post(
        "/appointments",
        {
            "client_id": 999999,
            "service_id": 1,
            "therapist_id": 1,
            "location_id": 1,
            "starts": "2026-06-03T10:00:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts"  # no offset
    unknown = system_api.post(
        "/appointments",
        {
            "client_id": 999999,
            "service_id": 1,
            "therapist_id": 1,
            "location_id": 1,
            "starts": local(3, 10),
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "client_id"


def test_every_list_pages_alike_and_names_a_bad_limit(open_clinic: Clinic, system_api: Api) -> None:
    for path in ("/clients", "/appointments", "/programs", "/outcomes"):
        first = system_api.get(f"{path}?limit=1&offset=0")
        assert first.status_code == 200, path
        assert len(first.json()["items"]) <= 1
        assert first.json()["count"] >= len(first.json()["items"])
        refused = system_api.get(f"{path}?limit=0")
        assert refused.status_code == 422, path
        assert refused.json()["errors"][0]["field"] == "limit", path
