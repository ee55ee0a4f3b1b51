"""The privacy notice clients agree to on the health questionnaire: there to read, from the
questionnaire itself, and in the owner's words once the owner writes them."""

from __future__ import annotations

from backcare.audit.models import AuditEvent
from backcare.clinic.models import PrivacyNotice
from tests.conftest import Clinic, login_as


def test_anyone_can_read_the_notice_and_it_starts_in_plain_words(clinic: Clinic) -> None:
    page = login_as(None).get("/privacy/")

    assert page.status_code == 200
    assert "keeps your health information" in page.content.decode()
    assert "Your rights" in page.content.decode()


def test_the_questionnaire_step_that_asks_for_agreement_links_to_the_notice(
    clinic: Clinic,
) -> None:
    alice = login_as(clinic.alice.user)
    alice.post("/portal/intake/start/")
    step = alice.get("/portal/intake/consents/", follow=True).content.decode()

    assert "I have read the privacy notice" in step
    assert 'href="/privacy/"' in step


def test_the_owner_writes_the_notice_and_clients_read_the_new_words(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    words = "We keep your records safe.\n\nAsk Olivia at the desk about anything."

    saved = owner.post("/staff/privacy/", {"text": words})

    assert saved.status_code == 302
    page = login_as(None).get("/privacy/").content.decode()
    assert "<p>We keep your records safe.</p>" in page
    assert "Ask Olivia at the desk about anything." in page
    assert PrivacyNotice.current().text == words
    assert AuditEvent.objects.filter(action="privacy_notice.updated", actor=clinic.owner).exists()


def test_an_empty_notice_is_refused_naming_the_field_and_the_old_one_stays(
    clinic: Clinic,
) -> None:
    owner = login_as(clinic.owner)
    owner.post("/staff/privacy/", {"text": "Our notice."})

    refused = owner.post("/staff/privacy/", {"text": "   "})

    assert refused.status_code == 400
    assert "Privacy notice" in refused.content.decode()
    assert "This field is required." in refused.content.decode()
    assert PrivacyNotice.current().text == "Our notice."
