"""Named, audited writes for outcome measures: record what a client answered (SPEC §5)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backcare import events
from backcare.audit.log import diff, record
from backcare.lib.errors import FieldError
from backcare.lib.pdf import format_letter_date
from backcare.notices.outbox import Prepared, attachment_maker, send_notice
from backcare.outcomes import catalogue
from backcare.outcomes.instruments import Instrument
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.scoring import ScoringError, score

if TYPE_CHECKING:
    from backcare.accounts.models import User
    from backcare.booking.models import Appointment
    from backcare.care.models import Program
    from backcare.clinic.models import Client
    from backcare.intake.models import Intake

_ANSWER_INDEX = re.compile(r"^answers\[(\d+)\]$")


class ResponseError(FieldError):
    """Answers that cannot be recorded. ``field`` is the item's linkId when one item is at
    fault (``peg-pain``), else ``instrument``, ``answers``, ``occasion``, ``program`` or
    ``appointment``."""

    instrument: str = ""
    """The instrument whose answers were refused, when it is known."""

    def __init__(self, field: str, message: str, *, instrument: str = "") -> None:
        super().__init__(field, message)
        self.instrument = instrument


def _instrument(key: str) -> Instrument:
    known = catalogue.instruments()
    inst = known.get(key)
    if inst is None:
        raise ResponseError(
            "instrument", f"unknown instrument '{key}' (known: {', '.join(sorted(known))})"
        )
    if not catalogue.is_enabled(inst):
        raise ResponseError("instrument", f"{inst.title} is not in use at this clinic")
    return inst


def _score(inst: Instrument, answers: Sequence[object]) -> tuple[float, dict[str, Any]]:
    try:
        result = score(inst, answers)
    except ScoringError as problem:
        match = _ANSWER_INDEX.match(problem.field)
        if match and int(match[1]) < len(inst.items):
            item = inst.items[int(match[1])]
            raise ResponseError(item.link_id, problem.message, instrument=inst.id) from problem
        raise ResponseError("answers", problem.message, instrument=inst.id) from problem
    details = result.to_dict()
    details.pop("score", None)
    return result.score, details


def _check_links(
    client: Client, occasion: str, program: Program | None, appointment: Appointment | None
) -> None:
    if occasion not in Occasion.values:
        raise ResponseError(
            "occasion", f"must be one of {', '.join(Occasion.values)}, got '{occasion}'"
        )
    if program is not None and program.client_id != client.pk:
        raise ResponseError("program", "That program belongs to someone else.")
    if appointment is not None and appointment.client_id != client.pk:
        raise ResponseError("appointment", "That appointment belongs to someone else.")


@transaction.atomic
def record_response(
    actor: User | None,
    client: Client,
    instrument: str,
    answers: Sequence[object],
    *,
    occasion: str,
    program: Program | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    activities: Sequence[str] = (),
) -> Response:
    """Score ``answers`` (in item order) with the clinic's instrument and keep them verbatim.

    Bad answers raise :class:`ResponseError` naming the item; nothing is saved then.
    ``actor`` is who collected them: the client themselves in the portal, or a staff member.
    ``activities`` names what each PSFS item was about (kept with the details).
    """
    _check_links(client, occasion, program, appointment)
    inst = _instrument(instrument)
    value, details = _score(inst, answers)
    if activities:
        details["activities"] = [str(name) for name in activities]
    response = Response.objects.create(
        client=client,
        instrument=inst.id,
        answers=list(answers),
        score=value,
        details=details,
        occasion=occasion,
        program=program,
        appointment=appointment,
        collected_at=now or timezone.now(),
        collected_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record(
        actor,
        "outcome.recorded",
        response,
        client=client,
        changes=diff(
            {},
            {
                "instrument": inst.id,
                "score": value,
                "occasion": occasion,
                "program": program.pk if program is not None else None,
                "appointment": appointment.pk if appointment is not None else None,
            },
        ),
    )
    events.publish(events.ResponseRecorded(response))
    return response


@transaction.atomic
def record_responses(
    actor: User | None,
    client: Client,
    answers: Mapping[str, Sequence[object]],
    *,
    occasion: str,
    program: Program | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    activities: Mapping[str, Sequence[str]] | None = None,
) -> list[Response]:
    """Several instruments answered together (a reassessment form): all are kept, or none.
    ``activities`` names the PSFS items, by instrument."""
    at = now or timezone.now()
    return [
        record_response(
            actor,
            client,
            key,
            item_answers,
            occasion=occasion,
            program=program,
            appointment=appointment,
            now=at,
            activities=(activities or {}).get(key, ()),
        )
        for key, item_answers in answers.items()
    ]


# The intake asks NRS and PEG (and the client's PSFS activities): they are the baseline.
INTAKE_INSTRUMENTS = ("nrs", "peg", "psfs")


def intake_answers(answers: Mapping[str, Any]) -> dict[str, tuple[list[Any], list[str]]]:
    """The instruments an intake answered, as ``{key: (answers, activity names)}``: those whose
    items the questionnaire tags (``"item": "peg/peg-pain"``) and the PSFS activities."""
    from backcare.intake.questionnaire import instrument_answers

    found: dict[str, tuple[list[Any], list[str]]] = {}
    for key in INTAKE_INSTRUMENTS:
        if key == "psfs":
            goals = [goal for goal in answers.get("activities") or () if isinstance(goal, dict)]
            if goals:
                found[key] = (
                    [goal.get("score") for goal in goals],
                    [str(goal.get("activity", "")) for goal in goals],
                )
            continue
        values = instrument_answers(answers, key)
        if values and all(value is not None for value in values):
            found[key] = (list(values), [])
    return found


def record_intake_baseline(
    actor: User | None, intake: Intake, previous: Intake | None, *, at: dt.datetime
) -> list[Response]:
    """Baseline responses from a submitted intake (occasion ``intake``). A later version of the
    intake (a change of health history) adds a response only for a measure whose answers
    changed, so re-sending the same answers does not move the baseline."""
    before = intake_answers(previous.answers) if previous is not None else {}
    recorded = []
    for key, (values, names) in intake_answers(intake.answers).items():
        if before.get(key) == (values, names):
            continue
        inst = catalogue.instruments().get(key)
        if inst is None or not catalogue.is_enabled(inst):
            continue
        recorded.append(
            record_response(
                actor,
                intake.client,
                key,
                values,
                occasion=Occasion.INTAKE,
                now=at,
                activities=names,
            )
        )
    return recorded


# --- The discharge summary to the physician ---------------------------------------------------


def email_discharge_summary(actor: User, program: Program, *, today: dt.date) -> None:
    """Email the discharge summary as a PDF to the client's physician, through the queue after
    commit (SPEC §2 step 6). The PDF is made by the worker (:func:`discharge_summary_pdf`), not
    in the request."""
    from backcare.outcomes.records import discharge_summary
    from backcare.outcomes.summary import summary_filename

    client = program.client
    if not client.physician_email:
        raise FieldError(
            "physician_email", "Add the physician's email address to the client's details first."
        )
    summary = discharge_summary(program, today=today)
    record(
        actor,
        "discharge_summary.emailed",
        program,
        client=client,
        changes=diff({}, {"to": client.physician_email}),
    )
    send_notice(
        key=None,  # sending the summary again is a deliberate second email
        to=[client.physician_email],
        subject=f"Discharge summary from {settings.CLINIC_NAME}",  # the patient is named inside
        template="outcomes/email/physician_summary",
        context={
            "physician_name": client.physician_name,
            "client_name": client.full_name,
            "client_born": format_letter_date(client.date_of_birth),
            "program_title": program.title,
            "responder": summary.responder,
            "signed": summary.therapist_name or settings.CLINIC_NAME,
            "clinic_name": settings.CLINIC_NAME,
        },
        attachments=[
            Prepared(
                summary_filename(summary),
                "application/pdf",
                "outcomes.discharge_summary",
                {"program_id": program.pk, "today": today.isoformat()},
            )
        ],
        kind="discharge_summary",
    )


@attachment_maker("outcomes.discharge_summary")
def discharge_summary_pdf(*, program_id: int, today: str) -> bytes:
    """The emailed discharge summary's PDF, made by the worker from what the request named."""
    from backcare.care.models import Program
    from backcare.outcomes.records import discharge_summary
    from backcare.outcomes.summary import render_discharge_summary

    summary = discharge_summary(
        Program.objects.get(pk=program_id), today=dt.date.fromisoformat(today)
    )
    return render_discharge_summary(summary)
