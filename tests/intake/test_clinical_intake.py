"""The health questionnaire is clinical (SPEC §7; issue 11 item 6): the front desk fills in a
blank one it starts with the client present, and never opens one the client (or a clinician)
prefilled, nor a past version. The owner and treating therapists keep full access, and every
read of the answers by staff is audited."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.accounts.models import User
from backcare.audit.models import AuditEvent
from backcare.clinic.models import Client
from backcare.intake.actions import start_intake
from backcare.intake.models import Intake
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.policy import QUESTIONNAIRE_IS_CLINICAL
from backcare.screening.models import Screening
from tests import factories
from tests.conftest import Clinic, login_as
from tests.intake import fill_in, step_data
from tests.pages import text

QUESTIONNAIRE = load_questionnaire()
PORTAL_STEPS = "/portal/intake/"


def staff_steps(client: Client) -> str:
    return f"/staff/clients/{client.pk}/intake/"


def staff_pages(client: Client) -> list[str]:
    """Every page of the staff questionnaire that shows answers, for each step and the review."""
    return [
        *(reverse("intake:staff_step", args=[client.pk, s.id]) for s in QUESTIONNAIRE.steps),
        reverse("intake:staff_review", args=[client.pk]),
    ]


def draft(client: Client) -> Intake:
    return Intake.objects.get(client=client, status=Intake.Status.DRAFT)


def assert_clinical_refusal(http: HttpClient, client: Client) -> None:
    """The desk is refused the start and every page, told why, and shown nothing."""
    refusals = [http.post(reverse("intake:staff_start", args=[client.pk]))]
    refusals += [http.get(url) for url in staff_pages(client)]
    for response in refusals:
        assert response.status_code == 403
        assert QUESTIONNAIRE_IS_CLINICAL in text(response)
        assert "Long drives" not in text(response)


def viewed_by(user: User | None) -> int:
    return AuditEvent.objects.filter(action="intake.viewed", actor=user).count()


def test_the_desk_cannot_open_a_questionnaire_the_client_started_in_the_portal(
    clinic: Clinic, as_front_desk: HttpClient, as_tess: HttpClient
) -> None:
    alice = clinic.alice
    as_alice = login_as(alice.user)
    as_alice.post(reverse("intake:portal_start"))
    answers = answers_for(aggravates="Long drives")
    as_alice.post(f"{PORTAL_STEPS}pain/", step_data(QUESTIONNAIRE.step("pain"), answers))
    assert not draft(alice).desk_blank

    assert_clinical_refusal(as_front_desk, alice)

    assert Intake.objects.filter(client=alice).count() == 1
    assert viewed_by(clinic.front_desk) == 0
    chart = text(as_front_desk.get(alice.get_absolute_url()))
    assert "It is clinical: a therapist or the owner can open it." in chart
    assert reverse("intake:staff_start", args=[alice.pk]) not in chart
    # Her therapist and the owner open it; each read is audited.
    for http, user in ((as_tess, clinic.tess.user), (login_as(clinic.owner), clinic.owner)):
        page = http.get(reverse("intake:staff_step", args=[alice.pk, "pain"]))
        assert page.status_code == 200
        assert "Long drives" in text(page)
        assert viewed_by(user) == 1


def test_the_desk_cannot_open_a_draft_prefilled_from_a_past_version_nor_the_version(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    alice = clinic.alice
    screening = factories.screened(
        alice, ["anticoagulants"], actor=clinic.owner, aggravates="Long drives"
    )
    assert screening.intake is not None
    start_intake(clinic.owner, alice, Intake.Source.STAFF)  # prefilled from version 1
    assert draft(alice).answers["aggravates"] == "Long drives"

    assert_clinical_refusal(as_front_desk, alice)

    past = as_front_desk.get(reverse("intake:detail", args=[alice.pk, screening.intake.pk]))
    assert past.status_code == 403
    assert QUESTIONNAIRE_IS_CLINICAL in text(past)
    assert "Long drives" not in text(past)
    assert viewed_by(clinic.front_desk) == 0


def test_the_desk_starts_a_blank_questionnaire_with_the_client_and_sends_it(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    alice = clinic.alice
    factories.screened(alice, ["anticoagulants"], actor=clinic.owner, aggravates="Long drives")
    chart = text(as_front_desk.get(alice.get_absolute_url()))
    assert "Start a new questionnaire with the client" in chart

    started = as_front_desk.post(reverse("intake:staff_start", args=[alice.pk]))

    assert started["Location"] == f"{staff_steps(alice)}pain/"
    intake = draft(alice)
    assert (intake.desk_blank, intake.answers, intake.steps_done) == (True, {}, [])
    assert intake.started_by == clinic.front_desk
    first = as_front_desk.get(started["Location"])
    assert first.status_code == 200
    assert "Long drives" not in text(first)
    fill_in(as_front_desk, staff_steps(alice), answers_for(["asthma"], aggravates="Stairs"))
    review = as_front_desk.get(reverse("intake:staff_review", args=[alice.pk]))
    assert review.status_code == 200
    assert "Stairs" in text(review)
    sent = as_front_desk.post(reverse("intake:staff_review", args=[alice.pk]))

    assert sent["Location"] == alice.get_absolute_url()
    intake.refresh_from_db()
    assert (intake.status, intake.version) == (Intake.Status.SUBMITTED, 2)
    assert intake.submitted_by == clinic.front_desk
    # The rules screened it: the desk did not (SPEC §2 step 2), and the audit trail says so.
    screening = Screening.objects.get(intake=intake)
    assert screening.created_by is None
    submitted = AuditEvent.objects.get(action="intake.submitted", object_id=str(intake.pk))
    assert submitted.actor == clinic.front_desk
    recorded = AuditEvent.objects.get(action="screening.recorded", object_id=str(screening.pk))
    assert recorded.actor is None
    # Sent: it is a past version now, clinical like any other.
    past = as_front_desk.get(reverse("intake:detail", args=[alice.pk, intake.pk]))
    assert past.status_code == 403


def test_once_the_client_answers_the_desks_draft_the_desk_cannot_open_it(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    alice = clinic.alice
    answers = answers_for(aggravates="Long drives")
    as_front_desk.post(reverse("intake:staff_start", args=[alice.pk]))
    as_front_desk.post(f"{staff_steps(alice)}pain/", step_data(QUESTIONNAIRE.step("pain"), answers))
    assert draft(alice).desk_blank

    as_alice = login_as(alice.user)
    assert as_alice.post(reverse("intake:portal_start"))["Location"] == f"{PORTAL_STEPS}safety/"
    as_alice.post(f"{PORTAL_STEPS}safety/", step_data(QUESTIONNAIRE.step("safety"), answers))

    assert not draft(alice).desk_blank
    event = AuditEvent.objects.filter(action="intake.answered").latest("pk")
    assert event.actor == alice.user
    assert event.changes["desk_blank"] == {"before": True, "after": False}
    assert_clinical_refusal(as_front_desk, alice)


@pytest.mark.parametrize("persona", ["front_desk", "therapist_a", "owner"])
def test_every_staff_read_of_the_answers_is_audited(clinic: Clinic, persona: str) -> None:
    alice, user = clinic.alice, clinic.user(persona)
    http = login_as(user)
    http.post(reverse("intake:staff_start", args=[alice.pk]))
    pain = reverse("intake:staff_step", args=[alice.pk, "pain"])
    assert http.get(pain).status_code == 200
    assert viewed_by(user) == 0  # nothing answered yet: nothing read

    http.post(pain, step_data(QUESTIONNAIRE.step("pain"), answers_for()))
    assert http.get(pain).status_code == 200
    assert http.get(reverse("intake:staff_review", args=[alice.pk])).status_code == 200

    events = AuditEvent.objects.filter(action="intake.viewed", actor=user)
    assert events.count() == 2
    assert {(event.client, event.object_id) for event in events} == {(alice, str(draft(alice).pk))}
