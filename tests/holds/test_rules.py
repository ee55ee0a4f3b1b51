"""The clinical hold as plain logic (SPEC §2a): which causes stand, which doors they shut, and
what a recorded decision lifts. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from backcare.holds.rules import (
    DOORS,
    AlertFact,
    Facts,
    PauseFact,
    ScreeningFact,
    alert_key,
    clinical_hold,
    kind_of,
    pause_key,
    screening_key,
)

T0 = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)
CLEARED = ScreeningFact(1, "cleared", T0)


def facts(**changes: object) -> Facts:
    values: dict[str, object] = {"adult": True, "screening": CLEARED}
    values.update(changes)
    return Facts(**values)  # type: ignore[arg-type]


def test_a_cleared_adult_is_not_held() -> None:
    hold = clinical_hold(facts())
    assert not hold
    assert all(hold.at(door) is None for door in DOORS)


def test_a_client_never_screened_may_book_but_not_be_checked_in_or_treated() -> None:
    hold = clinical_hold(facts(screening=None))
    assert hold.at("book") is None
    for door in DOORS[1:]:
        assert kind_of(hold.at(door)) == "not_screened"
    assert hold.liftable_keys == ()  # answering the questionnaire lifts it, not a decision


@pytest.mark.parametrize(
    ("decision", "codes", "cleared", "kind"),
    [
        ("urgent_referral", (), frozenset(), "urgent_referral"),
        ("medical_clearance_required", ("night_pain",), frozenset(), "medical_clearance_required"),
        ("medical_clearance_required", ("night_pain",), frozenset({"night_pain"}), None),
        (
            "medical_clearance_required",
            ("night_pain", "fever"),
            frozenset({"night_pain"}),
            "medical_clearance_required",
        ),
        ("cleared_with_precautions", (), frozenset(), None),
    ],
)
def test_the_latest_screening_holds_until_a_clearance_covers_it(
    decision: str, codes: tuple[str, ...], cleared: frozenset[str], kind: str | None
) -> None:
    hold = clinical_hold(
        facts(screening=ScreeningFact(7, decision, T0, codes), cleared_codes=cleared)
    )
    assert kind_of(hold.at("book")) == kind


@pytest.mark.parametrize(
    ("alert", "kind"),
    [
        ("possible_injury", "possible_injury"),
        ("session_stopped", "red_flag"),
        ("pain_increased", None),
        ("adverse_event", None),
        ("not_responding", None),
    ],
)
def test_a_possible_injury_or_a_red_flag_holds_every_door(alert: str, kind: str | None) -> None:
    hold = clinical_hold(facts(alerts=(AlertFact(3, alert, T0),)))
    for door in DOORS:
        assert kind_of(hold.at(door)) == kind


def test_a_program_paused_by_an_alert_holds_until_the_decision_covers_the_pause() -> None:
    pause = PauseFact(program=5, change=9, paused_at=T0)
    held = clinical_hold(facts(alerts=(AlertFact(3, "possible_injury", T0),), pauses=(pause,)))
    assert held.kinds == ("possible_injury", "program_paused")
    assert set(held.liftable_keys) == {alert_key(3), pause_key(5, 9)}

    lifted = clinical_hold(
        facts(
            alerts=(AlertFact(3, "possible_injury", T0),),
            pauses=(pause,),
            released=frozenset(held.liftable_keys),
        )
    )
    assert not lifted


def test_a_new_alert_after_a_decision_holds_again() -> None:
    released = frozenset({alert_key(3)})
    later = T0 + dt.timedelta(days=7)
    hold = clinical_hold(
        facts(
            alerts=(AlertFact(3, "possible_injury", T0), AlertFact(4, "possible_injury", later)),
            released=released,
        )
    )
    assert hold.kinds == ("possible_injury",)
    assert hold.since == later


def test_the_owner_override_of_an_urgent_referral_is_by_the_screening_it_answers() -> None:
    urgent = ScreeningFact(7, "urgent_referral", T0)
    assert not clinical_hold(facts(screening=urgent, released=frozenset({screening_key(7)})))
    newer = ScreeningFact(8, "urgent_referral", T0 + dt.timedelta(days=1))
    assert clinical_hold(facts(screening=newer, released=frozenset({screening_key(7)})))


def test_a_minor_is_held_at_every_door_and_no_decision_lifts_it() -> None:
    hold = clinical_hold(facts(adult=False))
    assert hold.kind == "minor"
    assert hold.at("book") is not None
    assert hold.liftable_keys == ()


def test_causes_are_most_severe_first_and_the_hold_is_since_the_earliest() -> None:
    later = T0 + dt.timedelta(hours=3)
    hold = clinical_hold(
        facts(
            screening=ScreeningFact(7, "urgent_referral", later),
            alerts=(AlertFact(3, "possible_injury", T0),),
        )
    )
    assert hold.kinds == ("urgent_referral", "possible_injury")
    assert hold.since == T0
    assert "doctor" in hold.client_message
