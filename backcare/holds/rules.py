"""The clinical hold (SPEC §2a): while it stands, a client is not booked, checked in or treated.

Plain logic with no Django, no clock and no database. ``queries.py`` gathers the facts of one
client (:class:`Facts`); :func:`clinical_hold` turns them into a :class:`ClinicalHold` that
names each cause, since when, and which doors it shuts. Every door that books, moves, checks
in, treats or changes a program asks the same hold (``actions.refuse_if_held``).

A cause has a ``key`` (``screening:12``, ``alert:7``, ``program:3:41``). A named, audited
decision lifts causes by key (a physician's reply or the owner's override); a new alert, a new
screening or a new pause is a new key, so it holds again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

Door: TypeAlias = Literal["book", "check_in", "treat", "program"]
DOORS: tuple[Door, ...] = ("book", "check_in", "treat", "program")
EVERY_DOOR: frozenset[Door] = frozenset(DOORS)
# Never screened: a client may book first and answer the questionnaire before the visit, as
# with any clinic; nobody is checked in, treated or started on a program unscreened (§2a).
BEFORE_TREATMENT: frozenset[Door] = frozenset({"check_in", "treat", "program"})

ADULT_AGE = 18

# Monitor alerts that hold the client (SPEC §2a): a possible injury, a red flag at check-in.
HOLDING_ALERTS = frozenset({"possible_injury", "session_stopped"})

CauseKind: TypeAlias = Literal[
    "minor",
    "urgent_referral",
    "medical_clearance_required",
    "possible_injury",
    "red_flag",
    "program_paused",
    "not_screened",
]

# The words of each cause, most severe first: the client's (who to call, what happens next)
# and the front desk's, which never names a clinical reason (SPEC §1).
WORDS: dict[CauseKind, tuple[str, str]] = {
    "minor": (
        "Backcare's programs are for adults, so we can't book sessions for anyone under 18. "
        "Please call the clinic and we'll help you find the right care.",
        "Cannot be booked: our programs are for adults (18 and over).",
    ),
    "urgent_referral": (
        "Your answers mean a doctor should see you today, so online booking is closed for now "
        "and any sessions you have booked are on hold. Once a doctor has seen you, call the "
        "clinic and we'll go on from there.",
        "On hold: the client has been asked to see a doctor first. A therapist will update "
        "their screening after that visit.",
    ),
    "red_flag": (
        "Your answers at check-in mean a doctor should see you first, so your sessions are on "
        "hold. Please call the clinic once a doctor has seen you.",
        "On hold: at check-in the client was asked to see a doctor first. Waiting for the "
        "doctor's answer.",
    ),
    "possible_injury": (
        "After your last session your therapist would like a doctor to check your back before "
        "we go on, so your sessions are on hold until the clinic has the doctor's answer. "
        "Please call the clinic if you have any questions.",
        "On hold after the last session: waiting for a doctor's answer.",
    ),
    "program_paused": (
        "Your massage program is paused until the clinic has a doctor's answer. Please call "
        "the clinic if you have any questions.",
        "On hold: the client's program is paused until a doctor's answer is recorded.",
    ),
    "medical_clearance_required": (
        "We need a note from your doctor saying massage is safe for you before we can book "
        "your sessions. Your referral letter explains what to ask.",
        "Cannot be booked yet: waiting for a note from the client's doctor.",
    ),
    "not_screened": (
        "Please answer the health questions before your first session: we need them to keep "
        "your massage safe. It takes about ten minutes.",
        "Questionnaire not done: the client answers the health questions before check-in.",
    ),
}
SEVERITY: tuple[CauseKind, ...] = tuple(WORDS)


@dataclass(frozen=True)
class Cause:
    """One reason a client is held, since when, and the doors it shuts."""

    kind: CauseKind
    key: str
    since: dt.datetime | None
    doors: frozenset[Door] = EVERY_DOOR
    liftable: bool = True
    """Whether a named decision (physician reply, owner override) can lift it. Age cannot, and
    a missing questionnaire is lifted by answering it."""

    @property
    def client_message(self) -> str:
        return WORDS[self.kind][0]

    @property
    def staff_message(self) -> str:
        return WORDS[self.kind][1]


@dataclass(frozen=True)
class ClinicalHold:
    """Every cause that stands for a client. Empty when the client is not held at all."""

    causes: tuple[Cause, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.causes)

    def at(self, door: Door) -> ClinicalHold | None:
        """The hold at one door: only the causes that shut it, or None when it is open."""
        shut = tuple(cause for cause in self.causes if door in cause.doors)
        return ClinicalHold(shut) if shut else None

    @property
    def first(self) -> Cause:
        return self.causes[0]

    @property
    def kind(self) -> CauseKind:
        return self.first.kind

    @property
    def client_message(self) -> str:
        return self.first.client_message

    @property
    def staff_message(self) -> str:
        return self.first.staff_message

    @property
    def since(self) -> dt.datetime | None:
        times = [cause.since for cause in self.causes if cause.since is not None]
        return min(times) if times else None

    @property
    def liftable_keys(self) -> tuple[str, ...]:
        return tuple(cause.key for cause in self.causes if cause.liftable)

    @property
    def kinds(self) -> tuple[CauseKind, ...]:
        return tuple(cause.kind for cause in self.causes)


@dataclass(frozen=True)
class ScreeningFact:
    pk: int
    decision: str
    created_at: dt.datetime
    clearance_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertFact:
    pk: int
    kind: str
    opened_at: dt.datetime


@dataclass(frozen=True)
class PauseFact:
    """A program paused by a holding alert: the program and the status change that paused it."""

    program: int
    change: int
    paused_at: dt.datetime


@dataclass(frozen=True)
class Facts:
    adult: bool
    screening: ScreeningFact | None
    cleared_codes: frozenset[str] = frozenset()
    alerts: tuple[AlertFact, ...] = ()
    pauses: tuple[PauseFact, ...] = ()
    released: frozenset[str] = field(default_factory=frozenset)
    """Keys of causes a recorded decision has lifted."""


def screening_key(pk: int) -> str:
    return f"screening:{pk}"


def alert_key(pk: int) -> str:
    return f"alert:{pk}"


def pause_key(program: int, change: int) -> str:
    return f"program:{program}:{change}"


def causes(facts: Facts) -> list[Cause]:
    """Every standing cause, most severe first (SPEC §2a)."""
    found: list[Cause] = []
    if not facts.adult:
        found.append(Cause("minor", "minor", None, liftable=False))
    screening = facts.screening
    if screening is None:
        found.append(Cause("not_screened", "not_screened", None, BEFORE_TREATMENT, False))
    else:
        key = screening_key(screening.pk)
        if key not in facts.released:
            if screening.decision == "urgent_referral":
                found.append(Cause("urgent_referral", key, screening.created_at))
            elif screening.decision == "medical_clearance_required" and (
                set(screening.clearance_codes) - facts.cleared_codes
            ):
                found.append(Cause("medical_clearance_required", key, screening.created_at))
    for alert in facts.alerts:
        if alert.kind not in HOLDING_ALERTS or alert_key(alert.pk) in facts.released:
            continue
        kind: CauseKind = "possible_injury" if alert.kind == "possible_injury" else "red_flag"
        found.append(Cause(kind, alert_key(alert.pk), alert.opened_at))
    for pause in facts.pauses:
        key = pause_key(pause.program, pause.change)
        if key not in facts.released:
            found.append(Cause("program_paused", key, pause.paused_at))
    found.sort(key=lambda cause: (SEVERITY.index(cause.kind), cause.since or _EPOCH))
    return found


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def clinical_hold(facts: Facts) -> ClinicalHold:
    return ClinicalHold(tuple(causes(facts)))


def lifts(hold: ClinicalHold, keys: Iterable[str]) -> list[str]:
    """Which of ``keys`` name causes of ``hold`` that a decision may lift."""
    wanted = set(keys)
    return [key for key in hold.liftable_keys if key in wanted]


def shuts(hold: ClinicalHold | None, doors: Collection[Door]) -> bool:
    return hold is not None and any(hold.at(door) for door in doors)


def kind_of(hold: ClinicalHold | None) -> CauseKind | None:
    """The kind of the hold's first cause, or None when there is no hold."""
    return hold.kind if hold else None


@dataclass(frozen=True)
class Words:
    """What a cause says, in the client's voice and the staff's."""

    kind: CauseKind
    client_message: str
    staff_message: str


HOLDS: dict[str, Words] = {kind: Words(kind, *WORDS[kind]) for kind in WORDS}
