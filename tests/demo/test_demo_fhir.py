"""The demo clinic through FHIR: every resource it exports is valid FHIR, uses the official code
systems, and refers only to resources that are there; a client's $everything is their whole
record; `backcare fhir export` writes the same as NDJSON files."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from backcare.accounts.models import User
from backcare.interop import reading
from backcare.interop.kinds import KINDS
from tests.interop.fhir import unresolved, validate
from tests.two_factor import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def exported(demo_once: None, django_db_blocker: Any) -> list[dict[str, Any]]:
    with django_db_blocker.unblock():
        return [resource for _, resource in reading.stream(None, list(KINDS))]


def test_every_resource_the_demo_exports_is_valid_fhir(exported: list[dict[str, Any]]) -> None:
    for resource in exported:
        validate(resource)
    served = Counter(resource["resourceType"] for resource in exported)
    assert set(served) == set(KINDS), "every resource type the server serves has demo data"


def test_every_reference_in_the_export_resolves(exported: list[dict[str, Any]]) -> None:
    assert unresolved(exported) == []


def test_low_back_pain_and_the_outcome_measures_carry_official_codes(
    exported: list[dict[str, Any]],
) -> None:
    conditions = [r for r in exported if r["resourceType"] == "Condition"]
    codings = {(c["system"], c["code"]) for c in conditions[0]["code"]["coding"]}
    assert codings == {
        ("http://hl7.org/fhir/sid/icd-10-cm", "M54.50"),
        ("http://snomed.info/sct", "279039007"),
    }
    observations = [r for r in exported if r["resourceType"] == "Observation"]
    loinc = Counter(
        coding["code"]
        for r in observations
        for coding in r["code"]["coding"]
        if coding["system"] == "http://loinc.org"
    )
    assert loinc["72514-3"] > 0  # pain NRS
    assert loinc["91147-9"] > 0  # PEG score
    peg = next(r for r in observations if r["code"]["coding"][0]["code"] == "91147-9")
    assert [c["code"]["coding"][0]["code"] for c in peg["component"]] == [
        "75893-8",
        "91145-3",
        "91146-1",
    ]
    assert all("effectiveDateTime" in r for r in observations)
    assert any("encounter" in r for r in observations)


WHOLE_RECORD = (
    "Patient",
    "Encounter",
    "Observation",
    "QuestionnaireResponse",
    "CarePlan",
    "Flag",
    "DocumentReference",
)


def _client_with_a_full_record(exported: list[dict[str, Any]]) -> int:
    """A demo client with every part of a record: sessions, outcomes, a program, an alert or a
    hold, and a letter or a summary."""
    types: dict[str, set[str]] = {}
    for r in exported:
        owner = r.get("subject", r.get("patient", {})).get("reference", "")
        if r["resourceType"] == "Patient":
            owner = f"Patient/{r['id']}"
        if owner.startswith("Patient/"):
            types.setdefault(owner, set()).add(r["resourceType"])
    return next(
        int(owner.removeprefix("Patient/"))
        for owner, found in sorted(types.items())
        if set(WHOLE_RECORD) <= found
    )


def test_everything_of_a_demo_client_is_their_whole_record_with_every_reference_resolved(
    exported: list[dict[str, Any]],
) -> None:
    client_id = _client_with_a_full_record(exported)
    http = signed_in(User.objects.get(email="owner@backcare.demo"))

    response = http.get(f"/fhir/R4/Patient/{client_id}/$everything")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = response.json()
    validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    types = Counter(r["resourceType"] for r in resources)
    for wanted in WHOLE_RECORD:
        assert types[wanted] > 0, wanted
    assert types["Patient"] == 1
    assert unresolved(resources) == []
    own = {
        r["subject"]["reference"]
        for r in resources
        if "subject" in r and r["resourceType"] != "Questionnaire"
    }
    assert own == {f"Patient/{client_id}"}, "nobody else's records"


def test_a_documents_attachment_url_gives_its_pdf(exported: list[dict[str, Any]]) -> None:
    http = signed_in(User.objects.get(email="owner@backcare.demo"))
    documents = [r for r in exported if r["resourceType"] == "DocumentReference"]
    kinds = {
        r["id"].split("-")[0] + ("-" + r["id"][9] if r["id"].startswith("referral") else "")
        for r in documents
    }
    assert {"summary", "referral-a"} <= kinds
    for document in (
        next(r for r in documents if r["id"].startswith("summary-")),
        next(r for r in documents if r["id"].startswith("referral-a")),
    ):
        url = document["content"][0]["attachment"]["url"]
        response = http.get(url.removeprefix("http://127.0.0.1:8000"))
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_the_export_command_writes_one_ndjson_file_a_type_and_prints_counts(
    tmp_path: Path,
) -> None:
    out = StringIO()
    call_command("fhir", "export", str(tmp_path), "--type", "Patient,Observation", stdout=out)

    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["Observation.ndjson", "Patient.ndjson"]
    patients = [json.loads(line) for line in (tmp_path / "Patient.ndjson").read_text().splitlines()]
    assert f"Patient: {len(patients)}" in out.getvalue()
    for patient in patients:
        validate(patient)


def test_the_export_command_since_keeps_only_what_changed(tmp_path: Path) -> None:
    call_command(
        "fhir",
        "export",
        str(tmp_path),
        "--type",
        "Observation",
        "--since",
        "2100-01-01T00:00:00Z",
        stdout=StringIO(),
    )
    assert not (tmp_path / "Observation.ndjson").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--type", "Pateint"], "--type: unknown resource type Pateint"),
        (["--since", "last week"], "--since"),
    ],
)
def test_the_export_command_names_a_bad_argument(
    tmp_path: Path, args: list[str], says: str
) -> None:

    with pytest.raises(CommandError, match=says):
        call_command("fhir", "export", str(tmp_path), *args, stdout=StringIO())
