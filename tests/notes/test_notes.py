"""Check-in, SOAP notes and the response monitor's alerts, through the named actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from backcare.audit.models import AuditEvent
from backcare.booking.models import AppointmentStatus
from backcare.care.models import ProgramStatus
from backcare.lib.errors import FieldError
from backcare.notes import actions, queries
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.outcomes.models import Response
from backcare.screening.models import Screening
from tests.conftest import Clinic
from tests.notes.conftest import Course, check_in, note_values, signed_note

pytestmark = pytest.mark.django_db


def test_a_check_in_rescreens_records_the_pain_and_checks_the_appointment_in(
    clinic: Clinic, course: Course
) -> None:
    session = course.sessions[0]
    done = check_in(clinic, session, nrs=4)
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CHECKED_IN
    assert done.session_stopped is False
    assert done.screening is not None and done.screening.trigger == Screening.Trigger.CHECK_IN
    assert done.screening.input["codes"] == ["osteoporosis"]
    nrs = Response.objects.get(appointment=session, instrument="nrs")
    assert (nrs.occasion, nrs.score) == ("check_in", 4)
    assert AuditEvent.objects.filter(action="check_in.recorded", client=clinic.alice).exists()


def test_a_second_check_in_for_the_same_appointment_is_refused(
    clinic: Clinic, course: Course
) -> None:
    check_in(clinic, course.sessions[0])
    with pytest.raises(FieldError) as refused:
        check_in(clinic, course.sessions[0])
    assert refused.value.field == "appointment"
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_red_flag_at_check_in_stops_the_session_and_tells_the_therapist(
    clinic: Clinic, course: Course
) -> None:
    session = course.sessions[0]
    done = check_in(clinic, session, "saddle_numbness")
    assert done.session_stopped is True
    assert done.red_flag_codes == ["saddle_numbness"]
    alert = Alert.objects.get(check_in=done)
    assert alert.kind == "session_stopped"
    course.program.refresh_from_db()
    assert course.program.status == ProgramStatus.PAUSED
    # The therapist is alerted; Alice is told her next sessions are on hold.
    assert sorted(message.to for message in mail.outbox) == [
        ["alice@example.com"],
        ["tess@example.com"],
    ]
    assert all("saddle" not in message.body for message in mail.outbox)  # no clinical detail
    with pytest.raises(FieldError) as refused:
        actions.start_note(clinic.tess.user, session)
    assert refused.value.field == "appointment"


def test_health_changes_must_say_what_changed(clinic: Clinic, course: Course) -> None:
    with pytest.raises(FieldError) as refused:
        check_in(clinic, course.sessions[0], health_changed=True, health_changes=" ")
    assert refused.value.field == "health_changes"
    assert not CheckIn.objects.exists()


def test_a_new_note_starts_from_the_check_in_and_the_last_signed_note(
    clinic: Clinic, course: Course
) -> None:
    signed_note(clinic, course.sessions[0], home_care="Cat-cow stretches twice a day.")
    check_in(clinic, course.sessions[1], nrs=3)
    draft = actions.start_note(clinic.tess.user, course.sessions[1])
    assert draft.pre_nrs == 3
    assert draft.home_care == "Cat-cow stretches twice a day."
    assert draft.techniques == [{"code": "swedish", "minutes": 40, "pressure": 2}]
    assert draft.areas == ["lower_back_left", "lower_back_right"]


def test_the_first_note_starts_from_the_plan_within_the_pressure_cap(
    clinic: Clinic, course: Course
) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    assert {row["code"] for row in draft.techniques} == {"swedish", "myofascial_release"}
    assert all(row["pressure"] <= 2 for row in draft.techniques)


def test_pressure_above_the_programs_cap_is_refused_naming_the_field(
    clinic: Clinic, course: Course
) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    with pytest.raises(FieldError) as refused:
        actions.save_note(
            clinic.tess.user,
            draft,
            note_values(techniques=[{"code": "swedish", "minutes": 40, "pressure": 4}]),
        )
    assert refused.value.field == "pressure_swedish"
    assert "limit of 2" in refused.value.message
    draft.refresh_from_db()
    assert draft.techniques[0]["pressure"] <= 2  # nothing saved is lost


def test_a_technique_outside_the_plan_is_refused(clinic: Clinic, course: Course) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    with pytest.raises(FieldError) as refused:
        actions.save_note(
            clinic.tess.user,
            draft,
            note_values(techniques=[{"code": "deep_tissue", "minutes": 20, "pressure": 2}]),
        )
    assert refused.value.field == "techniques"


def test_signing_needs_the_response_and_both_pain_scores(clinic: Clinic, course: Course) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    actions.save_note(clinic.tess.user, draft, note_values(tissue_response=""))
    with pytest.raises(FieldError) as refused:
        actions.sign_note(clinic.tess.user, draft)
    assert refused.value.field == "tissue_response"
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_relaxed_session_raises_no_alert(clinic: Clinic, course: Course) -> None:
    note = signed_note(clinic, course.sessions[0])
    assert note.is_signed
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(action="note.signed", object_id=str(note.pk)).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("response", ["no_relaxation", "guarding_increased"])
def test_muscles_that_do_not_relax_pause_the_program_and_draft_a_letter(
    clinic: Clinic, course: Course, response: str
) -> None:
    note = signed_note(clinic, course.sessions[0], tissue_response=response)
    alert = Alert.objects.get(note=note)
    assert alert.kind == "possible_injury"
    assert "the client should consult a doctor" in alert.message
    assert alert.paused_program is True
    assert alert.letter_purpose == "possible_injury"
    course.program.refresh_from_db()
    assert course.program.status == ProgramStatus.PAUSED
    change = course.program.status_changes.get(to_status=ProgramStatus.PAUSED)
    assert change.changed_by is None  # Backcare itself
    # The therapist is alerted; Alice is told her next sessions are on hold.
    assert sorted(message.to for message in mail.outbox) == [
        ["alice@example.com"],
        ["tess@example.com"],
    ]


def test_pain_up_two_points_and_an_adverse_event_each_raise_an_alert(
    clinic: Clinic, course: Course
) -> None:
    signed_note(clinic, course.sessions[0], pre_nrs=3, post_nrs=5, adverse_events="Dizzy")
    assert sorted(Alert.objects.values_list("kind", flat=True)) == [
        "adverse_event",
        "pain_increased",
    ]
    course.program.refresh_from_db()
    assert course.program.status == ProgramStatus.ACTIVE


def test_little_improvement_at_the_session_4_reassessment_is_not_responding(
    clinic: Clinic, course: Course
) -> None:
    for session in course.sessions[:3]:
        signed_note(clinic, session, pre_nrs=5, post_nrs=5)
    assert not Alert.objects.exists()
    note = signed_note(clinic, course.sessions[3], pre_nrs=5, post_nrs=5)  # baseline 6
    alert = Alert.objects.get(note=note)
    assert alert.kind == "not_responding"
    assert "Dworkin" in alert.source


def test_two_points_better_at_the_reassessment_is_responding(
    clinic: Clinic, course: Course
) -> None:
    for session in course.sessions[:3]:
        signed_note(clinic, session, pre_nrs=5, post_nrs=5)
    signed_note(clinic, course.sessions[3], pre_nrs=4, post_nrs=4)  # exactly 2 below 6
    assert not Alert.objects.exists()


def test_an_alert_stays_open_until_acknowledged_with_what_was_done(
    clinic: Clinic, course: Course
) -> None:
    signed_note(clinic, course.sessions[0], tissue_response="no_relaxation")
    alert = Alert.objects.get()
    with pytest.raises(FieldError) as refused:
        actions.acknowledge_alert(clinic.tess.user, alert, "  ")
    assert refused.value.field == "action_taken"
    done = actions.acknowledge_alert(clinic.tess.user, alert, "Called Alice; GP visit booked.")
    assert done.status == Alert.Status.ACKNOWLEDGED
    assert done.acknowledged_by == clinic.tess.user
    course.program.refresh_from_db()
    assert course.program.status == ProgramStatus.PAUSED  # resuming is the program's decision
    with pytest.raises(FieldError):
        actions.acknowledge_alert(clinic.tess.user, alert, "Again")


def test_the_baseline_falls_back_to_the_first_check_in(clinic: Clinic, course: Course) -> None:
    intake = course.program.screening.intake
    assert intake is not None
    assert queries.baseline_nrs(clinic.alice, course.program) == 6
    signed_note(clinic, course.sessions[0], pre_nrs=7)
    course.program.screening.intake = None
    course.program.screening.intake_id = None
    assert queries.baseline_nrs(clinic.alice, course.program) == 7


def test_an_addendum_keeps_the_signed_note_as_it_was(clinic: Clinic, course: Course) -> None:
    note = signed_note(clinic, course.sessions[0])
    actions.add_addendum(clinic.tess.user, note, "Also used a heat pack for 10 minutes.")
    note.refresh_from_db()
    assert note.findings == "Hypertonic paraspinals L3-L5."
    assert [a.text for a in note.addenda.all()] == ["Also used a heat pack for 10 minutes."]
    assert AuditEvent.objects.filter(action="note.addendum_added").count() == 1


def test_an_empty_addendum_is_refused(clinic: Clinic, course: Course) -> None:
    note = signed_note(clinic, course.sessions[0])
    with pytest.raises(FieldError) as refused:
        actions.add_addendum(clinic.tess.user, note, "")
    assert refused.value.field == "text"


def test_session_numbers_skip_sessions_stopped_at_check_in(clinic: Clinic, course: Course) -> None:
    signed_note(clinic, course.sessions[0])
    note = SessionNote.objects.get()
    assert queries.session_facts(note).session_number == 1
    assert queries.session_facts(note).baseline_nrs == 6
    assert course.sessions[0].starts < course.sessions[1].starts
    assert dt.timedelta(weeks=1) == course.sessions[1].starts - course.sessions[0].starts
