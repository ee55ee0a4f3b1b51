"""A client's screening as staff read it (SPEC §3): the decision, each reason with its source,
the technique table, pressure cap and positioning; earlier screenings; the audit trail."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.lib.techniques import TECHNIQUES
from backcare.screening.models import Screening
from backcare.screening.ruleset import load_rules
from tests import factories
from tests.conftest import Clinic, login_as
from tests.intake import words
from tests.pages import text

CODES = ["anticoagulants", "pregnancy", "night_pain"]


def screening_url(clinic: Clinic) -> str:
    return reverse("screening:client", args=[clinic.alice.pk])


def detail_url(screening: Screening) -> str:
    return reverse("screening:detail", args=[screening.client_id, screening.pk])


def technique_table(page: str) -> dict[str, tuple[str, str]]:
    """Technique label -> (verdict, what to do), as the table shows them."""
    rows = re.findall(
        r'<tr class="verdict-(\w+)"><td>(.*?)</td>'
        r"<td><strong>(.*?)</strong></td><td>(.*?)</td></tr>",
        page,
    )
    table = {}
    for row_class, label, verdict, instruction in rows:
        assert row_class == verdict
        table[html.unescape(label)] = (verdict, html.unescape(instruction))
    return table


@pytest.fixture
def screened_alice(clinic: Clinic) -> Screening:
    return factories.screened(clinic.alice, CODES, actor=clinic.front_desk)


def test_the_therapist_reads_the_decision_and_each_reason_with_its_source(
    clinic: Clinic, screened_alice: Screening, as_tess: HttpClient
) -> None:
    response = as_tess.get(screening_url(clinic))

    assert response.status_code == 200
    shown = words(response)
    assert "Medical clearance required — Cannot be booked yet" in shown
    assert f"rules version {load_rules().version}" in shown
    assert len(screened_alice.reasons) == 3
    for reason in screened_alice.reasons:
        rule = load_rules().rule(reason["code"])
        assert reason["code"] in shown
        assert rule.message in shown
        assert f"Source: {rule.source}" in shown
    assert "night_pain awaiting clearance" in shown


def test_the_technique_table_shows_all_eight_techniques_with_instructions(
    clinic: Clinic, screened_alice: Screening, as_tess: HttpClient
) -> None:
    page = as_tess.get(screening_url(clinic)).content.decode()

    assert technique_table(page) == {
        "Swedish massage": ("ok", "—"),
        "Deep tissue massage": ("avoid", "No deep tissue work: bleeding and bruising risk."),
        "Sports massage": ("modify", "Light pressure only."),
        "Medical massage": ("modify", "Light pressure only."),
        "Myofascial release": ("ok", "—"),
        "Trigger point therapy": ("modify", "Light pressure only."),
        "Manual lymphatic drainage": ("modify", "No abdominal work."),
        "Aromatherapy massage": ("modify", "No clary sage, rosemary, juniper or basil."),
    }
    assert set(technique_table(page)) == set(TECHNIQUES.values())


def test_the_pressure_cap_and_positioning_are_shown(
    clinic: Clinic, screened_alice: Screening, as_tess: HttpClient
) -> None:
    shown = words(as_tess.get(screening_url(clinic)))

    assert "Pressure cap 2 of 5 at most" in shown
    assert "Positioning Side-lying" in shown


def test_a_clean_screening_shows_no_reasons_no_cap_and_any_position(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    factories.screened(clinic.alice, [])

    response = as_owner.get(screening_url(clinic))

    shown = words(response)
    assert "Cleared — may be booked" in shown
    assert "No rule fired: no red flags and no precautions." in shown
    assert "Pressure cap No cap" in shown
    assert "Positioning Any" in shown
    table = technique_table(response.content.decode())
    assert len(table) == 8
    assert {verdict for verdict, _ in table.values()} == {"ok"}


def test_a_client_without_a_screening_can_be_filled_in_from_the_page(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    response = as_tess.get(screening_url(clinic))

    assert response.status_code == 200
    assert "No screening yet" in text(response)
    assert reverse("intake:staff_start", args=[clinic.alice.pk]) in text(response)
    assert not AuditEvent.objects.filter(action="screening.viewed").exists()


def test_earlier_screenings_are_listed_and_each_can_be_read(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    first = factories.screened(clinic.alice, ["saddle_numbness"])
    second = factories.screened(clinic.alice, ["asthma"])
    latest = factories.screened(clinic.alice, CODES)

    page = as_tess.get(screening_url(clinic))

    shown = words(page)
    assert "Earlier screenings" in shown
    for earlier in (first, second):
        assert f'href="{detail_url(earlier)}"' in page.content.decode()
    assert f'href="{detail_url(latest)}"' not in page.content.decode()  # the one on show
    older = as_tess.get(detail_url(first))
    assert older.status_code == 200
    assert "This is an earlier screening" in text(older)
    assert "Urgent referral" in text(older)
    assert load_rules().rule("saddle_numbness").message in text(older)
    assert load_rules().rule("night_pain").message not in text(older)
    for version in (1, 2, 3):
        assert f"v{version}" in shown


def test_the_latest_screening_read_by_its_own_address_is_not_called_earlier(
    clinic: Clinic, screened_alice: Screening, as_tess: HttpClient
) -> None:
    response = as_tess.get(detail_url(screened_alice))

    assert response.status_code == 200
    assert "This is an earlier screening" not in text(response)


def test_another_clients_screening_is_not_found_through_alices_address(
    clinic: Clinic, screened_alice: Screening, as_owner: HttpClient
) -> None:
    bobs = factories.screened(clinic.bob, ["asthma"])

    url = reverse("screening:detail", args=[clinic.alice.pk, bobs.pk])

    assert as_owner.get(url).status_code == 404


def test_reading_a_screening_is_audited_beside_the_intake_and_the_screening_itself(
    clinic: Clinic, screened_alice: Screening, as_tess: HttpClient
) -> None:
    as_tess.get(screening_url(clinic))

    alice_events = AuditEvent.objects.filter(client=clinic.alice)
    viewed = alice_events.get(action="screening.viewed")
    assert viewed.actor == clinic.tess.user
    assert viewed.object_id == str(screened_alice.pk)
    assert viewed.object_type == "screening.screening"
    submitted = alice_events.get(action="intake.submitted")
    assert submitted.actor == clinic.front_desk
    assert submitted.object_id == str(screened_alice.intake_id)
    assert submitted.changes["codes"]["after"] == sorted(CODES)
    recorded = alice_events.get(action="screening.recorded")
    assert recorded.object_id == str(screened_alice.pk)
    assert recorded.changes["decision"]["after"] == "medical_clearance_required"
    assert recorded.changes["ruleset_version"]["after"] == load_rules().version


@pytest.mark.parametrize(
    ("persona", "status"),
    [("therapist_b", 403), ("front_desk", 403), ("client_a", 404), ("client_b", 404)],
)
def test_only_the_care_team_and_the_owner_read_a_screening(
    clinic: Clinic, screened_alice: Screening, persona: str, status: int
) -> None:
    http = login_as(clinic.user(persona))

    assert http.get(screening_url(clinic)).status_code == status
    assert http.get(detail_url(screened_alice)).status_code == status
    assert not AuditEvent.objects.filter(action="screening.viewed").exists()


def test_a_stranger_is_sent_to_sign_in_for_a_screening(
    clinic: Clinic, screened_alice: Screening
) -> None:
    response = HttpClient().get(screening_url(clinic))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_screening_page_queries_do_not_grow_with_the_history(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_tess.get(screening_url(clinic)).status_code == 200
        return len(captured)

    factories.screened(clinic.alice, ["night_pain"])
    factories.screened(clinic.alice, ["asthma"])
    with_two = queries()
    for codes in (["fever"], [], ["osteoporosis"]):
        factories.screened(clinic.alice, codes)

    assert queries() == with_two
