"""Named, audited writes for check-ins, session notes and alerts (SPEC §2 steps 4 and 5).

After every check-in and every signed note the response monitor (``monitor.py``) reviews what
was recorded; its findings become alerts, which may pause the program (through
``care.actions``) and draft a referral letter. Each alert is published
(:class:`~backcare.events.AlertRaised`): notices email the treating therapist, and holds hold the
client's booked sessions after a possible injury or a stopped session. What these actions and the
pages read (the session's plan, a new note's defaults, the open alerts) is in ``queries.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import diff, record, snapshot
from backcare.booking import actions as booking
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.actions import pause_program
from backcare.care.models import ENDED_STATUSES, RUNNING_STATUSES, Program, ProgramStatus
from backcare.clinic.models import Client
from backcare.holds.actions import door, refuse_if_held
from backcare.holds.queries import standing
from backcare.intake.questionnaire import derived_codes
from backcare.lib import body_chart
from backcare.lib.errors import FieldError
from backcare.lib.techniques import TECHNIQUES
from backcare.notes import monitor
from backcare.notes.models import Addendum, Alert, CheckIn, SessionNote
from backcare.notes.queries import (
    TAKEN_PLACE,
    Plan,
    latest_intake,
    note_defaults,
    red_flag_step,
    session_facts,
    session_plan,
)
from backcare.screening.actions import run_screening
from backcare.screening.models import Screening

NOTE_FIELDS = (
    "subjective",
    "pre_nrs",
    "findings",
    "areas",
    "fingertip_floor_cm",
    "techniques",
    "tissue_response",
    "post_nrs",
    "adverse_events",
    "plan",
    "home_care",
)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


# --- Check-in ---------------------------------------------------------------------------------


def _check_in_answers(data: Mapping[str, Any]) -> tuple[int, dict[str, str], bool, str]:
    nrs = data.get("nrs")
    if not isinstance(nrs, int) or isinstance(nrs, bool) or not 0 <= nrs <= 10:
        raise FieldError("nrs", "Please choose how bad your pain is right now, from 0 to 10.")
    answers: dict[str, str] = {}
    for question in red_flag_step().questions:
        answer = data.get(question.id)
        if answer not in ("yes", "no"):
            raise FieldError(question.id, "Please answer yes or no.")
        answers[question.id] = answer
    changed = data.get("health_changed")
    if changed not in (True, False):
        raise FieldError("health_changed", "Please say whether your health or medicines changed.")
    changes = str(data.get("health_changes") or "").strip()
    if changed and not changes:
        raise FieldError("health_changes", "Please say briefly what changed.")
    return nrs, answers, bool(changed), changes


@door("check_in")
@transaction.atomic
def record_check_in(
    actor: User | None,
    appointment: Appointment,
    data: Mapping[str, Any],
    *,
    source: CheckIn.Source,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Record the client's check-in before a session (SPEC §2 step 4), check the appointment
    in, and screen again with the red-flag answers added to the latest intake's codes. When the
    new screening holds care the session is stopped: no note can be written, the program is
    paused and the treating therapist is alerted. Refusals name the field."""
    now = _now(now)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if CheckIn.objects.filter(appointment=appointment).exists():
        raise FieldError("appointment", "This appointment has already been checked in.")
    refuse_if_held(actor, appointment.client, "check_in", now)
    nrs, answers, changed, changes = _check_in_answers(data)
    client = appointment.client
    intake = latest_intake(client)
    if intake is None or not intake.screening_input:
        raise FieldError(
            "intake",
            "The health questionnaire has to be filled in before the first session.",
        )
    if appointment.status == AppointmentStatus.BOOKED:
        booking.check_in(actor, appointment, now)
    elif appointment.status != AppointmentStatus.CHECKED_IN:
        raise FieldError(
            "appointment",
            f"This appointment is {appointment.get_status_display().lower()}, so there is "
            "nothing to check in for.",
        )
    new_codes = derived_codes(answers)
    base = intake.screening_input
    screening_input = {
        "age": client.age_on(timezone.localdate(now)),
        "pain": dict(base["pain"]),
        "codes": sorted(set(base.get("codes", ())) | set(new_codes)),
    }
    screening = run_screening(
        actor,
        client,
        screening_input,
        trigger=Screening.Trigger.CHECK_IN,
        at=now,
        intake=intake,
        notify=False,  # the monitor's alert below tells the treating therapist
    )
    hold = standing(client, timezone.localdate(now)).hold
    findings = monitor.review_check_in(
        monitor.CheckInFacts(
            decision=screening.decision,
            hold=hold.kind if hold is not None else None,
            new_codes=tuple(new_codes),
        )
    )
    check_in = CheckIn.objects.create(
        appointment=appointment,
        client=client,
        program=appointment.program,
        source=source,
        nrs=nrs,
        red_flag_answers=answers,
        red_flag_codes=new_codes,
        health_changed=changed,
        health_changes=changes,
        screening=screening,
        session_stopped=bool(findings),
        checked_in_by=actor if actor is not None and actor.is_authenticated else None,
        checked_in_at=now,
    )
    record(
        actor,
        "check_in.recorded",
        check_in,
        client=client,
        changes=diff(
            {},
            {
                "nrs": nrs,
                "red_flag_codes": new_codes,
                "health_changed": changed,
                "decision": screening.decision,
                "session_stopped": check_in.session_stopped,
            },
        ),
    )
    events.publish(events.CheckInRecorded(check_in, actor))
    _act_on(findings, client=client, program=appointment.program, check_in=check_in, now=now)
    return check_in


# --- Notes ------------------------------------------------------------------------------------


def _refuse_if_stopped(appointment: Appointment) -> None:
    if CheckIn.objects.filter(appointment=appointment, session_stopped=True).exists():
        raise FieldError(
            "appointment",
            "The session was stopped at check-in, so there is no note to write. See the alert.",
        )


def _refuse_if_held(actor: User, appointment: Appointment, now: dt.datetime) -> None:
    """A held client is not treated; a note may still be written for a session that took place
    (checked in) before or despite the hold, and the page shows the hold (SPEC §2a)."""
    if appointment.status not in TAKEN_PLACE:
        refuse_if_held(actor, appointment.client, "treat", now)


@door("treat")
@transaction.atomic
def start_note(
    actor: User, appointment: Appointment, *, now: dt.datetime | None = None
) -> SessionNote:
    """The appointment's note: the draft in progress, or a new one with defaults."""
    existing = SessionNote.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    _refuse_if_stopped(appointment)
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise FieldError("appointment", "There is no note for a session that did not happen.")
    now = _now(now)
    _refuse_if_held(actor, appointment, now)
    plan = session_plan(appointment)
    note = SessionNote.objects.create(
        appointment=appointment,
        client=appointment.client,
        program=appointment.program,
        therapist=appointment.therapist,
        created_at=now,
        saved_at=now,
        **note_defaults(appointment, plan),
    )
    record(actor, "note.started", note, client=note.client)
    return note


def clean_techniques(rows: Any, plan: Plan) -> list[dict[str, int | str]]:
    """``[{"code", "minutes", "pressure"}]``, only planned techniques, pressure within the cap.
    Refusals name the row's field (``pressure_<code>``, ``minutes_<code>``)."""
    cleaned: list[dict[str, int | str]] = []
    for row in rows or ():
        code = row.get("code")
        if code not in plan.techniques:
            label = TECHNIQUES.get(str(code), str(code))
            raise FieldError("techniques", f"{label} is not among this program's techniques.")
        minutes, pressure = row.get("minutes"), row.get("pressure")
        if not isinstance(minutes, int) or not 1 <= minutes <= 180:
            raise FieldError(f"minutes_{code}", "Please give the minutes, from 1 to 180.")
        if not isinstance(pressure, int) or not 1 <= pressure <= 5:
            raise FieldError(f"pressure_{code}", "Please give the pressure, from 1 to 5.")
        if plan.pressure_cap is not None and pressure > plan.pressure_cap:
            raise FieldError(
                f"pressure_{code}",
                f"Pressure {pressure} is above this client's limit of {plan.pressure_cap} "
                "(set by their safety screening).",
            )
        cleaned.append({"code": code, "minutes": minutes, "pressure": pressure})
    return cleaned


def _clean_note(data: Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    values = {name: data.get(name) for name in NOTE_FIELDS}
    for name in ("pre_nrs", "post_nrs"):
        value = values[name]
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 10):
            raise FieldError(name, "Please give a pain score from 0 to 10.")
    distance = values["fingertip_floor_cm"]
    if distance is not None and (not isinstance(distance, int) or not 0 <= distance <= 100):
        raise FieldError("fingertip_floor_cm", "Please give a distance from 0 to 100 cm.")
    known = {code for code, _ in monitor.TISSUE_RESPONSES}
    if values["tissue_response"] not in ("", None) and values["tissue_response"] not in known:
        raise FieldError("tissue_response", "Please choose how the tissue responded.")
    values["tissue_response"] = values["tissue_response"] or ""
    values["areas"] = list(body_chart.validate_codes(values["areas"] or []))
    values["techniques"] = clean_techniques(values["techniques"], plan)
    for name in ("subjective", "findings", "adverse_events", "plan", "home_care"):
        values[name] = str(values[name] or "").strip()
    return values


def _locked(note: SessionNote) -> SessionNote:
    locked = SessionNote.objects.select_for_update().get(pk=note.pk)
    if locked.is_signed:
        raise FieldError("note", "This note is signed and can't be changed. Add an addendum.")
    return locked


@transaction.atomic
def save_note(
    actor: User, note: SessionNote, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> SessionNote:
    """Keep the draft's values (the page saves every few seconds). Nothing saved is lost on a
    refusal: the draft stays as it was."""
    locked = _locked(note)
    values = _clean_note(data, session_plan(locked.appointment))
    before = snapshot(locked, NOTE_FIELDS)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.saved_at = _now(now)
    locked.save(update_fields=[*NOTE_FIELDS, "saved_at"])
    changes = diff(before, snapshot(locked, NOTE_FIELDS))
    if changes:
        record(actor, "note.saved", locked, client=locked.client, changes=changes)
    return locked


@door("treat")
@transaction.atomic
def sign_note(
    actor: User,
    note: SessionNote,
    *,
    not_checked_in_because: str = "",
    now: dt.datetime | None = None,
) -> SessionNote:
    """Sign the note: from now on it never changes (corrections are addenda). The response
    monitor then reviews it.

    Only for a session that has started and whose client was checked in, or, when they were
    not, with the therapist's reason (``not_checked_in_because``) and no hold on treatment.
    Signing completes the appointment, so attendance counts match signed notes (SPEC §2a)."""
    now = _now(now)
    locked = _locked(note)
    appointment = locked.appointment
    _refuse_if_stopped(appointment)
    if now < appointment.starts:
        raise FieldError(
            "note",
            "This session hasn't started yet: a note is signed once the session has taken place.",
        )
    if not locked.techniques:
        raise FieldError("techniques", "Please record at least one technique with its minutes.")
    for name, message in (
        ("pre_nrs", "Please give the pain before the session."),
        ("tissue_response", "Please choose how the tissue responded to the pressure."),
        ("post_nrs", "Please give the pain after the session."),
    ):
        if getattr(locked, name) in (None, ""):
            raise FieldError(name, message)
    clean_techniques(locked.techniques, session_plan(appointment))
    because = (not_checked_in_because or "").strip()
    if appointment.status not in TAKEN_PLACE:
        if appointment.status != AppointmentStatus.BOOKED:
            raise FieldError("note", "There is no note to sign for a session that did not happen.")
        if not because:
            raise FieldError(
                "not_checked_in_because",
                "The client was not checked in for this session. If it took place, please say "
                "why there was no check-in.",
            )
        _refuse_if_held(actor, appointment, now)
    if appointment.status != AppointmentStatus.COMPLETED:
        booking.complete_appointment(actor, appointment, now, not_checked_in_because=because)
    locked.signed_at = now
    locked.signed_by = actor
    locked.save(update_fields=["signed_at", "signed_by"])
    record(
        actor,
        "note.signed",
        locked,
        client=locked.client,
        changes=diff({}, {"signed_at": now.isoformat(), "tissue_response": locked.tissue_response}),
    )
    events.publish(events.NoteSigned(locked))
    findings = monitor.review_session(session_facts(locked))
    _act_on(findings, client=locked.client, program=locked.program, note=locked, now=now)
    note.signed_at, note.signed_by = locked.signed_at, locked.signed_by
    return locked


@transaction.atomic
def add_addendum(
    actor: User, note: SessionNote, text: str, *, now: dt.datetime | None = None
) -> Addendum:
    """A correction or addition under a signed note; the note itself stays as signed."""
    text = (text or "").strip()
    if not text:
        raise FieldError("text", "Please write the correction or addition.")
    if not note.is_signed:
        raise FieldError("note", "The note is still a draft: change it directly.")
    addendum = Addendum.objects.create(note=note, text=text, written_by=actor, written_at=_now(now))
    record(
        actor,
        "note.addendum_added",
        note,
        client=note.client,
        changes=diff({}, {"addendum": addendum.pk, "text": text}),
    )
    return addendum


# --- Alerts -----------------------------------------------------------------------------------


def _act_on(
    findings: list[monitor.Finding],
    *,
    client: Client,
    program: Program | None,
    now: dt.datetime,
    note: SessionNote | None = None,
    check_in: CheckIn | None = None,
) -> list[Alert]:
    alerts = []
    if program is None or program.status in ENDED_STATUSES:
        # An alert pauses the client's program, whichever session raised it (SPEC §2a).
        program = Program.objects.filter(client=client, status__in=RUNNING_STATUSES).first()
    for finding in findings:
        paused = False
        wants_pause = finding.pause_program or finding.kind == "session_stopped"
        if wants_pause and program is not None:
            program.refresh_from_db(fields=["status"])
            if program.status in (ProgramStatus.ACTIVE, ProgramStatus.DRAFT):
                pause_program(None, program, finding.message, now=now)
                paused = True
        alert = Alert.objects.create(
            client=client,
            program=program,
            note=note,
            check_in=check_in,
            kind=finding.kind,
            message=finding.message,
            source=finding.source,
            letter_purpose=finding.letter or "",
            paused_program=paused,
            opened_at=now,
        )
        record(
            None,
            "alert.opened",
            alert,
            client=client,
            changes=diff({}, {"kind": alert.kind, "paused_program": paused}),
        )
        events.publish(events.AlertRaised(alert))
        alerts.append(alert)
    return alerts


@transaction.atomic
def acknowledge_alert(
    actor: User, alert: Alert, action_taken: str, *, now: dt.datetime | None = None
) -> Alert:
    """Close the alert with a note of what was done. A paused program stays paused: it resumes
    only through the program's own page (a clearance or a documented decision)."""
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise FieldError("action_taken", "Please write what was done about this alert.")
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if not locked.is_open:
        raise FieldError("action_taken", "This alert was already acknowledged.")
    before = snapshot(locked, ["status", "action_taken"])
    locked.status = Alert.Status.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = _now(now)
    locked.action_taken = action_taken
    locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "action_taken"])
    record(
        actor,
        "alert.acknowledged",
        locked,
        client=locked.client,
        changes=diff(before, snapshot(locked, ["status", "action_taken"])),
    )
    return locked
