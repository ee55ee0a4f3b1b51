"""The response monitor (SPEC §2 step 5): what a signed session note or a check-in means.

The seed clinic's precaution, made operational: "the pressure must evoke relaxation in the
muscles; if not, the muscles may be hurt, consult a doctor". This module is pure: no Django, no
clock, no database. The caller gathers the facts of one session (:class:`SessionFacts`) or one
check-in (:class:`CheckInFacts`); :func:`review_session` and :func:`review_check_in` return the
findings, each naming the rule that fired and its source. ``backcare/notes/actions.py`` turns
findings into alerts, pauses programs and drafts referral letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

TissueResponse: TypeAlias = Literal[
    "relaxed", "partly_relaxed", "no_relaxation", "guarding_increased"
]
TISSUE_RESPONSES: tuple[tuple[str, str], ...] = (
    ("relaxed", "Relaxed"),
    ("partly_relaxed", "Partly relaxed"),
    ("no_relaxation", "No relaxation"),
    ("guarding_increased", "Guarding increased"),
)
NOT_RELAXING: frozenset[str] = frozenset({"no_relaxation", "guarding_increased"})

# A rise of this many points on the 0-10 scale during one session is worth an alert.
PAIN_RISE_POINTS = 2
# Meaningful improvement: at least 2 points or at least 30% from baseline (IMMPACT).
IMPROVEMENT_POINTS = 2
IMPROVEMENT_PERCENT = 30

# Sources travel with alerts into referral letters and onto pages: they name the clinic's own
# rules and public literature in words, never our internal documents.
SEED_PRECAUTION = (
    "The clinic's precaution: the pressure must evoke relaxation in the muscles; if not, the "
    "muscles may be hurt, consult a doctor."
)
IMMPACT = (
    "Dworkin RH et al. Interpreting the clinical importance of treatment outcomes in chronic "
    "pain clinical trials: IMMPACT recommendations. J Pain 2008;9(2):105-121 — a fall of "
    "2 points or 30% on the 0-10 scale is a moderate, meaningful improvement."
)
SCREENING_RULES = "The clinic's safety screening before care, asked again at check-in."

Kind: TypeAlias = Literal[
    "possible_injury", "pain_increased", "adverse_event", "session_stopped", "not_responding"
]
KINDS: tuple[tuple[str, str], ...] = (
    ("possible_injury", "Possible injury"),
    ("pain_increased", "Pain increased"),
    ("adverse_event", "Adverse event"),
    ("session_stopped", "Session stopped at check-in"),
    ("not_responding", "Not responding"),
)


@dataclass(frozen=True)
class Finding:
    """One rule that fired: the alert it raises and what follows from it."""

    kind: Kind
    message: str
    source: str
    pause_program: bool = False
    letter: Literal["possible_injury", "not_responding"] | None = None
    """The purpose of the referral letter to draft, if one is (``screening/letter.py``)."""


@dataclass(frozen=True)
class SessionFacts:
    """What a signed note says, with what the monitor needs from the program."""

    tissue_response: str
    pre_nrs: int | None
    post_nrs: int | None
    adverse_events: str = ""
    session_number: int | None = None
    """Which session of the program this was (1-based), counting those that took place."""
    reassessment_sessions: tuple[int, ...] = ()
    baseline_nrs: int | None = None


@dataclass(frozen=True)
class CheckInFacts:
    """What the screening run at check-in decided, and what it means for booking."""

    decision: str
    hold: str | None
    """The screening hold after the check-in (``standing.hold_kind``): None when care may go on."""
    new_codes: tuple[str, ...] = ()
    """Screening codes the client's check-in answers added."""


@dataclass(frozen=True)
class Improvement:
    points: int
    """Baseline minus now: positive when pain has eased."""
    baseline: int

    @property
    def meaningful(self) -> bool:
        """At least 2 points, or at least 30% of the baseline (exact, in whole numbers)."""
        if self.points >= IMPROVEMENT_POINTS:
            return True
        return self.baseline > 0 and self.points * 100 >= IMPROVEMENT_PERCENT * self.baseline

    @property
    def percent(self) -> float:
        return 0.0 if self.baseline == 0 else 100.0 * self.points / self.baseline


def improvement(baseline: int, now: int) -> Improvement:
    return Improvement(points=baseline - now, baseline=baseline)


def _check_nrs(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ValueError(f"{name}: pain is scored 0 to 10, not {value}")


def review_session(facts: SessionFacts) -> list[Finding]:
    """The findings of one signed session note, most serious first."""
    for name in ("pre_nrs", "post_nrs", "baseline_nrs"):
        _check_nrs(name, getattr(facts, name))
    if facts.tissue_response not in {code for code, _ in TISSUE_RESPONSES}:
        raise ValueError(f"tissue_response: unknown response {facts.tissue_response!r}")
    findings: list[Finding] = []
    if facts.tissue_response in NOT_RELAXING:
        findings.append(
            Finding(
                kind="possible_injury",
                message=(
                    "Possible injury: the client should consult a doctor. The muscles did not "
                    "relax under pressure"
                    + (
                        " and guarding increased"
                        if facts.tissue_response != "no_relaxation"
                        else ""
                    )
                    + ". The program is paused and a referral letter is drafted."
                ),
                source=SEED_PRECAUTION,
                pause_program=True,
                letter="possible_injury",
            )
        )
    if (
        facts.pre_nrs is not None
        and facts.post_nrs is not None
        and facts.post_nrs - facts.pre_nrs >= PAIN_RISE_POINTS
    ):
        findings.append(
            Finding(
                kind="pain_increased",
                message=(
                    f"Pain rose from {facts.pre_nrs} to {facts.post_nrs} out of 10 during the "
                    "session. Check on the client and review the pressure and techniques."
                ),
                source=SEED_PRECAUTION,
            )
        )
    if facts.adverse_events.strip():
        findings.append(
            Finding(
                kind="adverse_event",
                message=f"Adverse event recorded: {facts.adverse_events.strip()}",
                source=SEED_PRECAUTION,
            )
        )
    finding = _not_responding(facts)
    if finding is not None:
        findings.append(finding)
    return findings


def _not_responding(facts: SessionFacts) -> Finding | None:
    if (
        facts.session_number is None
        or facts.session_number not in facts.reassessment_sessions
        or facts.baseline_nrs is None
        or facts.pre_nrs is None
    ):
        return None
    change = improvement(facts.baseline_nrs, facts.pre_nrs)
    if change.meaningful or facts.baseline_nrs == 0:
        return None
    return Finding(
        kind="not_responding",
        message=(
            f"Not responding at the session {facts.session_number} reassessment: pain is "
            f"{facts.pre_nrs} out of 10 against {facts.baseline_nrs} at the start, an "
            f"improvement of less than {IMPROVEMENT_POINTS} points and less than "
            f"{IMPROVEMENT_PERCENT}%. Change the technique or the dose, or refer."
        ),
        source=IMMPACT,
        letter="not_responding",
    )


def review_check_in(facts: CheckInFacts) -> list[Finding]:
    """A check-in whose screening holds care stops the session at once."""
    if facts.hold is None:
        return []
    new_answers = ", ".join(code.replace("_", " ") for code in facts.new_codes)
    why = (
        "the client should see a doctor today"
        if facts.hold == "urgent_referral"
        else "a doctor's clearance is needed before massage can go on"
    )
    return [
        Finding(
            kind="session_stopped",
            message=(
                f"Session stopped at check-in: {why}."
                + (f" New answers: {new_answers}." if facts.new_codes else "")
            ),
            source=SCREENING_RULES,
        )
    ]


def session_number(taken_place: list[int], this: int) -> int | None:
    """The 1-based number of session ``this`` among the program's sessions that took place
    (appointment ids in time order), or None when it is not among them."""
    try:
        return taken_place.index(this) + 1
    except ValueError:
        return None
