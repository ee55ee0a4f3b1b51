"""What a clinical hold does across the product (SPEC §2a), one defect of the safety-holds
issue per test where one was reproduced: an alert pauses a draft program; a paused program holds
the client's sessions, check-in, online booking and the waitlist; a note is signed only for a
session that took place; a red flag after booking holds the booked sessions; lifting a hold is a
named, audited decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking import actions as booking
from backcare.booking.actions import hold_future_sessions
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care import actions as care
from backcare.care.models import Program, ProgramStatus
from backcare.emails import reminders
from backcare.holds.actions import ClientHeld, lift_hold
from backcare.holds.models import HoldRelease
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.notes import actions as notes
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.scheduling import actions as scheduling
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist import actions as waitlist
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import Clinic, login_as
from tests.holds.conftest import NOW, Held, local, make_program, open_clinic
from tests.notes.conftest import check_in_answers, note_values


def _check_in(clinic: Clinic, appointment: Appointment, *codes: str) -> CheckIn:
    starts = appointment.starts
    with time_machine.travel(starts - dt.timedelta(minutes=10), tick=False):
        return notes.record_check_in(
            clinic.front_desk,
            appointment,
            check_in_answers(*codes),
            source=CheckIn.Source.DESK,
        )


def _sign(clinic: Clinic, appointment: Appointment, **changes: Any) -> SessionNote:
    ends = appointment.ends
    note = notes.start_note(clinic.tess.user, appointment, now=ends)
    notes.save_note(clinic.tess.user, note, note_values(**changes), now=ends)
    return notes.sign_note(clinic.tess.user, note, now=ends)


@pytest.fixture
def draft_course(clinic: Clinic) -> tuple[Clinic, Program, list[Appointment]]:
    """Alice's draft program with Tess (planned, never activated) and three booked sessions."""
    with time_machine.travel(NOW, tick=False):
        open_clinic(clinic)
        screening = factories.screened(clinic.alice, [], at=NOW - dt.timedelta(days=8))
        program = make_program(clinic, screening, ProgramStatus.DRAFT)
        sessions = [
            factories.AppointmentFactory.create(
                client=clinic.alice,
                therapist=clinic.tess,
                service=clinic.service,
                location=clinic.location,
                starts=local(2, 10) + dt.timedelta(weeks=week),
                program=program,
            )
            for week in range(3)
        ]
    return clinic, program, sessions


def test_no_relaxation_on_a_draft_program_pauses_it_and_holds_the_client(
    draft_course: tuple[Clinic, Program, list[Appointment]],
) -> None:
    clinic, program, sessions = draft_course
    _check_in(clinic, sessions[0])
    _sign(clinic, sessions[0], tissue_response="no_relaxation")

    program.refresh_from_db()
    assert program.status == ProgramStatus.PAUSED
    assert program.status_changes.filter(
        from_status=ProgramStatus.DRAFT, to_status=ProgramStatus.PAUSED
    ).exists()
    alert = Alert.objects.get(client=clinic.alice, kind="possible_injury")
    assert alert.paused_program
    hold = standing(clinic.alice, local(2, 12).date()).clinical
    assert hold.kinds == ("possible_injury", "program_paused")

    # Not even a therapist's typed reason activates or resumes it while the hold stands.
    with pytest.raises(ClientHeld) as refused:
        care.change_program_status(
            clinic.tess.user, program, "active", "The client feels better.", now=local(3, 9)
        )
    assert refused.value.field == "status"
    assert "doctor" in refused.value.message


def test_a_paused_programs_hold_holds_the_next_sessions_and_the_client_is_emailed(
    draft_course: tuple[Clinic, Program, list[Appointment]], django_capture_on_commit_callbacks: Any
) -> None:
    clinic, _program, sessions = draft_course
    _check_in(clinic, sessions[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _sign(clinic, sessions[0], tissue_response="guarding_increased")

    to_alice = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert len(to_alice) == 1
    assert "cannot go ahead" in to_alice[0].body
    assert "June 9" in to_alice[0].body and "June 16" in to_alice[0].body
    assert "guarding" not in to_alice[0].body  # no clinical code
    for session in sessions[1:]:
        session.refresh_from_db()
        assert session.status == AppointmentStatus.BOOKED  # kept, flagged

    # The desk cannot check her in the next week.
    with pytest.raises(ClientHeld):
        _check_in(clinic, sessions[1])
    # She cannot book online.
    with pytest.raises(ClientHeld), time_machine.travel(local(3, 8), tick=False):
        booking.book_appointment(
            clinic.alice.user,
            clinic.alice,
            clinic.service,
            clinic.tess,
            clinic.location,
            local(24, 10),
        )


def test_the_calendar_flags_a_held_clients_sessions(
    draft_course: tuple[Clinic, Program, list[Appointment]],
) -> None:
    clinic, _program, sessions = draft_course
    _check_in(clinic, sessions[0])
    _sign(clinic, sessions[0], tissue_response="no_relaxation")
    url = reverse("scheduling:location_calendar", args=[clinic.location.pk])
    with time_machine.travel(local(3, 8), tick=False):
        page = login_as(clinic.front_desk).get(f"{url}?view=day&date=2026-06-09")
    assert "On hold" in page.content.decode()


def test_the_clinic_may_choose_to_cancel_a_held_clients_sessions(
    draft_course: tuple[Clinic, Program, list[Appointment]], django_capture_on_commit_callbacks: Any
) -> None:
    clinic, _program, sessions = draft_course
    scheduling.update_booking_policy(clinic.owner, held_sessions="cancel")
    _check_in(clinic, sessions[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _sign(clinic, sessions[0], tissue_response="no_relaxation")
    for session in sessions[1:]:
        session.refresh_from_db()
        assert session.status == AppointmentStatus.CANCELLED
        assert not session.late_cancellation
    to_alice = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert len(to_alice) == 1  # one email that says why, not one bare notice per session
    assert "cancelled these sessions" in to_alice[0].body


def test_held_sessions_get_no_reminder(held: Held) -> None:
    with time_machine.travel(local(2, 8), tick=False):
        sent = reminders.send_reminder.call(
            appointment_id=held.session.pk, hours=2, starts=held.session.starts.isoformat()
        )
    assert sent is False
    assert not [m for m in mail.outbox if "Reminder" in m.subject]


def test_the_waitlist_neither_takes_nor_offers_to_a_held_client(held: Held) -> None:
    clinic = held.clinic
    entry = WaitlistEntry.objects.create(
        client=clinic.alice,
        service=clinic.service,
        location=clinic.location,
        earliest=local(3, 0).date(),
        latest=local(12, 0).date(),
    )
    slot = waitlist.FreedSlot(
        starts=local(3, 10),
        ends=local(3, 11),
        therapist=clinic.tess,
        room=None,
        location=clinic.location,
    )
    assert waitlist.offer_freed_slot(slot, now=NOW) is None
    assert not entry.offers.exists()


def test_a_note_is_not_signed_before_the_session_starts(
    draft_course: tuple[Clinic, Program, list[Appointment]],
) -> None:
    clinic, _program, sessions = draft_course
    early = local(2, 5, 41)  # a 10:00 session, signed at 5:41
    note = notes.start_note(clinic.tess.user, sessions[0], now=early)
    notes.save_note(clinic.tess.user, note, note_values(), now=early)
    with pytest.raises(FieldError) as refused:
        notes.sign_note(clinic.tess.user, note, now=early)
    assert "hasn't started" in refused.value.message
    note.refresh_from_db()
    assert note.signed_at is None


def test_a_note_without_a_check_in_needs_the_therapists_reason_and_completes_the_session(
    draft_course: tuple[Clinic, Program, list[Appointment]],
) -> None:
    clinic, _program, sessions = draft_course
    session = sessions[0]
    after = local(2, 11)
    note = notes.start_note(clinic.tess.user, session, now=after)
    notes.save_note(clinic.tess.user, note, note_values(), now=after)
    with pytest.raises(FieldError) as refused:
        notes.sign_note(clinic.tess.user, note, now=after)
    assert refused.value.field == "not_checked_in_because"

    notes.sign_note(
        clinic.tess.user, note, not_checked_in_because="The tablet was down.", now=after
    )
    session.refresh_from_db()
    assert session.status == AppointmentStatus.COMPLETED
    assert AuditEvent.objects.filter(action="appointment.completed_without_check_in").exists()


def test_signing_completes_a_checked_in_session_so_attendance_matches_notes(
    draft_course: tuple[Clinic, Program, list[Appointment]],
) -> None:
    clinic, _program, sessions = draft_course
    _check_in(clinic, sessions[0])
    _sign(clinic, sessions[0])
    sessions[0].refresh_from_db()
    assert sessions[0].status == AppointmentStatus.COMPLETED


def test_a_red_flag_after_booking_holds_the_booked_sessions(
    draft_course: tuple[Clinic, Program, list[Appointment]], django_capture_on_commit_callbacks: Any
) -> None:
    clinic, _program, _sessions = draft_course
    with (
        time_machine.travel(NOW + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        factories.screened(clinic.alice, ["saddle_numbness"], actor=clinic.alice.user)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        portal = login_as(clinic.alice.user).get(reverse("booking:appointments")).content.decode()
        chart = login_as(clinic.front_desk).get(clinic.alice.get_absolute_url()).content.decode()
    assert "Change time" not in portal
    assert "doctor should see you" in portal
    assert "On hold" in chart and "Not bookable." in chart
    assert [m for m in mail.outbox if m.to == ["alice@example.com"] and "hold" in m.subject]


def test_the_owner_lifts_a_hold_with_a_reason_and_booking_works_again(held: Held) -> None:
    clinic = held.clinic
    with pytest.raises(FieldError) as refused:
        lift_hold(clinic.tess.user, clinic.alice, basis="owner_override", reason="Fine now.")
    assert refused.value.field == "basis"  # only the owner overrides
    with pytest.raises(FieldError) as refused:
        lift_hold(clinic.owner, clinic.alice, basis="owner_override", reason=" ")
    assert refused.value.field == "reason"

    release = lift_hold(
        clinic.owner,
        clinic.alice,
        basis="owner_override",
        reason="Spoke with Alice and her GP by phone; no injury.",
        now=NOW,
    )
    assert release.covers == [f"alert:{held.alert.pk}"]
    assert AuditEvent.objects.filter(action="hold.lifted", client=clinic.alice).exists()
    assert standing(clinic.alice, NOW.date()).hold is None
    booked = booking.book_appointment(
        clinic.alice.user, clinic.alice, clinic.service, clinic.tess, clinic.location, local(3, 10)
    )
    assert booked.status == AppointmentStatus.BOOKED


def test_a_therapist_lifts_a_hold_on_a_doctors_reply(held: Held) -> None:
    clinic = held.clinic
    with pytest.raises(FieldError) as refused:
        lift_hold(clinic.tess.user, clinic.alice, basis="physician_reply", reason="Cleared.")
    assert refused.value.field == "physician_name"
    lift_hold(
        clinic.tess.user,
        clinic.alice,
        basis="physician_reply",
        reason="Dr. Lee found no injury; go on with light pressure.",
        physician_name="Dr. Grace Lee",
        answered_on=NOW.date(),
        now=NOW,
    )
    assert HoldRelease.objects.get().basis == "physician_reply"
    # Acknowledging did not lift it; the decision did. A new alert holds again.
    Alert.objects.create(
        client=clinic.alice,
        kind="possible_injury",
        message="Possible injury.",
        source="The clinic's precaution.",
        opened_at=NOW + dt.timedelta(minutes=5),
    )
    assert standing(clinic.alice, NOW.date()).hold is not None


def test_the_lift_page_shows_the_causes_and_records_the_decision(held: Held) -> None:
    clinic = held.clinic
    owner = login_as(clinic.owner)
    url = reverse("holds:lift", args=[clinic.alice.pk])
    page = owner.get(url).content.decode()
    assert "On hold after the last session" in page
    refused = owner.post(url, {"basis": "physician_reply", "reason": "Cleared."})
    assert refused.status_code == 400
    assert "Please name the doctor" in refused.content.decode()
    done = owner.post(
        url, {"basis": "owner_override", "reason": "Checked with the client by phone."}
    )
    assert done.status_code == 302
    assert standing(clinic.alice, NOW.date()).hold is None


def test_the_note_page_shows_the_hold(held: Held) -> None:
    held.session.status = AppointmentStatus.CHECKED_IN
    held.session.save(update_fields=["status"])
    page = login_as(held.clinic.tess.user).get(reverse("notes:note", args=[held.session.pk]))
    assert "On hold after the last session" in page.content.decode()


def test_hold_future_sessions_does_nothing_for_a_client_who_is_not_held(clinic: Clinic) -> None:
    with time_machine.travel(NOW, tick=False):
        factories.screened(clinic.alice, [])
        assert hold_future_sessions(clinic.alice, NOW) == []
    assert BookingPolicy.current().held_sessions == "hold"


def test_a_client_who_books_unscreened_is_asked_for_the_questionnaire_at_once(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        open_clinic(clinic)
        with django_capture_on_commit_callbacks(execute=True):
            booked = booking.book_appointment(
                clinic.alice.user,
                clinic.alice,
                clinic.service,
                clinic.tess,
                clinic.location,
                local(3, 10),
            )
        (email,) = [m for m in mail.outbox if m.to == ["alice@example.com"]]
        assert "please answer our health questions" in email.body
        assert "/portal/" in email.body
        page = login_as(clinic.alice.user).get(
            reverse("booking:appointment", args=[booked.pk]) + "?done=booked"
        )
        assert "Before your visit: please answer our health questions." in page.content.decode()
        url = reverse("scheduling:location_calendar", args=[clinic.location.pk])
        day = login_as(clinic.front_desk).get(f"{url}?view=day&date=2026-06-03")
        assert "Questionnaire not done" in day.content.decode()


def test_a_screened_client_is_not_asked_again(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        open_clinic(clinic)
        factories.screened(clinic.alice, [])
        with django_capture_on_commit_callbacks(execute=True):
            booking.book_appointment(
                clinic.alice.user,
                clinic.alice,
                clinic.service,
                clinic.tess,
                clinic.location,
                local(3, 10),
            )
    (email,) = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert "health questions" not in email.body
