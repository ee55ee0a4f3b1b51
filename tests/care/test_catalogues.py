"""The program templates and the technique catalogue are data (SPEC §2 step 3, §3): checked on
load, citing their sources, and what restricts a technique comes from the screening rules."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.care.techniques import CatalogueError, load_catalogue, read_catalogue
from backcare.care.templates import TemplateError, load_templates, read_templates
from backcare.lib.techniques import TECHNIQUES
from backcare.screening.rules import parse_intake, screen
from backcare.screening.ruleset import load_rules


def raw(name: str) -> dict[str, Any]:
    data = json.loads(resources.files("backcare.care").joinpath(name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


# --- Templates ----------------------------------------------------------------------------------


def test_exactly_the_two_templates_of_the_spec() -> None:
    templates = load_templates()

    assert [t.title for t in templates.templates] == [
        "Chronic low back pain — 10 weekly 60-minute sessions",
        "Intensive — 60-minute sessions twice a week for 4 weeks",
    ]
    weekly, intensive = templates.templates
    assert (weekly.sessions, weekly.sessions_per_week, weekly.weeks) == (10, 1, 10)
    assert (intensive.sessions, intensive.sessions_per_week, intensive.weeks) == (8, 2, 4)
    assert "Cherkin" in weekly.source and "2011" in weekly.source
    assert "Sherman 2014" in intensive.description and "neck pain" in intensive.description


@pytest.mark.parametrize("template", load_templates().templates, ids=lambda t: t.key)
def test_each_template_reassesses_at_session_4_and_the_last(template: Any) -> None:
    assert template.reassessment_sessions == (4, template.sessions)
    assert template.duration_minutes == 60
    assert 3 <= len(template.goal_suggestions) <= 5
    assert "NICE NG59" in template.self_care_source
    assert "exercise" in template.self_care and "package" in template.self_care_source


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: t.pop("title"), "title"),
        (lambda t: t.update(sessions=0), "sessions"),
        (lambda t: t.update(sessions_per_week=3), "sessions_per_week"),
        (lambda t: t.update(reassessment_sessions=[4, 9]), "reassessment_sessions"),
        (lambda t: t.update(reassessment_sessions=[11]), "reassessment_sessions"),
        (lambda t: t.update(techniques=["reiki"]), "techniques"),
        (lambda t: t.update(goal_suggestions=["Walking"]), "goal_suggestions"),
        (lambda t: t.update(source=""), "source"),
        (lambda t: t.update(colour="blue"), "colour"),
    ],
)
def test_a_broken_template_is_refused_naming_the_field(change: Any, field: str) -> None:
    data = raw("templates.json")
    change(data["templates"][0])

    with pytest.raises(TemplateError, match=rf"templates\[0\]\.{field}"):
        read_templates(data)


def test_template_keys_are_unique() -> None:
    data = raw("templates.json")
    data["templates"][1]["key"] = data["templates"][0]["key"]

    with pytest.raises(TemplateError, match="unique"):
        read_templates(data)


# --- Techniques ---------------------------------------------------------------------------------


def test_the_catalogue_has_the_eight_techniques_in_order() -> None:
    catalogue = load_catalogue()

    assert [t.code for t in catalogue] == list(TECHNIQUES)
    for entry in catalogue:
        assert entry.summary and entry.purpose and entry.source
        assert 1 <= entry.pressure[0] <= entry.pressure[1] <= 5


@pytest.mark.parametrize(
    ("code", "avoided_with", "modified_with"),
    [
        ("deep_tissue", {"osteoporosis", "anticoagulants", "active_cancer"}, {"varicose_veins"}),
        ("aromatherapy", {"asthma", "essential_oil_allergy"}, {"pregnancy", "epilepsy"}),
        ("lymphatic_drainage", {"heart_failure", "acute_infection"}, {"kidney_disease"}),
        ("swedish", set(), {"skin_lesion_back"}),
    ],
)
def test_restrictions_come_from_the_screening_rules(
    code: str, avoided_with: set[str], modified_with: set[str]
) -> None:
    entry = next(t for t in load_catalogue() if t.code == code)

    assert avoided_with <= set(entry.avoided_with)
    assert modified_with <= set(entry.modified_with)


def test_the_json_lists_no_restrictions_of_its_own() -> None:
    for entry in raw("techniques.json")["techniques"]:
        assert set(entry) == {"code", "summary", "purpose", "pressure", "source"}


@given(codes=st.sets(st.sampled_from(sorted(load_rules().intake_codes))))
def test_a_screening_avoids_a_technique_only_for_a_code_the_catalogue_names(
    codes: set[str],
) -> None:
    """Whatever the intake, each avoided technique is avoided by one of the codes its page
    lists: the catalogue and the rules can never disagree."""
    result = screen(
        parse_intake(
            {"age": 40, "pain": {"nrs_now": 4, "duration_weeks": 20}, "codes": sorted(codes)}
        )
    )
    for entry in load_catalogue():
        if result.techniques[entry.code] == "avoid":
            assert set(entry.avoided_with) & {reason.code for reason in result.reasons}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["techniques"].pop(), "missing"),
        (lambda d: d["techniques"].append(copy.deepcopy(d["techniques"][0])), "twice"),
        (lambda d: d["techniques"][0].update(code="reiki"), "code"),
        (lambda d: d["techniques"][0].update(pressure=[4, 2]), "pressure"),
        (lambda d: d["techniques"][0].update(pressure=[0, 6]), "pressure"),
        (lambda d: d["techniques"][0].update(purpose=""), "purpose"),
    ],
)
def test_a_broken_catalogue_is_refused(change: Any, where: str) -> None:
    data = raw("techniques.json")
    change(data)

    with pytest.raises(CatalogueError, match=where):
        read_catalogue(data, load_rules())
