"""Reads for check-ins, session notes and alerts (SPEC §2 steps 4 and 5): what a page or an
action needs to know, never a write. The writes are the named actions in ``actions.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from backcare import policy
from backcare.accounts.models import User
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.holds.queries import standing
from backcare.intake.models import Intake
from backcare.intake.questionnaire import Step, load_questionnaire
from backcare.lib.techniques import TECHNIQUES
from backcare.notes import monitor
from backcare.notes.models import Alert, CheckIn, SessionNote

SAFETY_STEP = "safety"
TAKEN_PLACE = (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)
"""An appointment in one of these states took place (the client came)."""


def red_flag_step() -> Step:
    """The red-flag questions of the intake questionnaire, asked again at every check-in."""
    return load_questionnaire().step(SAFETY_STEP)


def latest_intake(client: Client) -> Intake | None:
    return (
        client.intakes.filter(status=Intake.Status.SUBMITTED, screening_input__isnull=False)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Plan:
    """What a session may use: the program's planned techniques and its pressure cap (or,
    without a program, what the latest screening allows)."""

    program: Program | None
    techniques: tuple[str, ...]
    pressure_cap: int | None
    minutes: int


def session_plan(appointment: Appointment) -> Plan:
    minutes = appointment.service.duration_minutes
    program = appointment.program
    if program is not None:
        planned = tuple(code for code in TECHNIQUES if code in program.techniques)
        return Plan(program, planned, program.pressure_cap, minutes)
    latest = standing(appointment.client, timezone.localdate()).screening
    if latest is None:
        return Plan(None, tuple(TECHNIQUES), None, minutes)
    allowed = tuple(code for code, verdict in latest.techniques.items() if verdict != "avoid")
    return Plan(None, allowed, latest.outcome.max_pressure, minutes)


def last_signed_note(client: Client, *, before: Appointment | None = None) -> SessionNote | None:
    notes = client.session_notes.filter(signed_at__isnull=False)
    if before is not None:
        notes = notes.exclude(appointment=before)
    return notes.order_by("-signed_at", "-pk").first()


def note_defaults(appointment: Appointment, plan: Plan) -> dict[str, Any]:
    """A new note's starting values: pain before from the check-in, the rest from the client's
    last signed note and the program's plan, so a typical note is a few changes."""
    last = last_signed_note(appointment.client, before=appointment)
    check_in = CheckIn.objects.filter(appointment=appointment).first()
    if last is not None:
        techniques = [each for each in last.techniques if each["code"] in plan.techniques]
    else:
        techniques = []
    if not techniques and plan.techniques:
        share = max(5, (plan.minutes - 10) // len(plan.techniques) // 5 * 5)
        pressure = min(3, plan.pressure_cap or 3)
        techniques = [
            {"code": code, "minutes": share, "pressure": pressure} for code in plan.techniques
        ]
    return {
        "subjective": "",
        "pre_nrs": check_in.nrs if check_in is not None else None,
        "findings": "",
        "areas": list(last.areas) if last is not None else _intake_areas(appointment.client),
        "fingertip_floor_cm": None,
        "techniques": techniques,
        "tissue_response": "",
        "post_nrs": None,
        "adverse_events": "",
        "plan": last.plan if last is not None else "",
        "home_care": last.home_care
        if last is not None
        else (plan.program.self_care if plan.program is not None else ""),
    }


def _intake_areas(client: Client) -> list[str]:
    intake = latest_intake(client)
    return list(intake.answers.get("areas") or []) if intake is not None else []


def session_facts(note: SessionNote) -> monitor.SessionFacts:
    """What the monitor needs to know about a note, from the database."""
    program = note.program
    number = None
    reassessments: tuple[int, ...] = ()
    if program is not None:
        taken_place = list(
            program.appointments.filter(status__in=TAKEN_PLACE)
            .exclude(check_in_record__session_stopped=True)
            .order_by("starts", "pk")
            .values_list("pk", flat=True)
        )
        number = monitor.session_number(taken_place, note.appointment_id)
        reassessments = tuple(int(each) for each in program.reassessment_sessions)
    return monitor.SessionFacts(
        tissue_response=note.tissue_response,
        pre_nrs=note.pre_nrs,
        post_nrs=note.post_nrs,
        adverse_events=note.adverse_events,
        session_number=number,
        reassessment_sessions=reassessments,
        baseline_nrs=baseline_nrs(note.client, program),
    )


def baseline_nrs(client: Client, program: Program | None) -> int | None:
    """The intake's NRS now, or failing that the first check-in of the program."""
    if program is None:
        intake = client.intakes.filter(status=Intake.Status.SUBMITTED).order_by("version").first()
    elif program.screening.intake_id is not None:
        intake = Intake.objects.filter(pk=program.screening.intake_id).first()
    else:
        intake = None
    if intake is not None and isinstance(intake.answers.get("nrs_now"), int):
        return int(intake.answers["nrs_now"])
    first = CheckIn.objects.filter(client=client)
    if program is not None:
        first = first.filter(program=program)
    check_in = first.order_by("checked_in_at", "pk").first()
    return check_in.nrs if check_in is not None else None


def treating_therapist_emails(alert: Alert) -> list[str]:
    """The therapist of the session (or of the program), if still active."""
    therapist = None
    if alert.note is not None:
        therapist = alert.note.therapist
    elif alert.check_in is not None:
        therapist = alert.check_in.appointment.therapist
    elif alert.program is not None:
        therapist = alert.program.therapist
    if therapist is None or not therapist.user.is_active:
        return []
    return [therapist.user.email]


def open_alerts_for(user: User) -> QuerySet[Alert]:
    """The open alerts this user should see: of the clients whose clinical record the access
    policy lets them read (the owner: every client; a therapist: their care teams')."""
    return Alert.objects.filter(
        status=Alert.Status.OPEN, client__in=policy.clinical_clients(user)
    ).select_related("client")
