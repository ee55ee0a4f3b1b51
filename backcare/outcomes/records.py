"""Loading a client's responses and a program's sessions for the progress page, the reassessment
reminder and the discharge summary, in a fixed number of queries whatever their number."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from backcare.booking.models import AppointmentStatus
from backcare.care.models import Program
from backcare.clinic.letterhead import letterhead_for
from backcare.clinic.models import Client, Location
from backcare.lib.pdf import format_letter_date
from backcare.lib.techniques import TECHNIQUES
from backcare.outcomes import catalogue
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.progress import (
    CHARTED,
    Entry,
    Measure,
    due_reassessment,
    measure,
    progress_sentence,
    third_person,
)
from backcare.outcomes.summary import DischargeSummary, MeasureRow

FOLLOW_UP_OCCASIONS = (Occasion.REASSESSMENT, Occasion.DISCHARGE)


@dataclass(frozen=True)
class Progress:
    client: Client
    program: Program | None
    start: dt.datetime | None
    measures: list[Measure]
    pgic: Response | None
    responses: list[Response] = field(default_factory=list)

    @property
    def charted(self) -> list[Measure]:
        return [m for m in self.measures if m.entries]

    @property
    def sentences(self) -> list[str]:
        return [s for s in (progress_sentence(m) for m in self.measures) if s]

    @property
    def headline(self) -> Measure | None:
        """NRS, the measure of the responder class (SPEC §5), when it has a change."""
        return next((m for m in self.measures if m.key == "nrs" and m.change), None)


def program_start(program: Program) -> dt.datetime:
    """The first day of the program, at midnight in the clinic's zone (or when it was made)."""
    if program.started_on is None:
        return program.created_at
    return dt.datetime.combine(
        program.started_on, dt.time(), tzinfo=timezone.get_current_timezone()
    )


def current_program(client: Client) -> Program | None:
    """The client's latest program (running or ended)."""
    return client.programs.order_by("-created_at", "-pk").first()


def _responses(client: Client) -> QuerySet[Response]:
    return Response.objects.filter(client=client).order_by("collected_at", "pk")


def _in_program(response: Response, program: Program, start: dt.datetime) -> bool:
    if response.program_id is not None:
        return response.program_id == program.pk
    if response.collected_at < start:
        return response.occasion == Occasion.INTAKE
    return program.ended_on is None or timezone.localdate(response.collected_at) <= (
        program.ended_on
    )


def progress(client: Client, program: Program | None) -> Progress:
    """Two queries: the responses and (given) nothing else; the program is passed in."""
    start = program_start(program) if program is not None else None
    responses = list(_responses(client))
    if program is not None and start is not None:
        responses = [r for r in responses if _in_program(r, program, start)]
    known = catalogue.instruments()
    weeks_planned = (
        program.sessions_planned / program.sessions_per_week if program is not None else 0
    )
    measures = []
    for key in CHARTED:
        inst = known.get(key)
        if inst is None:
            continue
        entries = [
            Entry(instrument=key, score=r.score, at=r.collected_at, occasion=r.occasion)
            for r in responses
            if r.instrument == key
        ]
        measures.append(measure(inst, entries, start=start, weeks_planned=weeks_planned))
    pgic = next((r for r in reversed(responses) if r.instrument == "pgic"), None)
    return Progress(
        client=client,
        program=program,
        start=start,
        measures=measures,
        pgic=pgic,
        responses=responses,
    )


def reassessment_due(program: Program) -> int | None:
    """The reassessment session the program has reached with no answers yet (two queries)."""
    if not program.reassessment_sessions:
        return None
    completed = list(
        program.appointments.filter(status=AppointmentStatus.COMPLETED)
        .order_by("starts")
        .values_list("starts", flat=True)
    )
    answered = list(
        Response.objects.filter(program=program, occasion__in=FOLLOW_UP_OCCASIONS).values_list(
            "collected_at", flat=True
        )
    )
    return due_reassessment(program.reassessment_sessions, completed, answered)


# --- the discharge summary -----------------------------------------------------------------


TOOK_PLACE = frozenset({AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED})
"""The statuses of a session that took place (checked in is enough: not every session is
marked completed afterwards)."""


@dataclass(frozen=True)
class Attendance:
    """What became of a program's sessions."""

    attended: int = 0
    """Sessions that took place: checked in or completed, or with a signed note whatever
    their status (a note is signed only for a session that happened)."""
    missed: int = 0
    cancelled: int = 0
    booked: int = 0
    """Sessions still to come."""
    location: Location | None = None
    """Where the latest session that took place was; None when none did."""


@dataclass(frozen=True)
class TechniqueUse:
    label: str
    sessions: int
    minutes: int


@dataclass(frozen=True)
class Techniques:
    used: list[TechniqueUse]
    planned_only: bool
    """True when no signed session note exists: the list is the program's plan."""


def attendance(program: Program) -> Attendance:
    """The program's sessions by what became of them, and where the latest attended one was.
    One query."""
    from backcare.notes.models import SessionNote

    signed = SessionNote.objects.filter(appointment=OuterRef("pk"), signed_at__isnull=False)
    counts: Counter[str] = Counter()
    location = None
    for appointment in (
        program.appointments.annotate(signed=Exists(signed))
        .select_related("location")
        .order_by("starts", "pk")
    ):
        if appointment.signed or appointment.status in TOOK_PLACE:
            counts["attended"] += 1
            location = appointment.location
        else:
            counts[appointment.status] += 1
    return Attendance(
        attended=counts["attended"],
        missed=counts[AppointmentStatus.NO_SHOW],
        cancelled=counts[AppointmentStatus.CANCELLED],
        booked=counts[AppointmentStatus.BOOKED],
        location=location,
    )


def techniques(program: Program) -> Techniques:
    """From the program's signed session notes: each technique, in how many sessions and for
    how many minutes. With no signed note yet, the program's planned techniques."""
    from backcare.notes.models import SessionNote

    notes = SessionNote.objects.filter(program=program, signed_at__isnull=False).values_list(
        "techniques", flat=True
    )
    sessions: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    any_note = False
    for used in notes:
        any_note = True
        for entry in _technique_entries(used):
            code = str(entry.get("code", ""))
            sessions[code] += 1
            raw_minutes = entry.get("minutes")
            minutes[code] += raw_minutes if isinstance(raw_minutes, int) else 0
    if any_note:
        order = list(TECHNIQUES)
        codes = sorted(sessions, key=lambda c: (order.index(c) if c in order else len(order), c))
        return Techniques(
            used=[TechniqueUse(_label(c), sessions[c], minutes[c]) for c in codes],
            planned_only=False,
        )
    return Techniques(
        used=[TechniqueUse(_label(c), 0, 0) for c in program.techniques], planned_only=True
    )


def _technique_entries(used: object) -> Iterable[dict[str, object]]:
    if not isinstance(used, list):
        return []
    return [entry for entry in used if isinstance(entry, dict)]


def _label(code: str) -> str:
    return TECHNIQUES.get(code, code.replace("_", " ").capitalize())


def _scale_words(m: Measure) -> str:
    inst = m.instrument
    better = "lower" if inst.direction == "lower_is_better" else "higher"
    return f"{_num(float(inst.score_min))} to {_num(float(inst.score_max))}, {better} is better"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def pgic_words(response: Response | None) -> str:
    if response is None or not response.details.get("category"):
        return ""
    when = response.collected_at.astimezone(timezone.get_current_timezone())
    return (
        f"Asked how things had changed since the start of the program "
        f"({response.get_occasion_display().lower()}, {format_letter_date(when.date())}), "
        f"the client answered “{response.details['category']}”."
    )


def responder_words(p: Progress) -> str:
    """The responder class on NRS (SPEC §5), with the change in words about the client (in the
    third person: the summary is written for their physician)."""
    headline = p.headline
    if headline is None or headline.change is None:
        return ""
    return (
        f"{progress_sentence(headline, about=p.client.first_name)} Responder class on pain "
        f"(NRS): {headline.change.responder_class}."
    )


def discharge_summary(program: Program, *, today: dt.date) -> DischargeSummary:
    """Everything the summary of ``program`` says, about the client in the third person. Three
    queries after the program (with its client, their home location and the therapist) is
    loaded: responses, sessions (with their locations), signed notes. The letterhead is the
    location of the latest session that took place."""
    client = program.client
    p = progress(client, program)
    sessions = attendance(program)
    used = techniques(program)
    return DischargeSummary(
        letterhead=letterhead_for(client, sessions.location),
        written_on=today,
        client_name=client.full_name,
        client_date_of_birth=client.date_of_birth,
        physician_name=client.physician_name,
        program_title=program.title,
        started_on=program.started_on,
        ended_on=program.ended_on,
        status=program.get_status_display(),
        measures=tuple(
            MeasureRow(
                title=m.instrument.title,
                baseline=_num(m.baseline.score) if m.baseline else "not recorded",
                latest=_num(m.latest.score) if m.latest and m.latest is not m.baseline else "—",
                change=third_person(m.change.sentence, client.first_name) if m.change else "",
                class_words=m.class_words,
                chart=m.chart,
                scale=_scale_words(m),
            )
            for m in p.measures
            if m.entries
        ),
        responder=responder_words(p),
        global_impression=pgic_words(p.pgic),
        attended=sessions.attended,
        missed=sessions.missed,
        cancelled=sessions.cancelled,
        planned=program.sessions_planned,
        techniques=tuple(
            t.label
            if used.planned_only
            else f"{t.label}: {t.sessions} session{'' if t.sessions == 1 else 's'}"
            + (f", {t.minutes} minutes in all" if t.minutes else "")
            for t in used.used
        ),
        techniques_planned_only=used.planned_only,
        advice=program.self_care,
        therapist_name=program.therapist.user.full_name,
    )
