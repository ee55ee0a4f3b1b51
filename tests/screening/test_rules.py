"""Safety screening engine (SPEC §3): rule table, combination, validation. No database."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.screening.rules import (
    Intake,
    IntakeError,
    Screening,
    decision_severity,
    parse_intake,
    screen,
    verdict_strictness,
)
from backcare.screening.ruleset import DECISIONS, RuleSet, RuleSetError, load_rules

TECHNIQUES = (
    "swedish",
    "deep_tissue",
    "sports",
    "medical",
    "myofascial_release",
    "trigger_point",
    "lymphatic_drainage",
    "aromatherapy",
)

# Every intake code of the SPEC §3 table, each on its own even where the table groups them.
SPEC_INTAKE_CODES = {
    "saddle_numbness",
    "bladder_dysfunction",
    "bowel_dysfunction",
    "sexual_dysfunction_new",
    "bilateral_leg_symptoms",
    "progressive_leg_weakness",
    "major_trauma_recent",
    "dvt_suspected",
    "history_of_cancer",
    "unexplained_weight_loss",
    "night_pain",
    "fever",
    "immunosuppression",
    "iv_drug_use",
    "long_term_corticosteroids",
    "leg_numbness_or_weakness",
    "recent_spinal_surgery",
    "uncontrolled_hypertension",
    "contagious_skin_condition",
    "acute_infection",
    "active_cancer",
    "osteoporosis",
    "anticoagulants",
    "bleeding_disorder",
    "dvt_history",
    "varicose_veins",
    "heart_failure",
    "kidney_disease",
    "hypotension",
    "pregnancy",
    "high_risk_pregnancy",
    "asthma",
    "epilepsy",
    "essential_oil_allergy",
    "recent_muscle_injury",
    "skin_lesion_back",
}
DERIVED_RULES = {
    "age_over_50_new_pain",
    "age_under_20",
    "severe_pain_now",
    "chronic_pain_never_seen_doctor",
}

RULES = load_rules()
INTAKE_CODES = sorted(RULES.intake_codes)


def intake(*codes: str, age: int = 35, nrs_now: int = 4, duration_weeks: float = 20) -> Intake:
    """An adult with chronic, moderate pain: fires no derived rule unless told otherwise."""
    return Intake(age=age, nrs_now=nrs_now, duration_weeks=duration_weeks, codes=frozenset(codes))


def verdicts(**restricted: str) -> dict[str, str]:
    """All eight techniques ok except those named."""
    return {technique: restricted.get(technique, "ok") for technique in TECHNIQUES}


URGENT = "urgent_referral"
CLEARANCE = "medical_clearance_required"
PRECAUTIONS = "cleared_with_precautions"
LIGHT_PRESSURE = {"sports": "modify", "medical": "modify", "trigger_point": "modify"}
PREGNANCY_EFFECTS = {"aromatherapy": "modify", "lymphatic_drainage": "modify"}

# code -> (intake that fires it, decision, restricted techniques, max_pressure, positioning)
RULE_TABLE: dict[str, tuple[Intake, str, dict[str, str], int | None, str]] = {
    **{
        code: (intake(code), URGENT, {}, None, "any")
        for code in (
            "saddle_numbness",
            "bladder_dysfunction",
            "bowel_dysfunction",
            "sexual_dysfunction_new",
            "bilateral_leg_symptoms",
            "progressive_leg_weakness",
            "major_trauma_recent",
            "dvt_suspected",
        )
    },
    **{
        code: (intake(code), CLEARANCE, {}, None, "any")
        for code in (
            "history_of_cancer",
            "unexplained_weight_loss",
            "night_pain",
            "fever",
            "immunosuppression",
            "iv_drug_use",
            "long_term_corticosteroids",
            "leg_numbness_or_weakness",
            "recent_spinal_surgery",
            "uncontrolled_hypertension",
            "contagious_skin_condition",
        )
    },
    "acute_infection": (
        intake("acute_infection"),
        CLEARANCE,
        {"lymphatic_drainage": "avoid"},
        None,
        "any",
    ),
    "active_cancer": (
        intake("active_cancer"),
        CLEARANCE,
        {"deep_tissue": "avoid", "lymphatic_drainage": "avoid"},
        None,
        "any",
    ),
    "osteoporosis": (
        intake("osteoporosis"),
        PRECAUTIONS,
        {"deep_tissue": "avoid", "sports": "avoid"},
        2,
        "any",
    ),
    "anticoagulants": (
        intake("anticoagulants"),
        PRECAUTIONS,
        {"deep_tissue": "avoid", **LIGHT_PRESSURE},
        2,
        "any",
    ),
    "bleeding_disorder": (
        intake("bleeding_disorder"),
        PRECAUTIONS,
        {"deep_tissue": "avoid", **LIGHT_PRESSURE},
        2,
        "any",
    ),
    "dvt_history": (intake("dvt_history"), PRECAUTIONS, {"deep_tissue": "modify"}, None, "any"),
    "varicose_veins": (
        intake("varicose_veins"),
        PRECAUTIONS,
        {"deep_tissue": "modify"},
        None,
        "any",
    ),
    "heart_failure": (
        intake("heart_failure"),
        PRECAUTIONS,
        {"lymphatic_drainage": "avoid"},
        None,
        "any",
    ),
    "kidney_disease": (
        intake("kidney_disease"),
        PRECAUTIONS,
        {"lymphatic_drainage": "modify"},
        None,
        "any",
    ),
    "hypotension": (
        intake("hypotension"),
        PRECAUTIONS,
        {"lymphatic_drainage": "modify"},
        None,
        "any",
    ),
    "pregnancy": (intake("pregnancy"), PRECAUTIONS, PREGNANCY_EFFECTS, None, "side_lying"),
    "high_risk_pregnancy": (
        intake("high_risk_pregnancy"),
        CLEARANCE,
        PREGNANCY_EFFECTS,
        None,
        "side_lying",
    ),
    "asthma": (intake("asthma"), PRECAUTIONS, {"aromatherapy": "avoid"}, None, "any"),
    "epilepsy": (intake("epilepsy"), PRECAUTIONS, {"aromatherapy": "modify"}, None, "any"),
    "essential_oil_allergy": (
        intake("essential_oil_allergy"),
        PRECAUTIONS,
        {"aromatherapy": "avoid"},
        None,
        "any",
    ),
    "recent_muscle_injury": (
        intake("recent_muscle_injury"),
        PRECAUTIONS,
        {"sports": "avoid", "deep_tissue": "avoid"},
        None,
        "any",
    ),
    "skin_lesion_back": (
        intake("skin_lesion_back"),
        PRECAUTIONS,
        dict.fromkeys(TECHNIQUES, "modify"),
        None,
        "any",
    ),
    "age_over_50_new_pain": (intake(age=50, duration_weeks=11), CLEARANCE, {}, None, "any"),
    "age_under_20": (intake(age=19), CLEARANCE, {}, None, "any"),
    "severe_pain_now": (intake(nrs_now=8), CLEARANCE, {}, None, "any"),
    "chronic_pain_never_seen_doctor": (
        intake("never_seen_doctor", duration_weeks=12),
        PRECAUTIONS,
        {},
        None,
        "any",
    ),
}


# --------------------------------------------------------------------------- the rule file


def test_rule_file_has_one_entry_per_spec_intake_code_and_derived_rule():
    codes = [rule.code for rule in RULES.rules]
    assert len(codes) == len(set(codes))
    assert {rule.code for rule in RULES.rules if not rule.derived} == SPEC_INTAKE_CODES
    assert {rule.code for rule in RULES.rules if rule.derived} == DERIVED_RULES


def test_never_seen_doctor_is_a_valid_intake_code_but_not_a_rule():
    assert "never_seen_doctor" in RULES.intake_codes
    assert "never_seen_doctor" not in {rule.code for rule in RULES.rules}


def test_derived_rule_codes_are_not_accepted_as_intake_codes():
    assert not DERIVED_RULES & RULES.intake_codes


def test_rule_file_lists_the_eight_techniques_in_catalogue_order():
    assert RULES.techniques == TECHNIQUES


def test_rule_file_techniques_match_the_product_catalogue():
    from backcare.lib.techniques import TECHNIQUES as CATALOGUE

    assert RULES.techniques == tuple(CATALOGUE)


def test_rule_set_carries_a_version():
    assert RULES.version == "2026.11-1"
    assert screen(intake()).ruleset_version == RULES.version


def test_every_rule_cites_a_source_and_explains_itself_to_staff():
    for rule in RULES.rules:
        assert rule.source.strip(), rule.code
        assert rule.message.strip(), rule.code


def test_rule_table_in_these_tests_covers_every_rule_in_the_file():
    assert set(RULE_TABLE) == {rule.code for rule in RULES.rules}


# --------------------------------------------------------------------------- one case per rule


@pytest.mark.parametrize("code", sorted(RULE_TABLE))
def test_each_rule_fires_its_decision_verdicts_cap_and_positioning(code):
    fired_by, decision, restricted, max_pressure, positioning = RULE_TABLE[code]

    result = screen(fired_by)

    assert result.decision == decision
    assert result.techniques == verdicts(**restricted)
    assert result.max_pressure == max_pressure
    assert result.positioning == positioning
    assert [reason.code for reason in result.reasons] == [code]
    reason = result.reasons[0]
    assert reason.decision == decision
    assert reason.source.strip()
    assert reason.message.strip()
    for technique in restricted:
        assert result.instructions[technique].strip()


def test_nothing_fires_for_an_adult_with_chronic_moderate_pain_and_no_codes():
    result = screen(intake())

    assert result.to_json() == {
        "decision": "cleared",
        "techniques": verdicts(),
        "max_pressure": None,
        "positioning": "any",
        "reasons": [],
    }
    assert result.instructions == {}


def test_never_seen_doctor_alone_fires_nothing_when_pain_is_recent():
    result = screen(intake("never_seen_doctor", duration_weeks=6))

    assert result.decision == "cleared"
    assert result.reasons == ()


def test_chronic_pain_never_seen_doctor_advises_seeing_a_doctor():
    (reason,) = screen(intake("never_seen_doctor", duration_weeks=30)).reasons

    assert "doctor" in reason.message
    assert reason.client_message is not None
    assert "doctor" in reason.client_message


def test_severe_pain_quotes_the_medical_checkup_precaution():
    (reason,) = screen(intake(nrs_now=9)).reasons

    assert "if the problem is big, a complete medical checkup before beginning the program" in (
        reason.message
    )


def test_recent_muscle_injury_is_avoided_over_the_area_for_72_hours():
    result = screen(intake("recent_muscle_injury"))

    assert result.techniques["sports"] == "avoid"
    assert "72 h" in result.instructions["sports"]
    assert "72 h" in result.instructions["deep_tissue"]


def test_deep_tissue_is_avoided_with_anticoagulants():
    result = screen(intake("anticoagulants"))

    assert result.techniques["deep_tissue"] == "avoid"
    assert result.instructions["sports"] == "Light pressure only."


def test_urgent_referral_tells_the_client_to_seek_emergency_care():
    (reason,) = screen(intake("saddle_numbness")).reasons

    assert reason.client_message is not None
    assert "emergency" in reason.client_message


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("age", "duration_weeks", "fires"),
    [
        (49, 11, False),
        (50, 11, True),
        (50, 11.9, True),
        (50, 12, False),
        (49, 0, False),
        (50, 0, True),
        (80, 11, True),
        (80, 12, False),
    ],
)
def test_new_back_pain_from_age_50_needs_clearance_below_12_weeks(age, duration_weeks, fires):
    result = screen(intake(age=age, duration_weeks=duration_weeks))

    assert ("age_over_50_new_pain" in [r.code for r in result.reasons]) is fires
    assert result.decision == (CLEARANCE if fires else "cleared")


@pytest.mark.parametrize(
    ("age", "fires"), [(0, True), (17, True), (18, True), (19, True), (20, False), (21, False)]
)
def test_back_pain_under_age_20_needs_clearance(age, fires):
    result = screen(intake(age=age))

    assert ("age_under_20" in [r.code for r in result.reasons]) is fires
    assert result.decision == (CLEARANCE if fires else "cleared")


@pytest.mark.parametrize(("nrs_now", "fires"), [(0, False), (7, False), (8, True), (10, True)])
def test_pain_now_of_8_or_more_needs_clearance(nrs_now, fires):
    result = screen(intake(nrs_now=nrs_now))

    assert ("severe_pain_now" in [r.code for r in result.reasons]) is fires
    assert result.decision == (CLEARANCE if fires else "cleared")


@pytest.mark.parametrize(
    ("duration_weeks", "fires"), [(0, False), (11, False), (11.9, False), (12, True), (52, True)]
)
def test_never_seen_doctor_fires_from_12_weeks_of_pain(duration_weeks, fires):
    result = screen(intake("never_seen_doctor", duration_weeks=duration_weeks))

    assert ("chronic_pain_never_seen_doctor" in [r.code for r in result.reasons]) is fires
    assert result.decision == (PRECAUTIONS if fires else "cleared")


@pytest.mark.parametrize(
    ("age", "adult"), [(0, False), (17, False), (18, True), (19, True), (20, True)]
)
def test_only_adults_can_book(age, adult):
    result = screen(intake(age=age))

    assert result.adult is adult
    assert result.can_book_online is adult
    if adult:
        assert result.booking_message is None
    else:
        assert result.booking_message is not None
        assert "adults only" in result.booking_message


def test_booking_flags_stay_out_of_the_machine_output():
    assert set(screen(intake(age=17)).to_json()) == {
        "decision",
        "techniques",
        "max_pressure",
        "positioning",
        "reasons",
    }


def test_nothing_can_be_booked_on_an_urgent_referral():
    result = screen(intake("dvt_suspected"))

    assert result.adult
    assert not result.can_book_online
    assert result.booking_message == RULES.booking.urgent_client_message


# --------------------------------------------------------------------------- combinations


def test_spec_example_anticoagulants_and_asthma():
    data = {
        "age": 58,
        "pain": {"nrs_now": 6, "duration_weeks": 30},
        "codes": ["anticoagulants", "asthma"],
    }

    result = screen(parse_intake(data)).to_json()

    assert result["decision"] == "cleared_with_precautions"
    assert result["techniques"] == verdicts(
        deep_tissue="avoid", aromatherapy="avoid", **LIGHT_PRESSURE
    )
    assert result["max_pressure"] == 2
    assert result["positioning"] == "any"
    assert [reason["code"] for reason in result["reasons"]] == ["anticoagulants", "asthma"]
    for reason in result["reasons"]:
        assert set(reason) == {"code", "decision", "message", "client_message", "source"}
        assert reason["decision"] == "cleared_with_precautions"
        assert reason["source"]


def test_osteoporosis_with_anticoagulants_avoids_deep_tissue_and_sports_at_pressure_2():
    result = screen(intake("osteoporosis", "anticoagulants"))

    assert result.techniques["deep_tissue"] == "avoid"
    assert result.techniques["sports"] == "avoid"  # osteoporosis avoid beats anticoagulants modify
    assert result.techniques["medical"] == "modify"
    assert result.max_pressure == 2


def test_avoid_beats_modify_and_keeps_only_the_winning_instructions():
    result = screen(intake("osteoporosis", "dvt_history"))

    assert result.techniques["deep_tissue"] == "avoid"
    assert "legs" not in result.instructions["deep_tissue"]


def test_two_modify_rules_on_one_technique_keep_both_instructions():
    result = screen(intake("anticoagulants", "skin_lesion_back"))

    assert result.techniques["sports"] == "modify"
    assert "Light pressure only." in result.instructions["sports"]
    assert "affected area" in result.instructions["sports"]


def test_same_instruction_from_two_rules_is_given_once():
    result = screen(intake("anticoagulants", "bleeding_disorder"))

    assert result.instructions["sports"] == "Light pressure only."


@pytest.mark.parametrize(
    ("codes", "decision"),
    [
        (("asthma", "saddle_numbness"), URGENT),
        (("osteoporosis", "fever"), CLEARANCE),
        (("fever", "dvt_suspected", "asthma"), URGENT),
        (("pregnancy", "high_risk_pregnancy"), CLEARANCE),
        (("epilepsy", "varicose_veins"), PRECAUTIONS),
    ],
)
def test_most_severe_rule_decides(codes, decision):
    assert screen(intake(*codes)).decision == decision


def test_essential_oil_avoid_beats_epilepsy_modify():
    result = screen(intake("epilepsy", "essential_oil_allergy"))

    assert result.techniques["aromatherapy"] == "avoid"


def test_heart_failure_avoid_beats_kidney_disease_modify():
    result = screen(intake("kidney_disease", "heart_failure"))

    assert result.techniques["lymphatic_drainage"] == "avoid"


def test_derived_and_code_rules_combine():
    result = screen(intake("pregnancy", age=19, nrs_now=9))

    assert result.decision == CLEARANCE
    assert result.positioning == "side_lying"
    assert {reason.code for reason in result.reasons} == {
        "pregnancy",
        "age_under_20",
        "severe_pain_now",
    }


def test_reasons_are_ordered_most_severe_first_then_by_code():
    result = screen(intake("osteoporosis", "asthma", "fever", "bowel_dysfunction", nrs_now=8))

    assert [reason.code for reason in result.reasons] == [
        "bowel_dysfunction",
        "fever",
        "severe_pain_now",
        "asthma",
        "osteoporosis",
    ]


def test_allowed_techniques_leave_out_only_the_avoided_ones():
    result = screen(intake("anticoagulants", "asthma"))

    assert result.allowed_techniques == (
        "swedish",
        "sports",
        "medical",
        "myofascial_release",
        "trigger_point",
        "lymphatic_drainage",
    )


# --------------------------------------------------------------------------- properties

intakes = st.builds(
    Intake,
    age=st.integers(0, 120),
    nrs_now=st.integers(0, 10),
    duration_weeks=st.one_of(
        st.integers(0, 1000), st.floats(0, 1000, allow_nan=False, allow_infinity=False)
    ),
    codes=st.frozensets(st.sampled_from(INTAKE_CODES)),
)


def _cap(result: Screening) -> int:
    return 5 if result.max_pressure is None else result.max_pressure


@given(intakes, st.sampled_from(INTAKE_CODES))
def test_adding_a_code_never_makes_screening_more_permissive(before, code):
    after = Intake(
        age=before.age,
        nrs_now=before.nrs_now,
        duration_weeks=before.duration_weeks,
        codes=before.codes | {code},
    )

    old, new = screen(before), screen(after)

    assert decision_severity(new.decision) >= decision_severity(old.decision)
    for technique in TECHNIQUES:
        assert verdict_strictness(new.techniques[technique]) >= verdict_strictness(
            old.techniques[technique]
        )
    assert _cap(new) <= _cap(old)
    assert old.positioning == "any" or new.positioning == "side_lying"


@given(intakes)
def test_output_always_has_all_eight_techniques_in_catalogue_order(any_intake):
    result = screen(any_intake).to_json()

    assert tuple(result["techniques"]) == TECHNIQUES
    assert set(result["techniques"].values()) <= {"ok", "modify", "avoid"}
    assert result["decision"] in DECISIONS
    assert result["max_pressure"] is None or 1 <= result["max_pressure"] <= 5
    assert result["positioning"] in ("any", "side_lying")
    json.dumps(result)  # serialisable as is


@given(intakes)
def test_decision_is_the_most_severe_reason_and_every_restriction_has_an_instruction(any_intake):
    result = screen(any_intake)

    if result.reasons:
        assert result.decision == result.reasons[0].decision
    else:
        assert result.decision == "cleared"
    for technique, verdict in result.techniques.items():
        assert (technique in result.instructions) is (verdict != "ok")


# --------------------------------------------------------------------------- intake validation

GOOD: dict[str, Any] = {"age": 40, "pain": {"nrs_now": 5, "duration_weeks": 20}, "codes": []}
MISSING = object()


def with_(path: str, value: object) -> dict[str, Any]:
    """GOOD with one value replaced (``"pain.nrs_now"``), or removed when value is MISSING."""
    data = copy.deepcopy(GOOD)
    *parents, leaf = path.split(".")
    target = data
    for parent in parents:
        target = target[parent]
    if value is MISSING:
        del target[leaf]
    else:
        target[leaf] = value
    return data


def test_a_valid_intake_parses():
    parsed = parse_intake(
        {
            "age": 40,
            "pain": {"nrs_now": 5, "duration_weeks": 2.5},
            "codes": ["asthma", "asthma", "never_seen_doctor"],
        }
    )

    assert parsed == Intake(
        age=40, nrs_now=5, duration_weeks=2.5, codes=frozenset({"asthma", "never_seen_doctor"})
    )


def test_codes_may_be_left_out():
    data = with_("codes", MISSING)

    assert parse_intake(data).codes == frozenset()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2], "intake: must be a JSON object"),
        ("age 40", "intake: must be a JSON object"),
        (None, "intake: must be a JSON object"),
        ({**GOOD, "weight": 80}, "weight: unknown field"),
        ({**GOOD, "bad key\n": 1}, '"bad key\\n": unknown field'),
        (with_("age", MISSING), "age: is required"),
        (with_("age", "58"), "age: must be a whole number from 0 to 120"),
        (with_("age", True), "age: must be a whole number from 0 to 120"),
        (with_("age", 58.0), "age: must be a whole number from 0 to 120"),
        (with_("age", -1), "age: must be a whole number from 0 to 120"),
        (with_("age", 121), "age: must be a whole number from 0 to 120"),
        (with_("age", None), "age: must be a whole number from 0 to 120"),
        (with_("pain", MISSING), "pain: is required"),
        (with_("pain", 5), "pain: must be an object"),
        (with_("pain.worst", 7), "pain.worst: unknown field"),
        (with_("pain.nrs_now", MISSING), "pain.nrs_now: is required"),
        (with_("pain.nrs_now", 11), "pain.nrs_now: must be a whole number from 0 to 10"),
        (with_("pain.nrs_now", -1), "pain.nrs_now: must be a whole number from 0 to 10"),
        (with_("pain.nrs_now", False), "pain.nrs_now: must be a whole number from 0 to 10"),
        (with_("pain.nrs_now", 6.5), "pain.nrs_now: must be a whole number from 0 to 10"),
        (with_("pain.duration_weeks", MISSING), "pain.duration_weeks: is required"),
        (with_("pain.duration_weeks", -1), "pain.duration_weeks: must be a number of weeks"),
        (with_("pain.duration_weeks", -0.5), "pain.duration_weeks: must be a number of weeks"),
        (with_("pain.duration_weeks", "12"), "pain.duration_weeks: must be a number of weeks"),
        (with_("pain.duration_weeks", True), "pain.duration_weeks: must be a number of weeks"),
        (
            with_("pain.duration_weeks", float("nan")),
            "pain.duration_weeks: must be a number of weeks",
        ),
        (
            with_("pain.duration_weeks", float("inf")),
            "pain.duration_weeks: must be a number of weeks",
        ),
        (with_("codes", "asthma"), "codes: must be a list of intake codes"),
        (with_("codes", ["asthma", 3]), "codes[1]: must be a string"),
        (
            with_("codes", ["asthma", "fever", "gout"]),
            'codes[2]: unknown code "gout"',
        ),
        (with_("codes", ["severe_pain_now"]), 'codes[0]: unknown code "severe_pain_now"'),
    ],
)
def test_bad_intake_is_refused_with_one_line_naming_the_field(data, expected):
    with pytest.raises(IntakeError) as refused:
        parse_intake(data)

    message = str(refused.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert message == f"{refused.value.field}: {refused.value.message}"


def test_intake_built_directly_is_checked_too():
    with pytest.raises(IntakeError, match=r"^pain\.nrs_now: "):
        Intake(age=40, nrs_now=11, duration_weeks=3)
    with pytest.raises(IntakeError, match=r"^age: "):
        Intake(age=True, nrs_now=1, duration_weeks=3)


def test_screen_refuses_a_code_the_rule_set_does_not_know():
    with pytest.raises(IntakeError, match=r'^codes: unknown code "gout"'):
        screen(intake("gout"))


# --------------------------------------------------------------------------- rule file checks


def packaged_rules_json() -> dict[str, Any]:
    text = resources.files("backcare.screening").joinpath("rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_packaged_rule_file_loads():
    assert RuleSet.from_json(packaged_rules_json()) == RULES


def _typo_in_a_key(data):
    data["rules"][0]["max_presure"] = 2


def _unknown_technique(data):
    data["rules"][0]["techniques"]["reiki"] = {"verdict": "avoid", "instruction": "x"}


def _ok_is_not_a_restriction(data):
    data["rules"][0]["techniques"]["swedish"] = {"verdict": "ok", "instruction": "x"}


def _pressure_out_of_range(data):
    data["rules"][0]["max_pressure"] = 6


def _duplicate_code(data):
    data["rules"].append(copy.deepcopy(data["rules"][0]))


def _missing_source(data):
    del data["rules"][0]["source"]


def _empty_source(data):
    data["rules"][0]["source"] = " "


def _unknown_decision(data):
    data["rules"][0]["decision"] = "probably_fine"


def _derived_rule_reads_unknown_code(data):
    (rule,) = [r for r in data["rules"] if r["code"] == "chronic_pain_never_seen_doctor"]
    rule["when"] = [{"code": "never_seen_a_doctor"}]


@pytest.mark.parametrize(
    "break_it",
    [
        _typo_in_a_key,
        _unknown_technique,
        _ok_is_not_a_restriction,
        _pressure_out_of_range,
        _duplicate_code,
        _missing_source,
        _empty_source,
        _unknown_decision,
        _derived_rule_reads_unknown_code,
    ],
)
def test_a_broken_rule_file_is_refused_at_load(break_it):
    data = packaged_rules_json()
    break_it(data)

    with pytest.raises(RuleSetError):
        RuleSet.from_json(data)


def test_a_rule_set_can_be_passed_in():
    data = packaged_rules_json()
    data["version"] = "test-1"
    for rule in data["rules"]:
        if rule["code"] == "asthma":
            rule["decision"] = "medical_clearance_required"
    custom = RuleSet.from_json(data)

    result = screen(parse_intake({**GOOD, "codes": ["asthma"]}, custom), custom)

    assert result.decision == "medical_clearance_required"
    assert result.ruleset_version == "test-1"
