"""A clinic adds an instrument by dropping two files in OUTCOMES_INSTRUMENTS_DIR: it loads,
scores, and is asked at reassessment, with no code (docs/outcomes.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from django.test.client import Client as HttpClient
from django.urls import reverse

from backcare.care.models import Program
from backcare.outcomes import catalogue
from backcare.outcomes.actions import ResponseError, record_response
from backcare.outcomes.models import Response
from tests.conftest import Clinic
from tests.outcomes.clinic_files import boolean_item, integer_item
from tests.outcomes.conftest import WriteInstrument
from tests.outcomes.test_progress_pages import PORTAL_ANSWERS

SOURCE = "Made up for the Backcare tests; not a published instrument."


@pytest.fixture
def sleep_scale(write_instrument: WriteInstrument) -> Path:
    """A two-subscale screen with cut-offs: 'sleep' (2 items 0-4) scores, 'worry' (2 yes/no)."""
    return write_instrument(
        "sleep",
        [
            integer_item("sleep-1", 0, 4),
            integer_item("sleep-2", 0, 4),
            integer_item("worry-1", 0, 1),
            integer_item("worry-2", 0, 1),
        ],
        {
            "rule": "subscale_sums",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 8},
            "missing": {"policy": "refuse"},
            "subscales": {"sleep": ["sleep-1", "sleep-2"], "worry": ["worry-1", "worry-2"]},
            "score_subscale": "sleep",
            "categories": [
                {"label": "poor sleep", "at_least": {"score": 5}},
                {"label": "fair sleep", "at_least": {"score": 0}},
            ],
            "change": {"meaningful": {"points": 2}},
            "source": SOURCE,
        },
    )


def test_a_dropped_in_instrument_loads_and_scores(clinic: Clinic, sleep_scale: Path) -> None:
    with override_settings(OUTCOMES_INSTRUMENTS_DIR=sleep_scale):
        assert "sleep" in catalogue.instruments()
        assert [inst.id for inst in catalogue.follow_up()] == [
            "nrs",
            "peg",
            "psfs",
            "pgic",
            "sleep",
        ]
        response = record_response(None, clinic.alice, "sleep", [3, 3, 1, 0], occasion="other")
    assert response.score == 6
    assert response.details["subscales"] == {"sleep": 6, "worry": 1}
    assert response.details["category"] == "poor sleep"
    assert "sleep" not in catalogue.instruments()  # without the setting, the shipped ones only


def test_a_count_of_yes_instrument_is_asked_at_reassessment(
    clinic: Clinic, program: Program, as_tess: HttpClient, write_instrument: WriteInstrument
) -> None:
    folder = write_instrument(
        "flags",
        [boolean_item("flag-1"), boolean_item("flag-2"), boolean_item("flag-3")],
        {
            "rule": "count_yes",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 3},
            "missing": {"policy": "refuse"},
            "source": SOURCE,
        },
    )
    url = reverse("outcomes:staff_collect", args=[program.pk])
    with override_settings(OUTCOMES_INSTRUMENTS_DIR=folder):
        html = as_tess.get(url).content.decode()
        assert "Clinic instrument flags" in html
        assert "Made-up yes/no item flag-2" in html
        answers = {**PORTAL_ANSWERS, "flags__flag-1": "yes", "flags__flag-2": "no"}
        refused = as_tess.post(url, answers)
        assert refused.status_code == 400
        assert "Please answer “Made-up yes/no item flag-3”" in refused.content.decode()
        assert not Response.objects.filter(occasion="reassessment").exists()
        saved = as_tess.post(url, {**answers, "flags__flag-3": "yes"})
    assert saved.status_code == 302
    flags = Response.objects.get(instrument="flags")
    assert flags.answers == [True, False, True]
    assert flags.score == 2


def test_a_clinic_file_that_is_not_an_instrument_is_named(
    clinic: Clinic, write_instrument: WriteInstrument
) -> None:
    folder = write_instrument("broken", [integer_item("b-1")], None)
    with override_settings(OUTCOMES_INSTRUMENTS_DIR=folder), pytest.raises(Exception) as problem:
        catalogue.instruments()
    assert "broken.json" in str(problem.value)
    assert "broken.scoring.json" in str(problem.value)


def test_an_unknown_instrument_is_refused_by_name(clinic: Clinic) -> None:
    with pytest.raises(ResponseError, match="unknown instrument 'sleep'"):
        record_response(None, clinic.alice, "sleep", [1, 1, 0, 0], occasion="other")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OUTCOMES_INSTRUMENTS_DIR": "no-such-folder"}, "OUTCOMES_INSTRUMENTS_DIR"),
        ({"OUTCOMES_RMDQ": "maybe"}, "OUTCOMES_RMDQ"),
    ],
)
def test_a_bad_outcomes_setting_stops_start_up_naming_it(env: dict[str, str], named: str) -> None:
    from tests.test_settings import run_backcare

    result = run_backcare("check", DEBUG="true", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert named in lines[0]


def test_the_worked_example_in_the_docs_loads_and_scores(tmp_path: Path) -> None:
    import re
    import textwrap

    from backcare.outcomes.instruments import load_instruments
    from backcare.outcomes.scoring import score

    docs = (Path(__file__).resolve().parents[2] / "docs" / "outcomes.md").read_text()
    questionnaire, scoring = re.findall(r"```json\n(.*?)```", docs, re.S)[:2]
    (tmp_path / "sleep.json").write_text(textwrap.dedent(questionnaire))
    (tmp_path / "sleep.scoring.json").write_text(textwrap.dedent(scoring))
    result = score("sleep", [3, 2], instruments=load_instruments([tmp_path]))
    assert (result.score, result.category) == (5, "poor sleep")
