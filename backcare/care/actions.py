"""Named, audited writes for treatment programs (SPEC §2 step 3): create one from a template,
move it through its statuses, pause it, book its sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from backcare import events, policy
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.booking.models import Appointment
from backcare.care.models import (
    ENDED_STATUSES,
    RUNNING_STATUSES,
    STATUS_FLOW,
    Goal,
    Program,
    ProgramStatus,
    StatusChange,
)
from backcare.care.templates import MAX_GOALS, MIN_GOALS, ProgramTemplate, load_templates
from backcare.clinic.actions import add_to_care_team
from backcare.clinic.models import CareTeamMembership, Client, Service, Therapist
from backcare.holds.actions import ClientHeld, door
from backcare.holds.queries import Standing, standing
from backcare.holds.rules import CauseKind, ClinicalHold, Door
from backcare.lib.errors import FieldError
from backcare.lib.techniques import TECHNIQUES
from backcare.policy import Action
from backcare.screening.models import Clearance, Screening

if TYPE_CHECKING:
    from backcare.booking.actions import SeriesReport
    from backcare.clinic.models import Location

HOLD_MESSAGES: dict[CauseKind, str] = {
    "minor": "Backcare's programs are for adults (18 and over), so this program can't be active.",
    "urgent_referral": (
        "The latest screening asks the client to see a doctor first. The program can go on once "
        "their screening has been updated after that visit."
    ),
    "medical_clearance_required": (
        "The latest screening needs a doctor's clearance that hasn't been recorded yet. The "
        "program can go on once it is."
    ),
    "possible_injury": (
        "A possible injury is on record and the client is on hold. The program can go on once a "
        "doctor's answer (or the owner's decision) lifts the hold, not on a typed reason alone."
    ),
    "red_flag": (
        "A red flag at check-in put the client on hold. The program can go on once a doctor's "
        "answer (or the owner's decision) lifts the hold."
    ),
    "program_paused": (
        "The program was paused by a safety alert. It can go on once a doctor's answer (or the "
        "owner's decision) lifts the hold."
    ),
    "not_screened": "This client has no screening yet, so the program can't be active.",
}


def _status_label(status: str) -> str:
    return ProgramStatus(status).label.lower()


@door("program")
def change_program_status(
    actor: User | None,
    program: Program,
    to_status: str,
    reason: str,
    *,
    clearance: Clearance | None = None,
    now: dt.datetime | None = None,
) -> Program:
    """Move ``program`` to ``to_status`` along :data:`STATUS_FLOW`, keeping the reason.

    ``actor`` None is Backcare itself (the response monitor). Moving into ``active`` needs the
    client not to be on a clinical hold (:mod:`backcare.holds`); resuming a paused program also
    needs a recorded ``clearance`` for this client or a reason from a therapist or owner, kept
    as their documented decision. Refusals raise :class:`FieldError` naming ``status``,
    ``reason`` or ``clearance``."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Please say why the program's status is changing.")
    try:
        target = ProgramStatus(to_status)
    except ValueError:
        raise FieldError("status", "Please choose one of the program statuses.") from None
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        current = locked.status
        if target not in STATUS_FLOW[current]:
            if current in ENDED_STATUSES:
                message = f"This program is {_status_label(current)}, so it can't change any more."
            else:
                message = (
                    f"A {_status_label(current)} program can't become {_status_label(target)}."
                )
            raise FieldError("status", message)
        if clearance is not None and clearance.client_id != locked.client_id:
            raise FieldError("clearance", "That clearance belongs to someone else.")
        before = {
            "status": current,
            "started_on": locked.started_on,
            "ended_on": locked.ended_on,
            "screening": locked.screening_id,
        }
        locked.status = target
        update = ["status", "updated_at"]
        if target == ProgramStatus.ACTIVE:
            allowed_by = _screening_allowing(actor, locked, current, clearance, now)
            if allowed_by.pk != locked.screening_id:
                # From now on the program runs under the screening that let it go on.
                locked.screening = allowed_by
                update.append("screening")
        if target == ProgramStatus.ACTIVE and locked.started_on is None:
            locked.started_on = timezone.localdate(now)
            update.append("started_on")
        if target in ENDED_STATUSES:
            locked.ended_on = timezone.localdate(now)
            update.append("ended_on")
        locked.updated_at = now
        locked.save(update_fields=update)
        change = StatusChange.objects.create(
            program=locked,
            from_status=current,
            to_status=target,
            reason=reason,
            clearance=clearance,
            changed_by=actor if actor is not None and actor.is_authenticated else None,
            changed_at=now,
        )
        after = {
            "status": locked.status,
            "started_on": locked.started_on,
            "ended_on": locked.ended_on,
            "screening": locked.screening_id,
        }
        changes = diff(_plain(before), _plain(after))
        changes["reason"] = {"before": None, "after": reason}
        if clearance is not None:
            changes["clearance"] = {"before": None, "after": clearance.pk}
        changes["status_change"] = {"before": None, "after": change.pk}
        record(actor, "program.status_changed", locked, client=locked.client, changes=changes)
        events.publish(events.ProgramChanged(locked, "status_changed"))
    # The caller's object shows the new state too.
    for field in ("status", "started_on", "ended_on", "updated_at", "screening_id"):
        setattr(program, field, getattr(locked, field))
    return program


def _plain(values: Mapping[str, object]) -> dict[str, object]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in values.items()
    }


def _screening_allowing(
    actor: User | None,
    program: Program,
    current: str,
    clearance: Clearance | None,
    now: dt.datetime,
) -> Screening:
    """The client's latest screening, which lets the program run. Refused while screening
    holds the client's care; a resume needs a clearance or a therapist's documented decision
    (SPEC §2 step 3)."""
    if (
        current == ProgramStatus.PAUSED
        and clearance is None
        and (actor is None or not policy.can(actor, Action.CLINICAL_DECIDE))
    ):
        raise FieldError(
            "status",
            "Resuming a paused program needs a recorded clearance or a therapist's decision.",
        )
    now_standing = standing(program.client, timezone.localdate(now))
    hold = now_standing.at("program")
    if now_standing.screening is None:
        raise ProgramHeld(program.client, "program", hold or ClinicalHold(), for_staff=True)
    if hold is not None:
        raise ProgramHeld(program.client, "program", hold, for_staff=True)
    return now_standing.screening


class ProgramHeld(ClientHeld):
    """A clinical hold keeps the program from becoming active or resuming (SPEC §2a)."""

    def __init__(
        self,
        client: Client,
        door: Door,
        hold: ClinicalHold,
        *,
        for_staff: bool,
        field: str = "status",
        message: str = "",
    ) -> None:
        super().__init__(client, door, hold, for_staff=for_staff)
        self.field = field
        self.message = message or program_hold_message(hold)
        self.args = (f"{field}: {self.message}",)


def program_hold_message(hold: ClinicalHold) -> str:
    """Why a held client's program can't become active or resume, for the therapist."""
    if not hold:
        return "This client has no screening yet, so the program can't be active."
    return HOLD_MESSAGES[hold.kind]


def pause_program(
    actor: User | None, program: Program, reason: str, *, now: dt.datetime | None = None
) -> Program:
    """Pause an active program, e.g. when a session note or a response raises a concern.
    ``actor`` None is Backcare itself."""
    return change_program_status(actor, program, ProgramStatus.PAUSED, reason, now=now)


# --- Creating a program ----------------------------------------------------------------------

# Why a program can't start yet, for the therapist, by the kind of screening hold.
START_HOLD_MESSAGES: dict[CauseKind, str] = {
    "minor": "Backcare's programs are for adults (18 and over).",
    "urgent_referral": (
        "The latest screening asks the client to see a doctor today. A program can start once "
        "their screening has been updated after that visit."
    ),
    "medical_clearance_required": (
        "The latest screening needs a doctor's clearance first. Record the clearance, then "
        "start the program."
    ),
}


def start_refusal(where: Standing) -> str | None:
    """Why a program can't start for a client standing ``where``, or None."""
    if where.screening is None:
        return "This client hasn't been screened yet. Their health questions come first."
    hold = where.at("program")
    if hold is not None:
        return START_HOLD_MESSAGES.get(hold.kind) or HOLD_MESSAGES[hold.kind]
    return None


@dataclass(frozen=True)
class GoalInput:
    """A PSFS activity for the program: how well the client does it now (0–10, if known) and
    the score they aim for."""

    activity: str
    target: int
    baseline: int | None = None


def default_goals(client: Client, template: ProgramTemplate) -> list[GoalInput]:
    """The client's own intake activities (PSFS) when they gave some, else the template's
    suggestions; the target is three points better, up to 10."""
    latest = client.screenings.select_related("intake").order_by("-created_at", "-pk").first()
    given = []
    if latest is not None and latest.intake is not None:
        given = [
            item
            for item in latest.intake.answers.get("activities") or ()
            if isinstance(item, dict) and str(item.get("activity", "")).strip()
        ]
    if given:
        return [
            GoalInput(
                activity=str(item["activity"]).strip(),
                baseline=int(item["score"]) if item.get("score") is not None else None,
                target=min(10, int(item.get("score") or 0) + 3),
            )
            for item in given[:MAX_GOALS]
        ]
    return [GoalInput(activity=name, target=7) for name in template.goal_suggestions[:MIN_GOALS]]


def _check_goals(goals: list[GoalInput]) -> list[GoalInput]:
    kept = [
        GoalInput(activity=goal.activity.strip(), target=goal.target, baseline=goal.baseline)
        for goal in goals
        if goal.activity.strip()
    ]
    if not MIN_GOALS <= len(kept) <= MAX_GOALS:
        raise FieldError(
            "goals", f"Please name {MIN_GOALS} to {MAX_GOALS} activities the client wants to do."
        )
    for goal in kept:
        if len(goal.activity) > Goal._meta.get_field("activity").max_length:  # type: ignore[operator]
            raise FieldError("goals", f"Please shorten the activity “{goal.activity[:40]}…”.")
        for score in (goal.target, goal.baseline):
            if score is not None and not 0 <= score <= 10:
                raise FieldError("goals", f"Scores for “{goal.activity}” must be from 0 to 10.")
    return kept


def _check_techniques(techniques: list[str], verdicts: Mapping[str, str]) -> list[str]:
    if not techniques:
        raise FieldError("techniques", "Please plan at least one technique.")
    unknown = sorted(set(techniques) - set(TECHNIQUES))
    if unknown:
        raise FieldError("techniques", f"“{unknown[0]}” is not one of our techniques.")
    avoided = [code for code in TECHNIQUES if code in techniques and verdicts.get(code) == "avoid"]
    if avoided:
        raise FieldError(
            "techniques",
            f"The client's screening says to avoid {TECHNIQUES[avoided[0]].lower()}.",
        )
    return [code for code in TECHNIQUES if code in techniques]


@door("program")
def create_program(
    actor: User,
    client: Client,
    *,
    template: str,
    service: Service,
    techniques: list[str],
    goals: list[GoalInput],
    self_care: str | None = None,
    therapist: Therapist | None = None,
    now: dt.datetime | None = None,
) -> Program:
    """Make a draft program for ``client`` from ``template``, only when the latest screening
    allows it (SPEC §2 step 3), planning only techniques it allows and carrying over its
    pressure cap and positioning. The program's therapist joins the client's care team.

    Refusals raise :class:`FieldError` naming ``screening``, ``template``, ``service``,
    ``techniques``, ``goals``, ``therapist`` or ``client`` (a program is already running)."""
    now = now or timezone.now()
    if not policy.can(actor, Action.CLINICAL_DECIDE):
        raise FieldError("therapist", "Only a therapist or the owner can plan a program.")
    if therapist is None:
        therapist = Therapist.objects.filter(user=actor).first()
        if therapist is None:
            raise FieldError("therapist", "Please choose the therapist who will run the program.")
    if not therapist.active or not therapist.user.is_active:
        raise FieldError("therapist", f"{therapist} is not working with clients at the moment.")
    try:
        chosen = load_templates().get(template)
    except KeyError:
        raise FieldError("template", "Please choose one of the program templates.") from None
    if not service.active:
        raise FieldError("service", "That service is no longer offered.")
    if service.duration_minutes != chosen.duration_minutes:
        raise FieldError(
            "service",
            f"This program's sessions last {chosen.duration_minutes} minutes: please choose a "
            f"{chosen.duration_minutes}-minute service.",
        )
    where = standing(client, timezone.localdate(now))
    refusal = start_refusal(where)
    hold = where.at("program")
    if refusal is not None and hold is not None:
        raise ProgramHeld(
            client, "program", hold, for_staff=True, field="screening", message=refusal
        )
    if refusal is not None or where.screening is None:
        raise FieldError("screening", refusal or "")
    outcome = where.screening.outcome
    planned = _check_techniques(list(techniques), outcome.techniques)
    kept_goals = _check_goals(list(goals))
    care_plan = chosen.self_care if self_care is None else self_care.strip()
    with transaction.atomic():
        # One running program per client: the constraint decides under concurrent requests.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if Program.objects.filter(client=client, status__in=RUNNING_STATUSES).exists():
            raise FieldError("client", "This client already has a program that is running.")
        program = Program(
            client=client,
            therapist=therapist,
            template=chosen.key,
            title=chosen.title,
            service=service,
            sessions_planned=chosen.sessions,
            sessions_per_week=chosen.sessions_per_week,
            reassessment_sessions=list(chosen.reassessment_sessions),
            techniques=planned,
            pressure_cap=outcome.max_pressure,
            positioning=[] if outcome.positioning == "any" else [outcome.positioning],
            self_care=care_plan,
            screening=where.screening,
            status=ProgramStatus.DRAFT,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        try:
            with transaction.atomic():
                program.save()
        except IntegrityError:
            raise FieldError(
                "client", "This client already has a program that is running."
            ) from None
        Goal.objects.bulk_create(
            Goal(
                program=program,
                activity=goal.activity,
                baseline=goal.baseline,
                target=goal.target,
                position=index,
            )
            for index, goal in enumerate(kept_goals)
        )
        StatusChange.objects.create(
            program=program,
            from_status="",
            to_status=ProgramStatus.DRAFT,
            reason=f"Planned from the template “{chosen.title}”.",
            changed_by=actor,
            changed_at=now,
        )
        record(
            actor,
            "program.created",
            program,
            client=client,
            changes=diff(
                {},
                {
                    "template": chosen.key,
                    "therapist": therapist.pk,
                    "service": service.pk,
                    "screening": where.screening.pk,
                    "techniques": planned,
                    "pressure_cap": program.pressure_cap,
                    "positioning": program.positioning,
                    "goals": [
                        {"activity": g.activity, "baseline": g.baseline, "target": g.target}
                        for g in kept_goals
                    ],
                    "self_care": care_plan,
                },
            ),
        )
        add_to_care_team(actor, client, therapist, CareTeamMembership.Reason.PROGRAM, now)
        events.publish(events.ProgramChanged(program, "created"))
    return program


# --- Booking a program's sessions -------------------------------------------------------------


def sessions_to_book(program: Program) -> int:
    """The planned sessions not booked yet (cancelled and missed ones are booked again)."""
    from backcare.booking.models import ACTIVE_STATUSES

    booked = program.appointments.filter(status__in=ACTIVE_STATUSES).count()
    return max(0, program.sessions_planned - booked)


@door("book")
def book_program_series(
    actor: User,
    program: Program,
    location: Location,
    first_start: dt.datetime,
    *,
    days_between: int = 3,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> SeriesReport:
    """Check, and unless ``dry_run`` book, the program's remaining sessions with its therapist
    and service, once or twice a week as its template says. Every booked appointment belongs
    to the program; the report says per date what was booked and what needs another time."""
    from backcare.booking.actions import book_series

    if program.status in ENDED_STATUSES:
        raise FieldError(
            "status", f"This program is {_status_label(program.status)}: nothing to book."
        )
    count = sessions_to_book(program)
    if count == 0:
        raise FieldError("count", "Every session of this program is booked already.")
    return book_series(
        actor,
        program.client,
        program.service,
        program.therapist,
        location,
        first_start,
        count,
        program.sessions_per_week,
        days_between=days_between,
        now=now,
        dry_run=dry_run,
        program=program,
    )


@transaction.atomic
def attach_appointments(
    actor: User | None, program: Program, appointments: list[Appointment]
) -> int:
    """Make already booked sessions of the program's client part of the program."""
    if any(appointment.client_id != program.client_id for appointment in appointments):
        raise FieldError("appointments", "Those sessions belong to someone else.")
    ids = sorted(appointment.pk for appointment in appointments)
    attached = Appointment.objects.filter(pk__in=ids, program__isnull=True).update(
        program=program, updated_at=timezone.now()
    )
    record(
        actor,
        "program.appointments_attached",
        program,
        client=program.client,
        changes={"appointments": {"before": None, "after": ids}},
    )
    events.publish(events.ProgramChanged(program, "appointments_attached"))
    return attached
