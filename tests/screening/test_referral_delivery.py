"""Getting the word out (SPEC §2 step 2, §3): the referral letter downloaded by staff and emailed
to the physician, and the alert staff get for an urgent or clearance screening, which names no
clinical reason."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from backcare.audit.models import AuditEvent
from backcare.clinic.models import Client
from backcare.screening.models import Screening
from backcare.screening.ruleset import load_rules
from tests import factories
from tests.conftest import Clinic, login_as
from tests.notices.conftest import DATABASE_QUEUE, made_only_by_the_worker, run_worker
from tests.pages import text

DR_OKAFOR = "m.okafor@midtownfm.example"
Capture = Callable[..., Any]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def letter_url(client: Client) -> str:
    return reverse("screening:letter_pdf", args=[client.pk])


def email_url(client: Client) -> str:
    return reverse("screening:letter_email", args=[client.pk])


def screening_url(client: Client) -> str:
    return reverse("screening:client", args=[client.pk])


def with_physician(client: Client, email: str = DR_OKAFOR) -> Client:
    client.physician_name = "Dr. Miriam Okafor"
    client.physician_practice = "Midtown Family Medicine"
    client.physician_email = email
    client.save(update_fields=["physician_name", "physician_practice", "physician_email"])
    return client


@pytest.fixture
def needs_clearance(clinic: Clinic) -> Screening:
    with_physician(clinic.alice)
    return factories.screened(clinic.alice, ["night_pain", "anticoagulants"])


# --- Downloading the letter -----------------------------------------------------------------


def test_the_therapist_downloads_a_referral_letter_naming_the_client(
    clinic: Clinic, needs_clearance: Screening, as_tess: HttpClient
) -> None:
    response = as_tess.get(letter_url(clinic.alice))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="referral-letter-anders-alice-{today}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    letter = pdf_text(response.content)
    assert "Alice Anders" in letter
    assert "Dr. Miriam Okafor" in letter
    assert "Tess Therapist" in letter
    assert f"licence {clinic.tess.licence_number}" in letter
    event = AuditEvent.objects.get(action="referral_letter.downloaded")
    assert event.actor == clinic.tess.user
    assert event.client == clinic.alice
    assert event.object_id == str(needs_clearance.pk)


def test_the_owner_downloads_an_unsigned_letter(
    clinic: Clinic, needs_clearance: Screening, as_owner: HttpClient
) -> None:
    response = as_owner.get(letter_url(clinic.alice))

    assert response.status_code == 200
    letter = pdf_text(response.content)
    assert "Alice Anders" in letter
    assert "Olivia Owner" not in letter  # only a therapist signs


def test_a_letter_about_a_possible_injury_asks_for_an_assessment(
    clinic: Clinic, needs_clearance: Screening, as_tess: HttpClient
) -> None:
    clearance = pdf_text(as_tess.get(letter_url(clinic.alice)).content)
    injury = pdf_text(as_tess.get(letter_url(clinic.alice), {"purpose": "possible_injury"}).content)

    assert injury != clearance
    assert "Alice Anders" in injury


def test_there_is_no_letter_before_the_client_is_screened(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    assert as_tess.get(letter_url(clinic.alice)).status_code == 404
    assert not AuditEvent.objects.filter(action="referral_letter.downloaded").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("therapist_b", 403), ("front_desk", 403), ("client_a", 404), ("client_b", 404)],
)
def test_only_the_care_team_and_the_owner_download_or_send_the_staff_letter(
    clinic: Clinic, needs_clearance: Screening, persona: str, status: int, capture: Capture
) -> None:
    http = login_as(clinic.user(persona))

    with capture(execute=True):
        assert http.get(letter_url(clinic.alice)).status_code == status
        assert http.post(email_url(clinic.alice), {"purpose": "clearance"}).status_code == status

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="referral_letter.").exists()


def test_a_stranger_is_sent_to_sign_in_for_the_letter(
    clinic: Clinic, needs_clearance: Screening
) -> None:
    response = HttpClient().get(letter_url(clinic.alice))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Emailing it to the physician -----------------------------------------------------------


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Capture) -> Capture:
    return django_capture_on_commit_callbacks


def test_the_letter_is_emailed_to_the_physician_as_a_pdf(
    clinic: Clinic, needs_clearance: Screening, as_tess: HttpClient, capture: Capture
) -> None:
    with capture(execute=True):
        response = as_tess.post(email_url(clinic.alice), {"purpose": "clearance"})

    assert response.status_code == 302
    assert response["Location"] == screening_url(clinic.alice)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [DR_OKAFOR]
    assert message.subject == "Referral from Backcare Massage Therapy"  # no name in a header
    assert "Dear Dr. Miriam Okafor" in message.body
    assert "your patient Alice Anders" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename.startswith("referral-letter-anders-alice-")
    assert content.startswith(b"%PDF")
    assert "Alice Anders" in pdf_text(content)
    event = AuditEvent.objects.get(action="referral_letter.emailed")
    assert event.actor == clinic.tess.user
    assert event.client == clinic.alice
    assert event.changes["to"] == {"before": None, "after": DR_OKAFOR}
    page = as_tess.get(response["Location"])
    assert f"The letter is on its way to {DR_OKAFOR}." in text(page)


def test_the_letter_is_made_by_the_worker_not_in_the_request(
    clinic: Clinic, needs_clearance: Screening, as_tess: HttpClient, capture: Capture
) -> None:
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        made_only_by_the_worker("backcare.screening.letter.render_referral_letter"),
        capture(execute=True),
    ):
        response = as_tess.post(email_url(clinic.alice), {"purpose": "clearance"})
    assert response.status_code == 302
    assert mail.outbox == []  # queued, waiting for the worker

    with override_settings(TASKS=DATABASE_QUEUE):
        run_worker()

    (message,) = mail.outbox
    assert message.to == [DR_OKAFOR]
    [(filename, content, mimetype)] = message.attachments
    assert filename.startswith("referral-letter-anders-alice-")
    assert mimetype == "application/pdf"
    assert "Alice Anders" in pdf_text(content)


def test_the_letter_is_sent_only_once_the_transaction_commits(
    clinic: Clinic, needs_clearance: Screening, as_tess: HttpClient, capture: Capture
) -> None:
    with capture(execute=False) as callbacks:
        as_tess.post(email_url(clinic.alice), {"purpose": "clearance"})

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_without_a_physician_email_nothing_is_sent_and_staff_are_told_why(
    clinic: Clinic, as_tess: HttpClient, capture: Capture
) -> None:
    factories.screened(clinic.alice, ["night_pain"])

    with capture(execute=True):
        response = as_tess.post(email_url(clinic.alice), {"purpose": "clearance"}, follow=True)

    assert response.redirect_chain == [(screening_url(clinic.alice), 302)]
    assert "Add the physician's email address to the client's details first." in text(response)
    assert "There is no physician email on file." in text(response)
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="referral_letter.emailed").exists()


# --- Alerting staff -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "codes", [["saddle_numbness"], ["night_pain", "history_of_cancer"]], ids=["urgent", "clearance"]
)
def test_staff_are_alerted_without_any_clinical_reason(
    clinic: Clinic, codes: list[str], capture: Capture
) -> None:
    with capture(execute=True):
        screening = factories.screened(clinic.alice, codes, actor=clinic.alice.user)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["owner@example.com", "tess@example.com"]
    assert message.subject == "A client needs your attention in Backcare"  # no name in a header
    assert "Alice Anders" in message.body
    assert screening_url(clinic.alice) in message.body
    email = f"{message.subject}\n{message.body}"
    for reason in screening.reasons:
        rule = load_rules().rule(reason["code"])
        assert reason["code"] not in email
        assert rule.message not in email
        assert not rule.client_message or rule.client_message not in email
        assert rule.source not in email


@pytest.mark.parametrize("codes", [[], ["asthma", "osteoporosis"]], ids=["cleared", "precautions"])
def test_staff_are_not_alerted_when_the_client_may_be_booked(
    clinic: Clinic, codes: list[str], capture: Capture
) -> None:
    with capture(execute=True):
        factories.screened(clinic.alice, codes)

    assert mail.outbox == []


def test_a_therapist_who_left_the_care_team_is_not_alerted(
    clinic: Clinic, capture: Capture
) -> None:
    clinic.alice.care_team.update(ended_at=timezone.now())

    with capture(execute=True):
        factories.screened(clinic.alice, ["saddle_numbness"])

    assert mail.outbox[0].to == ["owner@example.com"]
