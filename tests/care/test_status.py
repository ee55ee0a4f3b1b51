"""A program moves along its status flow (SPEC §2 step 3), each move kept with its reason and
audited; resuming needs a clearance or the therapist's decision, and never while screening
holds the client's care."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from backcare.audit.models import AuditEvent
from backcare.care.actions import change_program_status, pause_program
from backcare.care.models import STATUS_FLOW, ProgramStatus, StatusChange
from backcare.lib.errors import FieldError
from backcare.screening.actions import record_clearance
from tests import factories
from tests.care.conftest import NOW, program_in
from tests.conftest import Clinic

MOVES = list(itertools.product(ProgramStatus.values, ProgramStatus.values))
ALLOWED = [(a, b) for a, b in MOVES if b in STATUS_FLOW[a]]
REFUSED = [(a, b) for a, b in MOVES if b not in STATUS_FLOW[a]]


def test_the_flow_is_draft_active_paused_then_ended() -> None:
    assert ALLOWED == [
        ("draft", "active"),
        ("draft", "paused"),  # an alert pauses a draft program too
        ("draft", "discharged"),
        ("active", "paused"),
        ("active", "completed"),
        ("active", "discharged"),
        ("active", "referred_out"),
        ("paused", "active"),
        ("paused", "discharged"),
        ("paused", "referred_out"),
    ]


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_every_allowed_move_is_kept_with_its_reason_and_audited(
    clinic: Clinic, from_status: str, to_status: str
) -> None:
    program = program_in(clinic, from_status)

    change_program_status(clinic.tess.user, program, to_status, "Agreed with the client.", now=NOW)

    program.refresh_from_db()
    assert program.status == to_status
    assert program.updated_at == NOW
    change = StatusChange.objects.get(program=program)
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.reason == "Agreed with the client."
    assert change.changed_by == clinic.tess.user
    assert change.changed_at == NOW
    event = AuditEvent.objects.get(action="program.status_changed")
    assert event.actor == clinic.tess.user
    assert event.client == clinic.alice
    assert event.object_id == str(program.pk)
    assert event.changes["status"] == {"before": from_status, "after": to_status}
    assert event.changes["reason"]["after"] == "Agreed with the client."


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_move_is_refused_naming_status(
    clinic: Clinic, from_status: str, to_status: str
) -> None:
    program = program_in(clinic, from_status)

    with pytest.raises(FieldError) as refused:
        change_program_status(clinic.owner, program, to_status, "Trying anyway.", now=NOW)

    assert refused.value.field == "status"
    program.refresh_from_db()
    assert program.status == from_status
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action="program.status_changed").exists()


def test_an_unknown_status_is_refused_naming_status(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    with pytest.raises(FieldError) as refused:
        change_program_status(clinic.owner, program, "finished", "Done.", now=NOW)

    assert refused.value.field == "status"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_move_without_a_reason_is_refused_naming_reason(clinic: Clinic, reason: str) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    with pytest.raises(FieldError) as refused:
        change_program_status(clinic.tess.user, program, ProgramStatus.PAUSED, reason, now=NOW)

    assert refused.value.field == "reason"
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE


def test_starting_sets_the_start_date_once_and_ending_sets_the_end_date(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.DRAFT)

    change_program_status(
        clinic.tess.user, program, ProgramStatus.ACTIVE, "First session.", now=NOW
    )
    assert program.started_on == dt.date(2026, 11, 24)
    later = NOW + dt.timedelta(days=7)
    pause_program(clinic.tess.user, program, "Away for a week.", now=later)
    change_program_status(clinic.tess.user, program, ProgramStatus.ACTIVE, "Back.", now=later)
    program.refresh_from_db()
    assert program.started_on == dt.date(2026, 11, 24)
    assert program.ended_on is None

    change_program_status(
        clinic.tess.user,
        program,
        ProgramStatus.COMPLETED,
        "Goals met.",
        now=NOW + dt.timedelta(days=70),
    )
    program.refresh_from_db()
    assert program.ended_on == dt.date(2027, 2, 2)
    assert [c.to_status for c in program.status_changes.all()] == [
        "active",
        "paused",
        "active",
        "completed",
    ]


def test_the_dates_are_the_clinic_s_local_dates(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.DRAFT)
    # 11:30 PM in Atlanta is already the next day in UTC.
    late = dt.datetime(2026, 11, 25, 4, 30, tzinfo=dt.UTC)

    change_program_status(clinic.tess.user, program, ProgramStatus.ACTIVE, "Started.", now=late)

    assert program.started_on == dt.date(2026, 11, 24)


def test_backcare_itself_may_pause_a_program(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    pause_program(None, program, "The client reported a new red flag.", now=NOW)

    program.refresh_from_db()
    assert program.status == ProgramStatus.PAUSED
    change = program.status_changes.get()
    assert change.changed_by is None
    event = AuditEvent.objects.get(action="program.status_changed")
    assert event.actor is None


# --- Resuming -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["tess", "owner"])
def test_a_therapist_or_owner_may_resume_on_their_documented_decision(
    clinic: Clinic, persona: str
) -> None:
    actor = clinic.tess.user if persona == "tess" else clinic.owner
    program = program_in(clinic, ProgramStatus.PAUSED)

    change_program_status(
        actor,
        program,
        ProgramStatus.ACTIVE,
        "Spoke with the client: the flare has settled.",
        now=NOW,
    )

    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    change = program.status_changes.get()
    assert change.reason == "Spoke with the client: the flare has settled."
    assert change.clearance is None


@pytest.mark.parametrize("persona", ["front_desk", "backcare"])
def test_resuming_without_a_clearance_needs_a_therapist(clinic: Clinic, persona: str) -> None:
    actor = clinic.front_desk if persona == "front_desk" else None
    program = program_in(clinic, ProgramStatus.PAUSED)

    with pytest.raises(FieldError) as refused:
        change_program_status(actor, program, ProgramStatus.ACTIVE, "Please resume.", now=NOW)

    assert refused.value.field == "status"
    assert "clearance" in refused.value.message
    program.refresh_from_db()
    assert program.status == ProgramStatus.PAUSED


def test_resuming_with_a_recorded_clearance_names_it(clinic: Clinic) -> None:
    first = factories.screened(clinic.alice, at=NOW - dt.timedelta(days=30))
    program = program_in(clinic, ProgramStatus.PAUSED, screening=first)
    held = factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=3))
    clearance = record_clearance(
        clinic.tess.user,
        clinic.alice,
        held,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=1),
    )

    change_program_status(
        clinic.front_desk,
        program,
        ProgramStatus.ACTIVE,
        "Dr. Okafor's note arrived.",
        clearance=clearance,
        now=NOW,
    )

    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    assert program.screening == held
    assert program.status_changes.get().clearance == clearance
    event = AuditEvent.objects.get(action="program.status_changed")
    assert event.changes["clearance"]["after"] == clearance.pk
    assert event.changes["screening"] == {"before": first.pk, "after": held.pk}


def test_a_clearance_for_someone_else_is_refused(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.PAUSED)
    bobs = factories.screened(clinic.bob, ["night_pain"], at=NOW - dt.timedelta(days=3))
    clearance = record_clearance(
        clinic.owner,
        clinic.bob,
        bobs,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=1),
    )

    with pytest.raises(FieldError) as refused:
        change_program_status(
            clinic.owner, program, ProgramStatus.ACTIVE, "Cleared.", clearance=clearance, now=NOW
        )

    assert refused.value.field == "clearance"


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["saddle_numbness"], "see a doctor first"),
        (["night_pain"], "clearance that hasn't been recorded"),
    ],
)
@pytest.mark.parametrize("from_status", [ProgramStatus.PAUSED, ProgramStatus.DRAFT])
def test_a_program_cannot_go_on_while_the_latest_screening_holds_care(
    clinic: Clinic, codes: list[str], words: str, from_status: str
) -> None:
    program = program_in(clinic, from_status)
    factories.screened(clinic.alice, codes, at=NOW - dt.timedelta(hours=1))

    with pytest.raises(FieldError) as refused:
        change_program_status(
            clinic.tess.user, program, ProgramStatus.ACTIVE, "The client feels better.", now=NOW
        )

    assert refused.value.field == "status"
    assert words in refused.value.message
    program.refresh_from_db()
    assert program.status == from_status


def test_a_clearance_does_not_lift_an_urgent_referral(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.PAUSED)
    held = factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=3))
    clearance = record_clearance(
        clinic.tess.user,
        clinic.alice,
        held,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=2),
    )
    factories.screened(clinic.alice, ["saddle_numbness"], at=NOW - dt.timedelta(hours=1))

    with pytest.raises(FieldError) as refused:
        change_program_status(
            clinic.tess.user,
            program,
            ProgramStatus.ACTIVE,
            "Cleared.",
            clearance=clearance,
            now=NOW,
        )

    assert refused.value.field == "status"


def test_a_minor_s_program_cannot_go_on(clinic: Clinic) -> None:
    teen = factories.ClientFactory.create(date_of_birth=dt.date(2010, 1, 1))
    program = program_in(clinic, ProgramStatus.PAUSED, client=teen)

    with pytest.raises(FieldError) as refused:
        change_program_status(clinic.tess.user, program, ProgramStatus.ACTIVE, "Go on.", now=NOW)

    assert "adults" in refused.value.message
