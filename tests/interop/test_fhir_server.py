"""The FHIR server as a physician's system and the clinic's staff meet it: a connected system
reads with its token and only what its scopes allow; staff read what the policy lets them;
searches page; the bulk export is kicked off, polled, downloaded and cancelled; every read of a
client's record is in the audit log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from backcare.audit.models import AuditEvent
from backcare.interop.models import ExportJob
from backcare.outcomes.actions import record_response
from backcare.outcomes.catalogue import instruments
from backcare.systems import actions as systems
from tests.conftest import Clinic, login_as
from tests.interop.fhir import validate
from tests.systems.smart import OtherSystem, connect, token_for

BASE = "http://127.0.0.1:8000/fhir/R4"


class SystemHttp:
    """A connected system's HTTP client: every request carries its bearer token."""

    def __init__(self, token: str) -> None:
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **extra: Any) -> Any:
        return self.http.get(
            url.removeprefix("http://127.0.0.1:8000"), headers=self.headers, **extra
        )

    def delete(self, url: str) -> Any:
        return self.http.delete(url.removeprefix("http://127.0.0.1:8000"), headers=self.headers)


@pytest.fixture
def alice_measured(clinic: Clinic) -> None:
    """Alice's pain NRS on three days, and a PEG."""
    for day, nrs in ((1, 7), (8, 5), (15, 3)):
        record_response(
            clinic.owner,
            clinic.alice,
            "nrs",
            [nrs],
            occasion="other",
            now=dt.datetime(2026, 3, day, 15, 0, tzinfo=dt.UTC),
        )
    record_response(
        clinic.owner,
        clinic.alice,
        "peg",
        [6, 5, 4],
        occasion="other",
        now=dt.datetime(2026, 3, 15, 15, 0, tzinfo=dt.UTC),
    )


def system_with(clinic: Clinic, scopes: str = "system/*.read") -> SystemHttp:
    other = OtherSystem()
    system = connect(clinic.owner, other, scopes)
    return SystemHttp(token_for(system, other, scopes))


def test_a_system_with_a_token_reads_a_patient_and_the_read_is_audited(clinic: Clinic) -> None:
    physician = system_with(clinic)

    response = physician.get(f"/fhir/R4/Patient/{clinic.alice.pk}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    patient = response.json()
    validate(patient)
    assert patient["name"][0]["family"] == clinic.alice.last_name
    read = AuditEvent.objects.get(action="fhir.read")
    assert read.client_id == clinic.alice.pk
    assert read.actor_email.startswith("Peachtree EHR (system ")


def test_without_a_token_or_with_a_bad_one_the_server_asks_for_one(clinic: Clinic) -> None:
    anonymous = HttpClient().get("/fhir/R4/Patient")
    made_up = SystemHttp("made-up").get("/fhir/R4/Patient")

    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Bearer"
    assert anonymous.json()["resourceType"] == "OperationOutcome"
    assert made_up.status_code == 401
    assert 'error="invalid_token"' in made_up["WWW-Authenticate"]


def test_a_system_reads_only_the_types_its_scopes_name(
    clinic: Clinic, alice_measured: None
) -> None:
    physician = system_with(clinic, "system/Patient.read")

    assert physician.get("/fhir/R4/Patient").status_code == 200
    refused = physician.get(f"/fhir/R4/Observation?patient={clinic.alice.pk}")
    assert refused.status_code == 403
    assert "scopes" in refused.json()["issue"][0]["diagnostics"]


def test_a_disconnected_systems_token_stops_working_at_once(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)
    physician = SystemHttp(token_for(system, other))
    assert physician.get("/fhir/R4/Patient").status_code == 200

    systems.revoke_system(clinic.owner, system, now=timezone.now())

    assert physician.get("/fhir/R4/Patient").status_code == 401


def test_a_system_cannot_write(clinic: Clinic) -> None:
    physician = system_with(clinic)
    response = physician.http.post(
        "/fhir/R4/Patient", "{}", content_type="application/fhir+json", headers=physician.headers
    )
    assert response.status_code == 405


def test_search_by_patient_and_date_pages_with_links(clinic: Clinic, alice_measured: None) -> None:
    physician = system_with(clinic)

    first = physician.get(
        f"/fhir/R4/Observation?patient=Patient/{clinic.alice.pk}&date=ge2026-03-01&_count=2"
    ).json()

    validate(first)
    assert first["type"] == "searchset"
    assert first["total"] == 4
    assert len(first["entry"]) == 2
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert "previous" not in links
    second = physician.get(links["next"]).json()
    assert len(second["entry"]) == 2
    assert "next" not in {link["relation"] for link in second["link"]}
    ids = [e["resource"]["id"] for e in first["entry"] + second["entry"]]
    assert len(set(ids)) == 4
    march_8 = physician.get(
        f"/fhir/R4/Observation?patient={clinic.alice.pk}&date=2026-03-08"
    ).json()
    assert [e["resource"]["valueQuantity"]["value"] for e in march_8["entry"]] == [5]


def test_last_updated_finds_what_changed_since(clinic: Clinic, alice_measured: None) -> None:
    physician = system_with(clinic)
    recent = physician.get("/fhir/R4/Observation?_lastUpdated=gt2026-03-10T00:00:00Z").json()
    assert recent["total"] == 2


def test_a_bad_search_value_is_a_400_naming_the_parameter(clinic: Clinic) -> None:
    physician = system_with(clinic)
    response = physician.get("/fhir/R4/Observation?date=last-tuesday")
    assert response.status_code == 400
    assert response.json()["issue"][0]["diagnostics"].startswith("date:")
    assert physician.get("/fhir/R4/Observation?_count=many").status_code == 400
    assert physician.get("/fhir/R4/Spaceship").status_code == 404


def test_staff_read_as_the_policy_lets_them(clinic: Clinic, alice_measured: None) -> None:
    url = f"/fhir/R4/Observation?patient={clinic.alice.pk}"
    tess = login_as(clinic.tess.user).get(url).json()
    theo = login_as(clinic.theo.user).get(url).json()
    desk = login_as(clinic.front_desk).get(url).json()
    desk_patient = login_as(clinic.front_desk).get(f"/fhir/R4/Patient/{clinic.alice.pk}")

    assert tess["total"] == 4
    assert theo["total"] == 0  # does not treat Alice
    assert desk["total"] == 0  # outcome measures are clinical
    assert desk_patient.status_code == 200  # demographics are the desk's
    assert AuditEvent.objects.filter(action="fhir.searched", client=clinic.alice).count() == 1


def test_the_instruments_questionnaires_round_trip_through_the_fhir_models(
    clinic: Clinic,
) -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire

    physician = system_with(clinic)
    for instrument in instruments().values():
        served = physician.get(f"/fhir/R4/Questionnaire/{instrument.id}").json()
        model = Questionnaire.model_validate(served)
        assert json.loads(model.model_dump_json(exclude_none=True)) == served
        assert served == {**instrument.questionnaire, "id": instrument.id}


def test_the_capability_statement_lists_exactly_what_is_served(clinic: Clinic) -> None:
    from backcare.interop.kinds import KINDS

    statement = HttpClient().get("/fhir/R4/metadata").json()
    validate(statement)
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert served == {*KINDS, "Binary"}
    assert statement["fhirVersion"] == "4.0.1"


def test_a_system_finds_the_token_address_by_smart_discovery(clinic: Clinic) -> None:
    found = HttpClient().get("/fhir/R4/.well-known/smart-configuration").json()
    assert found["token_endpoint"] == "http://127.0.0.1:8000/auth/token"
    assert found["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]


# --- Bulk export ----------------------------------------------------------------------------


def kick_off(physician: SystemHttp, query: str = "", *, level: str = "") -> Any:
    return physician.get(
        f"/fhir/R4/{level}$export{query}",
        HTTP_PREFER="respond-async",
        HTTP_ACCEPT="application/fhir+json",
    )


def test_bulk_export_kick_off_poll_and_download(
    clinic: Clinic, alice_measured: None, django_capture_on_commit_callbacks: Any
) -> None:
    physician = system_with(clinic)

    with django_capture_on_commit_callbacks(execute=True):
        kicked = kick_off(physician, "?_type=Patient,Observation")

    assert kicked.status_code == 202
    status_url = kicked["Content-Location"]
    assert status_url.startswith(f"{BASE}/$export-poll-status/")
    done = physician.get(status_url)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    assert {o["type"]: o["count"] for o in manifest["output"]} == {"Patient": 2, "Observation": 4}
    observations = physician.get(
        next(o["url"] for o in manifest["output"] if o["type"] == "Observation")
    )
    assert observations["Content-Type"] == "application/fhir+ndjson"
    lines = b"".join(observations.streaming_content).decode().splitlines()
    assert len(lines) == 4
    for line in lines:
        validate(json.loads(line))
    assert AuditEvent.objects.filter(action="fhir.export_started").exists()
    assert AuditEvent.objects.filter(action="fhir.export_downloaded").exists()


def test_an_export_in_progress_answers_202_with_its_progress(clinic: Clinic) -> None:
    physician = system_with(clinic)
    kicked = kick_off(physician)  # the queue has not run it yet
    waiting = physician.get(kicked["Content-Location"])
    assert waiting.status_code == 202
    assert waiting["X-Progress"] == "Queued"


def test_an_export_is_only_for_whoever_asked_and_since_limits_it(
    clinic: Clinic, alice_measured: None, django_capture_on_commit_callbacks: Any
) -> None:
    physician = system_with(clinic)
    someone_else = system_with(clinic)
    with django_capture_on_commit_callbacks(execute=True):
        kicked = kick_off(
            physician, "?_type=Observation&_since=2026-03-10T00:00:00Z", level="Patient/"
        )

    assert someone_else.get(kicked["Content-Location"]).status_code == 404
    assert login_as(clinic.owner).get(kicked["Content-Location"]).status_code == 404
    manifest = physician.get(kicked["Content-Location"]).json()
    assert manifest["output"][0]["count"] == 2


def test_deleting_an_export_cancels_it_and_removes_its_files(
    clinic: Clinic, alice_measured: None, django_capture_on_commit_callbacks: Any
) -> None:
    physician = system_with(clinic)
    with django_capture_on_commit_callbacks(execute=True):
        kicked = kick_off(physician, "?_type=Patient")
    file_url = physician.get(kicked["Content-Location"]).json()["output"][0]["url"]

    assert physician.delete(kicked["Content-Location"]).status_code == 202

    assert physician.get(kicked["Content-Location"]).status_code == 404
    assert physician.get(file_url).status_code == 404
    assert ExportJob.objects.get().status == "cancelled"


@pytest.mark.parametrize(
    ("query", "headers", "says"),
    [
        ("", {}, "Prefer: respond-async"),
        ("?_type=Spaceship", {"HTTP_PREFER": "respond-async"}, "_type"),
        ("?_since=yesterday", {"HTTP_PREFER": "respond-async"}, "_since"),
        ("?_outputFormat=text/csv", {"HTTP_PREFER": "respond-async"}, "_outputFormat"),
    ],
)
def test_a_bad_export_request_is_refused_naming_what_is_wrong(
    clinic: Clinic, query: str, headers: dict[str, str], says: str
) -> None:
    physician = system_with(clinic)
    response = physician.get(f"/fhir/R4/$export{query}", **headers)
    assert response.status_code == 400
    assert says in response.json()["issue"][0]["diagnostics"]
    assert not ExportJob.objects.exists()


def test_a_system_exports_only_the_types_its_scopes_name(
    clinic: Clinic, alice_measured: None, django_capture_on_commit_callbacks: Any
) -> None:
    physician = system_with(clinic, "system/Patient.read")
    with django_capture_on_commit_callbacks(execute=True):
        kicked = kick_off(physician)
    manifest = physician.get(kicked["Content-Location"]).json()
    assert [o["type"] for o in manifest["output"]] == ["Patient"]


def test_a_practitioner_carries_the_npi_the_clinic_entered(clinic: Clinic) -> None:
    from backcare.billing.models import ProviderNumbers

    ProviderNumbers.objects.create(therapist=clinic.tess, npi="1234567893")
    owner = login_as(clinic.owner)

    tess = owner.get(f"/fhir/R4/Practitioner/{clinic.tess.pk}").json()
    theo = owner.get(f"/fhir/R4/Practitioner/{clinic.theo.pk}").json()

    npi = "http://hl7.org/fhir/sid/us-npi"
    assert {"system": npi, "value": "1234567893"} in tess["identifier"]
    assert all(identifier["system"] != npi for identifier in theo["identifier"])
    validate(tess)


def test_a_location_carries_the_npi_the_clinic_entered(clinic: Clinic) -> None:
    from backcare.billing.models import ProviderNumbers
    from tests.factories import LocationFactory

    westside = LocationFactory.create(name="Westside")
    ProviderNumbers.objects.create(location=clinic.location, npi="1234567893")
    physician = system_with(clinic)

    midtown = physician.get(f"/fhir/R4/Location/{clinic.location.pk}").json()
    listed = physician.get("/fhir/R4/Location").json()
    without = physician.get(f"/fhir/R4/Location/{westside.pk}").json()

    npi = {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
    assert midtown["identifier"] == [npi]
    found = {entry["resource"]["id"]: entry["resource"] for entry in listed["entry"]}
    assert found[str(clinic.location.pk)]["identifier"] == [npi]
    assert "identifier" not in without  # none entered: none sent
    validate(midtown)
    validate(listed)


def test_the_locations_npis_are_read_in_the_same_queries_however_many_locations(
    clinic: Clinic,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backcare.billing.models import ProviderNumbers
    from tests.factories import LocationFactory

    physician = system_with(clinic)

    def queries() -> int:
        with CaptureQueriesContext(connection) as run:
            assert physician.get("/fhir/R4/Location").status_code == 200
        return len(run)

    ProviderNumbers.objects.create(location=clinic.location, npi="1234567893")
    few = queries()
    for number in range(5):
        place = LocationFactory.create(name=f"Westside {number}")
        ProviderNumbers.objects.create(location=place, npi="1234567893")
    many = queries()

    assert many == few


def test_the_export_command_shows_a_progress_bar_on_a_terminal(
    clinic: Clinic, alice_measured: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tests.imports.test_import import Terminal

    terminal, out = Terminal(), StringIO()
    monkeypatch.setattr("sys.stdout", terminal)

    call_command("fhir", "export", str(tmp_path), "--type", "Patient,Observation", stdout=out)

    assert "Observation" in terminal.getvalue()  # the type being written
    assert "6/6" in terminal.getvalue()  # two clients and four measures
    assert out.getvalue().splitlines()[-1] == f"Wrote 6 resources to {tmp_path}."
