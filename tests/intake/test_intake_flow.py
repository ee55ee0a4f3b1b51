"""Filling in the health questionnaire, step by step: the client in the portal and the front desk
on a client's behalf; what is kept when it is sent, and the next steps each decision gives
(SPEC §2 steps 1–2, §3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from backcare.accounts.models import Role
from backcare.audit.models import AuditEvent
from backcare.clinic.models import Client
from backcare.holds.queries import booking_hold
from backcare.holds.rules import HOLDS, kind_of
from backcare.intake.models import Intake
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.screening.models import Screening
from backcare.screening.ruleset import load_rules
from tests import factories
from tests.conftest import Clinic, login_as
from tests.intake import checked, fill_in, question_error, step_data, words
from tests.pages import input_value, text

QUESTIONNAIRE = load_questionnaire()
PORTAL_HOME = reverse("portal:home")
PORTAL_START = reverse("intake:portal_start")
PORTAL_STEPS = "/portal/intake/"
PORTAL_REVIEW = reverse("intake:portal_review")
NEXT_STEPS = reverse("intake:portal_result")
PORTAL_LETTER = reverse("screening:portal_letter")
BOOK = "Book your first session"


def staff_steps(client: Client) -> str:
    return f"/staff/clients/{client.pk}/intake/"


def draft(client: Client) -> Intake:
    return Intake.objects.get(client=client, status=Intake.Status.DRAFT)


def send_in_the_portal(http: HttpClient, answers: dict[str, Any]) -> None:
    """Start, answer every step and send, as the signed-in client does."""
    response = http.post(PORTAL_START)
    assert response["Location"] == f"{PORTAL_STEPS}pain/"
    fill_in(http, PORTAL_STEPS, answers)
    response = http.post(PORTAL_REVIEW)
    assert response.status_code == 302
    assert response["Location"] == NEXT_STEPS


def client_message(code: str) -> str:
    message = load_rules().rule(code).client_message
    assert message, f"{code} has no message for the client"
    return message


def rule_messages(code: str) -> list[str]:
    rule = load_rules().rule(code)
    return [rule.message, *([rule.client_message] if rule.client_message else [])]


# --- Portal: step by step -------------------------------------------------------------------


def test_alice_starts_her_questionnaire_on_the_first_step(clinic: Clinic, as_alice) -> None:
    response = as_alice.post(PORTAL_START)

    assert response.status_code == 302
    assert response["Location"] == f"{PORTAL_STEPS}pain/"
    page = as_alice.get(response["Location"])
    assert page.status_code == 200
    assert "Your back pain" in text(page)
    assert "step 1 of 6" in text(page)
    intake = draft(clinic.alice)
    assert intake.source == Intake.Source.PORTAL
    assert intake.started_by == clinic.alice.user
    assert intake.answers == {}


def test_the_steps_come_in_order_and_end_on_the_review(clinic: Clinic, as_alice) -> None:
    as_alice.post(PORTAL_START)

    fill_in(as_alice, PORTAL_STEPS, answers_for())

    assert draft(clinic.alice).steps_done == [step.id for step in QUESTIONNAIRE.steps]
    for number, step in enumerate(QUESTIONNAIRE.steps, start=1):
        page = as_alice.get(f"{PORTAL_STEPS}{step.id}/")
        assert f"step {number} of 6" in text(page)
        assert step.title in text(page)


def test_a_saved_step_is_still_there_after_leaving_and_coming_back(
    clinic: Clinic, as_alice
) -> None:
    answers = answers_for(nrs_now=6, duration_weeks=30, aggravates="Carrying groceries upstairs")
    as_alice.post(PORTAL_START)
    as_alice.post(f"{PORTAL_STEPS}pain/", step_data(QUESTIONNAIRE.step("pain"), answers))

    back = login_as(clinic.alice.user)  # another day, another browser
    home = back.get(PORTAL_HOME)
    assert "Continue my questionnaire" in text(home)
    response = back.post(PORTAL_START)
    assert response["Location"] == f"{PORTAL_STEPS}safety/"
    page = back.get(f"{PORTAL_STEPS}pain/")
    assert input_value(page, "duration_weeks") == "30"
    assert checked(page, "nrs_now") == ["6"]
    assert checked(page, "onset") == ["gradual"]
    assert checked(page, "areas") == ["lower_back_left", "lower_back_right"]
    assert "Carrying groceries upstairs" in text(page)


def test_save_and_finish_later_keeps_the_answers_and_goes_home(clinic: Clinic, as_alice) -> None:
    answers = answers_for(nrs_now=7)
    as_alice.post(PORTAL_START)

    response = as_alice.post(
        f"{PORTAL_STEPS}pain/",
        {**step_data(QUESTIONNAIRE.step("pain"), answers), "later": "1"},
        follow=True,
    )

    assert response.redirect_chain == [(PORTAL_HOME, 302)]
    assert "Your answers are saved. You can carry on any time." in text(response)
    intake = draft(clinic.alice)
    assert intake.answers["nrs_now"] == 7
    assert intake.answers["areas"] == ["lower_back_left", "lower_back_right"]
    assert intake.steps_done == ["pain"]


def test_save_and_finish_later_keeps_the_answers_of_a_half_done_step(
    clinic: Clinic, as_alice
) -> None:
    as_alice.post(PORTAL_START)
    half = {"saddle_numbness": "no", "bladder_dysfunction": "no", "night_pain": "yes"}

    response = as_alice.post(f"{PORTAL_STEPS}safety/", {**half, "later": "1"})

    assert response.status_code == 302
    assert response["Location"] == PORTAL_HOME
    intake = draft(clinic.alice)
    assert {key: intake.answers[key] for key in half} == half
    assert intake.answers["fever"] is None
    assert "safety" not in intake.steps_done
    page = as_alice.get(f"{PORTAL_STEPS}safety/")
    assert checked(page, "night_pain") == ["yes"]
    assert checked(page, "fever") == []


def test_save_and_finish_later_still_refuses_a_wrong_value(clinic: Clinic, as_alice) -> None:
    as_alice.post(PORTAL_START)

    response = as_alice.post(
        f"{PORTAL_STEPS}pain/", {"nrs_now": "11", "duration_weeks": "8", "later": "1"}
    )

    assert response.status_code == 400
    assert question_error(response, "nrs_now")[1] == (
        "Select a valid choice. 11 is not one of the available choices."
    )
    assert draft(clinic.alice).answers == {}


def pain(**changes: Any) -> tuple[str, dict[str, Any]]:
    return "pain", {**step_data(QUESTIONNAIRE.step("pain"), answers_for()), **changes}


def safety_without(question_id: str) -> tuple[str, dict[str, Any]]:
    data = step_data(QUESTIONNAIRE.step("safety"), answers_for())
    del data[question_id]
    return "safety", data


def health(**changes: Any) -> tuple[str, dict[str, Any]]:
    return "health", {**step_data(QUESTIONNAIRE.step("health"), answers_for()), **changes}


def goals(*activities: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    data = {}
    for number, (name, score) in enumerate(activities, start=1):
        data[f"activities_{number}_name"] = name
        data[f"activities_{number}_score"] = score
    return "goals", data


NRS_QUESTION = "How bad is your pain right now?"
WEEKS_QUESTION = "For how many weeks have you had this back pain?"
FEVER_QUESTION = "Do you have a fever, or have you felt feverish or had chills lately?"
HIGH_RISK_QUESTION = (
    "If you are pregnant: has your doctor or midwife said your pregnancy is high-risk?"
)


@pytest.mark.parametrize(
    ("step_and_data", "field", "label", "message"),
    [
        pytest.param(
            pain(nrs_now="11"),
            "nrs_now",
            NRS_QUESTION,
            "Select a valid choice. 11 is not one of the available choices.",
            id="NRS 11",
        ),
        pytest.param(
            pain(duration_weeks="-1"),
            "duration_weeks",
            WEEKS_QUESTION,
            "Ensure this value is greater than or equal to 0.",
            id="weeks -1",
        ),
        pytest.param(
            safety_without("fever"),
            "fever",
            FEVER_QUESTION,
            "This field is required.",
            id="red-flag question unanswered",
        ),
        pytest.param(
            health(pregnancy="no", high_risk_pregnancy="yes"),
            "high_risk_pregnancy",
            HIGH_RISK_QUESTION,
            "This only applies if you answered yes to “are you pregnant?”",
            id="high-risk pregnancy without pregnancy",
        ),
        pytest.param(
            health(pregnancy="yes"),
            "high_risk_pregnancy",
            HIGH_RISK_QUESTION,
            "Please answer this question too.",
            id="pregnant without the follow-up",
        ),
        pytest.param(
            goals(("Gardening", "3"), ("Sitting through a film", "4")),
            "activities_3_name",
            "Activity 3",
            "Please name at least 3 activities.",
            id="two activities",
        ),
        pytest.param(
            goals(("Gardening", "3"), ("Sitting through a film", "4"), ("", "6")),
            "activities_3_name",
            "Activity 3",
            "Please name the activity you rated.",
            id="a rating without a name",
        ),
        pytest.param(
            goals(("Gardening", "3"), ("Sitting through a film", "4"), ("Cycling", "")),
            "activities_3_score",
            "How well can you do activity 3 today?",
            "Please rate this activity from 0 to 10.",
            id="a name without a rating",
        ),
    ],
)
def test_a_wrong_answer_is_refused_next_to_its_question_and_keeps_what_was_saved(
    clinic: Clinic,
    as_alice,
    step_and_data: tuple[str, dict[str, Any]],
    field: str,
    label: str,
    message: str,
) -> None:
    step_id, data = step_and_data
    as_alice.post(PORTAL_START)
    saved = answers_for(["asthma"], nrs_now=4, duration_weeks=12)
    fill_in(as_alice, PORTAL_STEPS, saved)
    before = draft(clinic.alice).answers

    response = as_alice.post(f"{PORTAL_STEPS}{step_id}/", data)

    assert response.status_code == 400
    assert question_error(response, field) == (label, message)
    assert "Nothing has been saved yet." in text(response)
    assert draft(clinic.alice).answers == before == saved


def test_the_review_shows_the_answers_with_a_change_link_per_step(clinic: Clinic, as_alice) -> None:
    as_alice.post(PORTAL_START)
    fill_in(
        as_alice,
        PORTAL_STEPS,
        answers_for(["asthma"], nrs_now=6, duration_weeks=30, aggravates="Long drives"),
    )

    page = as_alice.get(PORTAL_REVIEW)

    assert page.status_code == 200
    shown = words(page)
    assert "Check your answers" in shown
    assert "Long drives" in shown
    assert "6 of 10" in shown
    assert "Slowly, over time" in shown
    assert "Sitting through a film — 4 of 10" in shown
    assert "Agreed" in shown
    for step in QUESTIONNAIRE.steps:
        assert f'href="{PORTAL_STEPS}{step.id}/"' in page.content.decode()
    assert not Intake.objects.filter(status=Intake.Status.SUBMITTED).exists()


# --- Portal: sending ------------------------------------------------------------------------


def test_sending_keeps_version_1_with_answers_codes_consents_and_a_screening(
    clinic: Clinic, as_alice
) -> None:
    answers = answers_for(["anticoagulants", "asthma"], nrs_now=6, duration_weeks=30)

    send_in_the_portal(as_alice, answers)

    intake = Intake.objects.get(client=clinic.alice)
    age = clinic.alice.age_on(timezone.localdate())
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.version == 1
    assert intake.answers == answers
    assert intake.codes == ["anticoagulants", "asthma"]
    assert intake.screening_input == {
        "age": age,
        "pain": {"nrs_now": 6, "duration_weeks": 30},
        "codes": ["anticoagulants", "asthma"],
    }
    assert intake.submitted_by == clinic.alice.user
    assert intake.questionnaire_version == QUESTIONNAIRE.version
    consents = clinic.alice.consents.filter(withdrawn_at__isnull=True)
    assert sorted(consents.values_list("kind", "version")) == [
        ("messages", QUESTIONNAIRE.version),
        ("privacy", QUESTIONNAIRE.version),
        ("treatment", QUESTIONNAIRE.version),
    ]
    screening = Screening.objects.get(client=clinic.alice)
    assert screening.intake == intake
    assert screening.trigger == Screening.Trigger.INTAKE
    assert screening.input == intake.screening_input
    assert screening.decision == "cleared_with_precautions"
    assert screening.ruleset_version == load_rules().version
    assert screening.created_by == clinic.alice.user
    actions = set(AuditEvent.objects.filter(client=clinic.alice).values_list("action", flat=True))
    assert {"intake.started", "intake.answered", "intake.submitted", "screening.recorded"} <= (
        actions
    )


def test_a_consent_left_unticked_is_not_recorded(clinic: Clinic, as_alice) -> None:
    send_in_the_portal(as_alice, answers_for(consent_messages=False))

    kinds = set(clinic.alice.consents.values_list("kind", flat=True))
    assert kinds == {"treatment", "privacy"}


def test_a_questionnaire_cannot_be_sent_before_every_step_is_done(clinic: Clinic, as_alice) -> None:
    as_alice.post(PORTAL_START)
    answers = answers_for()
    for step in QUESTIONNAIRE.steps[:3]:
        as_alice.post(f"{PORTAL_STEPS}{step.id}/", step_data(step, answers))

    response = as_alice.post(PORTAL_REVIEW, follow=True)

    assert response.redirect_chain == [(f"{PORTAL_STEPS}goals/", 302)]
    assert "Please finish “Your goals” before sending your answers." in text(response)
    assert not Screening.objects.exists()
    assert draft(clinic.alice).version is None


def test_the_review_page_without_a_draft_goes_back_home(clinic: Clinic, as_alice) -> None:
    response = as_alice.get(PORTAL_REVIEW)
    assert response.status_code == 302
    assert response["Location"] == PORTAL_HOME


# --- Portal: next steps for each decision ---------------------------------------------------


def test_an_urgent_answer_sends_the_client_to_medical_care_and_closes_booking(
    clinic: Clinic, as_alice
) -> None:
    send_in_the_portal(as_alice, answers_for(["saddle_numbness"]))

    page = as_alice.get(NEXT_STEPS)

    shown = text(page)
    assert page.status_code == 200
    assert "Please get medical care today" in shown
    assert client_message("saddle_numbness") in shown
    assert HOLDS["urgent_referral"].client_message in shown  # online booking is closed
    assert BOOK not in shown
    assert PORTAL_LETTER not in shown
    hold = booking_hold(clinic.alice, timezone.localdate())
    assert kind_of(hold) == "urgent_referral"
    assert HOLDS["urgent_referral"].client_message in text(as_alice.get(PORTAL_HOME))


def test_a_clearance_answer_gives_the_client_a_referral_letter_to_take_to_the_doctor(
    clinic: Clinic, as_alice
) -> None:
    send_in_the_portal(as_alice, answers_for(["night_pain"]))

    page = as_alice.get(NEXT_STEPS)

    shown = text(page)
    assert "Please check with your doctor first" in shown
    assert client_message("night_pain") in shown
    assert f'href="{PORTAL_LETTER}"' in page.content.decode()
    assert BOOK not in shown
    letter = as_alice.get(PORTAL_LETTER)
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert kind_of(booking_hold(clinic.alice, timezone.localdate())) == "medical_clearance_required"


def test_precautions_tell_the_client_what_the_therapist_will_adapt(
    clinic: Clinic, as_alice
) -> None:
    send_in_the_portal(as_alice, answers_for(["asthma", "osteoporosis"]))

    shown = text(as_alice.get(NEXT_STEPS))

    assert "You're ready to book" in shown
    assert "your therapist will adapt it" in shown
    for code in ("asthma", "osteoporosis"):
        assert client_message(code) in shown
    assert BOOK in shown
    assert booking_hold(clinic.alice, timezone.localdate()) is None


def test_a_clean_questionnaire_is_ready_to_book(clinic: Clinic, as_alice) -> None:
    send_in_the_portal(as_alice, answers_for())

    shown = text(as_alice.get(NEXT_STEPS))

    assert "You're ready to book" in shown
    assert "Nothing in them stops us from starting your massage program." in shown
    assert BOOK in shown
    assert booking_hold(clinic.alice, timezone.localdate()) is None


def test_next_steps_are_audited_as_a_screening_read(clinic: Clinic, as_alice) -> None:
    send_in_the_portal(as_alice, answers_for())

    as_alice.get(NEXT_STEPS)

    screening = Screening.objects.get(client=clinic.alice)
    assert AuditEvent.objects.filter(
        action="screening.viewed", actor=clinic.alice.user, object_id=str(screening.pk)
    ).exists()


def test_next_steps_before_any_screening_go_back_home(clinic: Clinic, as_alice) -> None:
    response = as_alice.get(NEXT_STEPS)
    assert response.status_code == 302
    assert response["Location"] == PORTAL_HOME


# --- Updating the health history -------------------------------------------------------------


def test_updating_the_health_history_makes_version_2_and_screens_again(
    clinic: Clinic, as_alice
) -> None:
    send_in_the_portal(as_alice, answers_for(nrs_now=4))
    first = Intake.objects.get(client=clinic.alice, version=1)

    response = as_alice.post(PORTAL_START)

    assert response["Location"] == PORTAL_REVIEW  # every step is answered already
    update = draft(clinic.alice)
    assert update.answers == first.answers
    as_alice.post(
        f"{PORTAL_STEPS}health/",
        step_data(QUESTIONNAIRE.step("health"), answers_for(["asthma"])),
    )
    as_alice.post(PORTAL_REVIEW)

    second = Intake.objects.get(client=clinic.alice, version=2)
    assert second.pk == update.pk
    assert second.codes == ["asthma"]
    first.refresh_from_db()
    assert first.codes == []
    assert first.answers["asthma"] == "no"
    screenings = list(clinic.alice.screenings.order_by("created_at", "pk"))
    assert [s.intake for s in screenings] == [first, second]
    assert [s.decision for s in screenings] == ["cleared", "cleared_with_precautions"]


# --- Another client -------------------------------------------------------------------------


def test_bob_never_sees_alices_questionnaire(clinic: Clinic, as_alice) -> None:
    answers = answers_for(["night_pain"], aggravates="Carrying groceries upstairs")
    send_in_the_portal(as_alice, answers)
    as_alice.post(PORTAL_START)  # and a new draft, in progress
    alice = clinic.alice
    intake = Intake.objects.get(client=alice, version=1)
    as_bob = login_as(clinic.bob.user)

    for url in (
        reverse("intake:detail", args=[alice.pk, intake.pk]),
        reverse("intake:staff_step", args=[alice.pk, "pain"]),
        reverse("intake:staff_review", args=[alice.pk]),
        reverse("screening:client", args=[alice.pk]),
    ):
        assert as_bob.get(url).status_code == 404, url
    assert as_bob.post(reverse("intake:staff_start", args=[alice.pk])).status_code == 404
    assert as_bob.post(reverse("intake:staff_review", args=[alice.pk])).status_code == 404
    assert as_bob.get(PORTAL_REVIEW)["Location"] == PORTAL_HOME
    assert as_bob.get(NEXT_STEPS)["Location"] == PORTAL_HOME
    assert as_bob.get(PORTAL_LETTER).status_code == 404
    as_bob.post(PORTAL_START)
    page = as_bob.get(f"{PORTAL_STEPS}pain/")
    assert "Carrying groceries upstairs" not in text(page)
    assert checked(page, "areas") == []
    assert draft(clinic.bob).answers == {}
    assert Intake.objects.filter(client=alice).count() == 2


@pytest.mark.parametrize(
    "url", [PORTAL_REVIEW, NEXT_STEPS, f"{PORTAL_STEPS}pain/"], ids=["review", "next", "step"]
)
def test_a_stranger_is_sent_to_sign_in(clinic: Clinic, url: str) -> None:
    response = HttpClient().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["front_desk", "therapist_a", "owner"])
def test_staff_cannot_use_the_portal_questionnaire(clinic: Clinic, persona: str) -> None:
    http = login_as(clinic.user(persona))
    assert http.post(PORTAL_START).status_code == 403
    assert http.get(f"{PORTAL_STEPS}pain/").status_code == 403
    assert not Intake.objects.exists()


# --- Staff: the front desk fills it in with the client --------------------------------------


def send_as_staff(http: HttpClient, client: Client, answers: dict[str, Any]) -> Any:
    """Start, answer every step, look over the review and send; the page staff land on."""
    response = http.post(reverse("intake:staff_start", args=[client.pk]))
    assert response["Location"] == f"{staff_steps(client)}pain/"
    fill_in(http, staff_steps(client), answers)
    review = http.get(reverse("intake:staff_review", args=[client.pk]))
    assert review.status_code == 200
    assert "Check the answers" in text(review)
    return http.post(reverse("intake:staff_review", args=[client.pk]), follow=True)


def test_front_desk_fills_in_the_questionnaire_and_lands_on_the_chart(
    clinic: Clinic, as_front_desk
) -> None:
    alice = clinic.alice

    page = send_as_staff(as_front_desk, alice, answers_for(["night_pain"]))

    assert page.redirect_chain[-1] == (alice.get_absolute_url(), 302)
    shown = text(page)
    assert (
        "The questionnaire is saved and screened. "
        "Cannot be booked yet: waiting for a note from the client's doctor."
    ) in shown
    assert "Not bookable." in shown
    intake = Intake.objects.get(client=alice)
    assert intake.version == 1
    assert intake.source == Intake.Source.STAFF
    assert intake.submitted_by == clinic.front_desk
    assert intake.desk_blank
    # The desk sent the answers; the rules screened them, not the desk.
    assert Screening.objects.get(client=alice).created_by is None


CASES = {
    "urgent": (["saddle_numbness"], "Not bookable."),
    "clearance": (["night_pain", "fever"], "Not bookable."),
    "precautions": (["anticoagulants", "asthma"], "May be booked."),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_front_desk_never_sees_a_clinical_reason(
    clinic: Clinic, as_front_desk, case: str
) -> None:
    codes, banner = CASES[case]

    page = send_as_staff(as_front_desk, clinic.alice, answers_for(codes))
    chart = as_front_desk.get(clinic.alice.get_absolute_url())

    for response in (page, chart):
        shown = text(response)
        assert banner in shown
        for code in codes:
            assert code not in shown
            for message in rule_messages(code):
                assert message not in shown
        assert "See the screening" not in shown
        assert reverse("screening:client", args=[clinic.alice.pk]) not in shown


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("persona", ["therapist_a", "owner"])
def test_clinicians_see_the_reasons_on_the_chart(clinic: Clinic, case: str, persona: str) -> None:
    codes, _ = CASES[case]
    factories.screened(clinic.alice, codes, actor=clinic.front_desk)

    shown = text(login_as(clinic.user(persona)).get(clinic.alice.get_absolute_url()))

    assert "See the screening" in shown
    for code in codes:
        assert load_rules().rule(code).message in shown


def test_a_therapist_who_sends_the_questionnaire_lands_on_the_screening(
    clinic: Clinic, as_tess
) -> None:
    page = send_as_staff(as_tess, clinic.alice, answers_for(["asthma"]))

    assert page.redirect_chain[-1] == (reverse("screening:client", args=[clinic.alice.pk]), 302)
    assert "The questionnaire is saved and screened. The client may be booked." in text(page)
    assert load_rules().rule("asthma").message in text(page)


def test_staff_save_and_finish_later_goes_back_to_the_chart(clinic: Clinic, as_front_desk) -> None:
    alice = clinic.alice
    as_front_desk.post(reverse("intake:staff_start", args=[alice.pk]))

    response = as_front_desk.post(
        f"{staff_steps(alice)}pain/",
        {**step_data(QUESTIONNAIRE.step("pain"), answers_for()), "later": "1"},
    )

    assert response["Location"] == alice.get_absolute_url()
    chart = text(as_front_desk.get(alice.get_absolute_url()))
    assert "A questionnaire is in progress (front desk" in chart
    assert "Continue the questionnaire" in chart


def test_theo_who_does_not_treat_alice_is_refused_the_staff_questionnaire_and_screening(
    clinic: Clinic, as_theo
) -> None:
    alice = clinic.alice
    factories.screened(alice, ["night_pain"], actor=clinic.owner)
    intake = Intake.objects.get(client=alice)
    screening = Screening.objects.get(client=alice)

    assert as_theo.post(reverse("intake:staff_start", args=[alice.pk])).status_code == 403
    for url in (
        reverse("intake:staff_step", args=[alice.pk, "pain"]),
        reverse("intake:staff_review", args=[alice.pk]),
        reverse("intake:detail", args=[alice.pk, intake.pk]),
        reverse("screening:client", args=[alice.pk]),
        reverse("screening:detail", args=[alice.pk, screening.pk]),
    ):
        assert as_theo.get(url).status_code == 403, url
    assert not Intake.objects.filter(status=Intake.Status.DRAFT).exists()


def test_the_submitted_answers_are_shown_read_only_to_the_therapist(
    clinic: Clinic, as_tess
) -> None:
    screening = factories.screened(
        clinic.alice, ["asthma"], actor=clinic.front_desk, aggravates="Long drives"
    )
    intake = screening.intake
    assert intake is not None

    page = as_tess.get(reverse("intake:detail", args=[clinic.alice.pk, intake.pk]))

    assert page.status_code == 200
    shown = text(page)
    assert "Health questionnaire, version 1" in shown
    assert "Long drives" in shown
    assert "asthma" in shown
    assert reverse("intake:staff_step", args=[clinic.alice.pk, "pain"]) not in shown  # read-only
    assert AuditEvent.objects.filter(action="intake.viewed", actor=clinic.tess.user).exists()
    # Through Bob's address, whom Tess does not treat: refused before anything is looked up.
    assert as_tess.get(reverse("intake:detail", args=[clinic.bob.pk, intake.pk])).status_code == 403
    as_owner = login_as(clinic.owner)
    assert (
        as_owner.get(reverse("intake:detail", args=[clinic.bob.pk, intake.pk])).status_code == 404
    )


# --- Age ------------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC))
def test_a_16_year_old_is_told_the_programs_are_for_adults_only(clinic: Clinic) -> None:
    teen = factories.ClientFactory.create(
        first_name="Tia",
        date_of_birth=dt.date(2010, 6, 1),
        user=factories.UserFactory.create(email="tia@example.com", role=Role.CLIENT),
    )
    http = login_as(teen.user)

    send_in_the_portal(http, answers_for())

    hold = booking_hold(teen, dt.date(2026, 11, 24))
    assert hold is not None
    assert hold.kind == "minor"
    shown = text(http.get(NEXT_STEPS))
    assert "Backcare's programs are for adults" in shown
    assert "we can't book sessions for anyone under 18" in shown
    assert BOOK not in shown
    assert PORTAL_LETTER not in shown
    assert Intake.objects.get(client=teen).screening_input == {
        "age": 16,
        "pain": {"nrs_now": 5, "duration_weeks": 20},
        "codes": [],
    }


def test_the_age_screened_is_taken_on_the_clinics_calendar_day(db: None) -> None:
    turns_18 = factories.ClientFactory.create(date_of_birth=dt.date(2008, 11, 24))
    evening_before = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)  # 10 pm in Atlanta

    screening = factories.screened(turns_18, [], at=evening_before)

    assert screening.input["age"] == 17
    assert screening.result["adult"] is False


def test_the_front_desk_updating_a_health_history_starts_from_blank_answers(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    """The front desk never reads clinical answers, so it is not shown the last version's."""
    factories.screened(clinic.alice, ["anticoagulants"], actor=clinic.owner)
    response = as_front_desk.post(reverse("intake:staff_start", args=[clinic.alice.pk]))
    assert response.status_code == 302
    draft = Intake.objects.get(client=clinic.alice, status=Intake.Status.DRAFT)
    assert draft.answers == {}
    assert draft.steps_done == []
