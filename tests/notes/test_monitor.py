"""The response monitor's rules (SPEC §2 step 5), as plain logic: no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.notes.monitor import (
    IMMPACT,
    SEED_PRECAUTION,
    CheckInFacts,
    SessionFacts,
    improvement,
    review_check_in,
    review_session,
    session_number,
)


def facts(**changes: object) -> SessionFacts:
    base: dict[str, object] = {
        "tissue_response": "relaxed",
        "pre_nrs": 5,
        "post_nrs": 4,
        "adverse_events": "",
        "session_number": 2,
        "reassessment_sessions": (4, 10),
        "baseline_nrs": 6,
    }
    base.update(changes)
    return SessionFacts(**base)  # type: ignore[arg-type]


def kinds(session: SessionFacts) -> list[str]:
    return [finding.kind for finding in review_session(session)]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("relaxed", []),
        ("partly_relaxed", []),
        ("no_relaxation", ["possible_injury"]),
        ("guarding_increased", ["possible_injury"]),
    ],
)
def test_muscles_that_do_not_relax_raise_possible_injury(
    response: str, expected: list[str]
) -> None:
    assert kinds(facts(tissue_response=response)) == expected


def test_possible_injury_pauses_the_program_drafts_a_letter_and_cites_the_precaution() -> None:
    (finding,) = review_session(facts(tissue_response="no_relaxation"))
    assert finding.message.startswith("Possible injury: the client should consult a doctor")
    assert finding.pause_program is True
    assert finding.letter == "possible_injury"
    assert finding.source == SEED_PRECAUTION


@pytest.mark.parametrize(
    ("pre", "post", "alerted"),
    [
        (3, 5, True),  # exactly +2
        (3, 4, False),  # +1
        (0, 10, True),
        (5, 5, False),
        (6, 2, False),  # better
        (8, 10, True),
        (9, 10, False),
    ],
)
def test_pain_two_or_more_points_above_the_start_of_the_session_raises_an_alert(
    pre: int, post: int, alerted: bool
) -> None:
    assert ("pain_increased" in kinds(facts(pre_nrs=pre, post_nrs=post))) is alerted


@pytest.mark.parametrize(
    ("text", "alerted"), [("", False), ("   ", False), ("Dizzy when sitting up", True)]
)
def test_any_adverse_event_raises_an_alert(text: str, alerted: bool) -> None:
    assert ("adverse_event" in kinds(facts(adverse_events=text))) is alerted


@pytest.mark.parametrize(
    ("baseline", "now", "session", "alerted"),
    [
        (6, 5, 4, True),  # 1 point, 17%
        (6, 4, 4, False),  # exactly 2 points
        (10, 7, 4, False),  # exactly 30% (3 points too)
        (5, 4, 4, True),  # 1 point, 20%
        (3, 2, 4, False),  # 1 point but 33%
        (10, 8, 4, False),  # 2 points, 20%
        (4, 3, 4, True),  # 1 point, 25%
        (6, 6, 10, True),  # the last session, no change
        (6, 7, 4, True),  # worse
        (6, 5, 3, False),  # not a reassessment session
        (0, 0, 4, False),  # nothing to improve
    ],
)
def test_not_responding_at_reassessment_needs_less_than_2_points_and_less_than_30_percent(
    baseline: int, now: int, session: int, alerted: bool
) -> None:
    session_facts = facts(baseline_nrs=baseline, pre_nrs=now, post_nrs=now, session_number=session)
    assert ("not_responding" in kinds(session_facts)) is alerted


def test_not_responding_cites_immpact_and_drafts_a_letter_without_pausing() -> None:
    (finding,) = review_session(facts(baseline_nrs=6, pre_nrs=6, post_nrs=6, session_number=4))
    assert finding.source == IMMPACT
    assert finding.letter == "not_responding"
    assert finding.pause_program is False
    assert "Change the technique or the dose, or refer" in finding.message


def test_without_a_baseline_there_is_no_reassessment_verdict() -> None:
    assert kinds(facts(baseline_nrs=None, session_number=4)) == []


@pytest.mark.parametrize(
    ("hold", "stopped"),
    [(None, False), ("urgent_referral", True), ("medical_clearance_required", True)],
)
def test_a_check_in_whose_screening_holds_care_stops_the_session(
    hold: str | None, stopped: bool
) -> None:
    findings = review_check_in(
        CheckInFacts(decision="urgent_referral" if hold else "cleared", hold=hold)
    )
    assert ([f.kind for f in findings] == ["session_stopped"]) is stopped


def test_session_number_counts_only_sessions_that_took_place() -> None:
    assert session_number([11, 12, 15], 15) == 3
    assert session_number([11, 12], 99) is None


def test_an_impossible_pain_score_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="post_nrs"):
        review_session(facts(post_nrs=11))


@given(st.integers(0, 10), st.integers(0, 10))
def test_improvement_is_meaningful_exactly_when_2_points_or_30_percent(
    baseline: int, now: int
) -> None:
    change = improvement(baseline, now)
    expected = (baseline - now) >= 2 or (baseline > 0 and (baseline - now) / baseline >= 0.3)
    assert change.meaningful is expected


@given(
    st.sampled_from(["relaxed", "partly_relaxed", "no_relaxation", "guarding_increased"]),
    st.integers(0, 10),
    st.integers(0, 10),
)
def test_every_finding_carries_a_source_and_a_message(response: str, pre: int, post: int) -> None:
    for finding in review_session(facts(tissue_response=response, pre_nrs=pre, post_nrs=post)):
        assert finding.source
        assert finding.message
