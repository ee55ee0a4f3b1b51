"""The screening endpoint for staff: SPEC §3 JSON in and out, bad input named, nothing written."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client as HttpClient

from backcare.audit.models import AuditEvent
from backcare.screening.cli import main
from tests.conftest import Clinic

URL = "/staff/screening/check/"
SPEC_EXAMPLE = {
    "age": 58,
    "pain": {"nrs_now": 6, "duration_weeks": 30},
    "codes": ["anticoagulants", "asthma"],
}


def post(http: HttpClient, body: object) -> tuple[int, dict[str, object]]:
    raw = body if isinstance(body, str) else json.dumps(body)
    response = http.post(URL, raw, content_type="application/json")
    return response.status_code, response.json()


def test_a_therapist_screens_the_spec_example(clinic: Clinic, as_tess: HttpClient) -> None:
    status, result = post(as_tess, SPEC_EXAMPLE)
    assert status == 200
    assert result["decision"] == "cleared_with_precautions"
    techniques = result["techniques"]
    assert isinstance(techniques, dict)
    assert len(techniques) == 8
    assert techniques["deep_tissue"] == "avoid"
    assert techniques["aromatherapy"] == "avoid"
    assert result["max_pressure"] == 2
    assert result["positioning"] == "any"


def test_the_endpoint_answers_exactly_what_the_command_line_prints(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    out = io.StringIO()
    assert main(["-"], io.StringIO(json.dumps(SPEC_EXAMPLE)), out, io.StringIO()) == 0
    assert post(as_owner, SPEC_EXAMPLE) == (200, json.loads(out.getvalue()))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SPEC_EXAMPLE, "codes": ["anticoagulants", "unicorn"]}, "codes[1]"),
        ({"pain": {"nrs_now": 6, "duration_weeks": 30}}, "age"),
        ({**SPEC_EXAMPLE, "pain": {"nrs_now": 11, "duration_weeks": 30}}, "pain.nrs_now"),
        ({**SPEC_EXAMPLE, "pain": {"nrs_now": 6, "duration_weeks": -1}}, "pain.duration_weeks"),
        ({**SPEC_EXAMPLE, "age": "58"}, "age"),
        ("{not json", "body"),
    ],
)
def test_bad_input_is_refused_with_400_naming_the_field_and_nothing_is_written(
    clinic: Clinic, as_tess: HttpClient, body: object, field: str
) -> None:
    audit_rows = AuditEvent.objects.count()
    status, result = post(as_tess, body)
    assert status == 400
    assert result["field"] == field
    assert str(result["error"]).startswith(f"{field}:")
    assert AuditEvent.objects.count() == audit_rows


def test_front_desk_and_clients_may_not_screen(
    clinic: Clinic, as_front_desk: HttpClient, as_alice: HttpClient
) -> None:
    for http in (as_front_desk, as_alice):
        response = http.post(URL, json.dumps(SPEC_EXAMPLE), content_type="application/json")
        assert response.status_code == 403
