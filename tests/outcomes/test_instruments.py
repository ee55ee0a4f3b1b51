"""The shipped instrument files and loading instruments a clinic drops in (SPEC §5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backcare.outcomes.instruments import (
    InstrumentError,
    load_instruments,
    shipped_dir,
    shipped_instruments,
)
from backcare.outcomes.scoring import responder, score
from tests.outcomes.clinic_files import MAX_VALUE, MIN_VALUE, boolean_item, integer_item

SHIPPED_DIR = Path(str(shipped_dir()))
QUESTIONNAIRE_FILES = sorted(
    p for p in SHIPPED_DIR.glob("*.json") if not p.name.endswith(".scoring.json")
)
FHIR_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "choice"}


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_five_instruments_of_spec_5_are_shipped():
    assert sorted(shipped_instruments()) == ["nrs", "peg", "pgic", "psfs", "rmdq"]
    assert [p.stem for p in QUESTIONNAIRE_FILES] == ["nrs", "peg", "pgic", "psfs", "rmdq"]


@pytest.mark.parametrize("path", QUESTIONNAIRE_FILES, ids=lambda p: p.stem)
def test_every_shipped_questionnaire_is_a_fhir_r4_questionnaire(path: Path):
    doc = read(path)
    assert doc["resourceType"] == "Questionnaire"
    assert doc["id"] == path.stem
    assert doc["url"] == f"https://backcare.example/fhir/Questionnaire/{path.stem}"
    assert doc["name"].isidentifier()
    assert doc["title"]
    assert doc["status"] == "active"
    assert doc["item"]

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            assert item["linkId"]
            assert item["text"]
            assert item["type"] in FHIR_ITEM_TYPES
            if item["type"] == "integer":
                urls = {ext["url"]: ext["valueInteger"] for ext in item["extension"]}
                assert urls[MIN_VALUE] < urls[MAX_VALUE]
            if item["type"] == "choice":
                assert all("valueCoding" in o for o in item["answerOption"])
            walk(item.get("item", []))

    walk(doc["item"])


@pytest.mark.parametrize("path", QUESTIONNAIRE_FILES, ids=lambda p: p.stem)
def test_every_shipped_questionnaire_has_a_scoring_file_citing_its_source(path: Path):
    scoring = read(path.with_name(f"{path.stem}.scoring.json"))
    assert scoring["instrument"] == path.stem
    assert scoring["source"].strip()


def test_nrs_carries_loinc_72514_3_on_questionnaire_and_item():
    doc = read(SHIPPED_DIR / "nrs.json")
    assert {"system": "http://loinc.org", "code": "72514-3"}.items() <= doc["code"][0].items()
    assert doc["item"][0]["code"][0]["code"] == "72514-3"
    score_code = shipped_instruments()["nrs"].score_code
    assert score_code is not None
    assert score_code["code"] == "72514-3"


def test_peg_carries_panel_loinc_91148_7_and_score_loinc_91147_9():
    doc = read(SHIPPED_DIR / "peg.json")
    assert doc["code"][0]["system"] == "http://loinc.org"
    assert doc["code"][0]["code"] == "91148-7"
    score_code = shipped_instruments()["peg"].score_code
    assert score_code is not None
    assert (score_code["system"], score_code["code"]) == ("http://loinc.org", "91147-9")


def test_peg_items_follow_krebs_2009():
    texts = [item.text for item in shipped_instruments()["peg"].items]
    assert "pain on average in the past week" in texts[0]
    assert "enjoyment of life" in texts[1]
    assert "general activity" in texts[2]


def test_psfs_has_three_required_and_two_optional_activities_rated_0_to_10():
    items = shipped_instruments()["psfs"].items
    assert [item.required for item in items] == [True, True, True, False, False]
    assert all(item.minimum == 0 and item.maximum == 10 for item in items)
    assert "unable to perform" in items[0].text


def test_pgic_has_seven_options_from_very_much_improved_to_very_much_worse():
    (item,) = shipped_instruments()["pgic"].items
    displays = [o.display for o in item.options]
    assert len(displays) == 7
    assert displays[0] == "Very much improved"
    assert displays[-1] == "Very much worse"
    assert [o.value for o in item.options] == list(range(1, 8))


def test_rmdq_has_24_yes_no_items_and_is_off_by_default():
    rmdq = shipped_instruments()["rmdq"]
    assert len(rmdq.items) == 24
    assert {item.type for item in rmdq.items} == {"boolean"}
    assert rmdq.items[0].text == "I stay at home most of the time because of my back."
    assert not rmdq.default_enabled
    assert all(i.default_enabled for k, i in shipped_instruments().items() if k != "rmdq")


def test_no_licensed_instrument_text_is_shipped():
    for path in SHIPPED_DIR.glob("*.json"):
        text = path.read_text(encoding="utf-8").lower()
        for licensed in ("oswestry", "start back", "promis"):
            assert licensed not in text, (path.name, licensed)
    assert not {"odi", "startback", "start_back", "promis"} & set(shipped_instruments())


def test_shipped_instruments_load_from_the_package_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sorted(load_instruments()) == ["nrs", "peg", "pgic", "psfs", "rmdq"]


def test_a_dropped_in_questionnaire_is_scored_without_code(write_instrument):
    folder = write_instrument(
        "sleep-sum",
        [integer_item("q1"), integer_item("q2"), integer_item("q3")],
        {
            "rule": "sum",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 15},
            "missing": {"policy": "refuse"},
            "change": {"meaningful": {"points": 3}},
            "source": "Clinic's own made-up test instrument",
        },
    )
    instruments = load_instruments([folder])
    assert set(instruments) == {"nrs", "peg", "pgic", "psfs", "rmdq", "sleep-sum"}
    assert score("sleep-sum", [1, 2, 3], instruments=instruments).score == 6
    change = responder("sleep-sum", 9, 6, instruments=instruments)
    assert change.responder_class == "moderate"
    assert change.meaningful


def test_a_clinic_scoring_file_alone_changes_a_shipped_threshold(write_instrument):
    folder = write_instrument(
        "peg",
        None,
        {
            "rule": "mean",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 10},
            "missing": {"policy": "refuse"},
            "change": {"meaningful": {"percent": 20}},
            "source": "Clinic policy: 20% is meaningful here",
        },
    )
    instruments = load_instruments([folder])
    assert responder("peg", 5, 4, instruments=instruments).meaningful
    assert not responder("peg", 5, 4).meaningful
    assert instruments["peg"].questionnaire["code"][0]["code"] == "91148-7"


def test_a_clinic_file_with_a_shipped_id_replaces_the_shipped_instrument(write_instrument):
    folder = write_instrument(
        "nrs",
        [integer_item("pain", 0, 100)],
        {
            "rule": "sum",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 100},
            "missing": {"policy": "refuse"},
            "source": "Clinic's 0-100 visual analogue version",
        },
    )
    assert score("nrs", [70], instruments=load_instruments([folder])).score == 70


def test_a_questionnaire_without_its_scoring_file_is_refused(write_instrument):
    folder = write_instrument("lonely", [integer_item("q1")], None)
    with pytest.raises(InstrumentError, match=r"lonely\.json: has no lonely\.scoring\.json"):
        load_instruments([folder])


def test_a_scoring_file_for_no_questionnaire_is_refused(write_instrument):
    folder = write_instrument("ghost", None, {"rule": "sum"})
    with pytest.raises(InstrumentError, match=r"ghost\.scoring\.json: no ghost\.json"):
        load_instruments([folder])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"range": {"min": 0, "max": 10}}, "range: the items give 0 to 15, not 0 to 10"),
        ({"rule": "median"}, "rule: must be one of sum, mean, count_yes, subscale_sums"),
        ({"direction": "up"}, "direction: must be one of"),
        ({"missing": {"policy": "ignore"}}, "missing.policy: must be 'refuse' or 'prorate'"),
        ({"missing": {"policy": "prorate"}}, "'max_missing' is required"),
        ({"missing": {"policy": "prorate", "max_missing": 3}}, "max_missing: must be 1 to 2"),
        ({"change": {"meaningful": {}}}, "change.meaningful: needs 'points' or 'percent'"),
        ({"change": {"meaningful": {"points": 0}}}, "thresholds must be above 0"),
        ({"max_mising": 1}, "unknown key 'max_mising'"),
        ({"source": " "}, "source: must cite"),
        ({"rule": "count_yes"}, "count_yes needs boolean items"),
        ({"instrument": "other"}, "instrument: must be 'bad'"),
        ({"responder_categories": ["good"]}, "no category labelled 'good'"),
        ({"categories": [{"label": "x", "at_least": {"fear": 1}}]}, "'fear' is not the score"),
    ],
)
def test_a_malformed_scoring_file_is_refused_naming_the_key(write_instrument, change, message):
    scoring = {
        "rule": "sum",
        "direction": "lower_is_better",
        "range": {"min": 0, "max": 15},
        "missing": {"policy": "refuse"},
        "source": "test",
        **change,
    }
    folder = write_instrument("bad", [integer_item(f"q{i}") for i in range(3)], scoring)
    with pytest.raises(InstrumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_instruments([folder])


def test_a_questionnaire_with_a_non_fhir_resource_type_is_refused(clinic_dir):
    (clinic_dir / "odd.json").write_text(json.dumps({"resourceType": "Patient", "id": "odd"}))
    (clinic_dir / "odd.scoring.json").write_text("{}")
    with pytest.raises(InstrumentError, match="resourceType: must be 'Questionnaire'"):
        load_instruments([clinic_dir])


def test_an_integer_item_without_min_and_max_is_refused(write_instrument):
    item = integer_item("q1")
    del item["extension"]
    folder = write_instrument("nobounds", [item], {"rule": "sum"})
    with pytest.raises(InstrumentError, match="needs the minValue extension"):
        load_instruments([folder])


def test_a_text_item_cannot_be_scored(write_instrument):
    folder = write_instrument(
        "texty", [{"linkId": "t", "text": "Tell us", "type": "string"}], {"rule": "sum"}
    )
    with pytest.raises(InstrumentError, match="'string' cannot be scored"):
        load_instruments([folder])


def test_duplicate_link_ids_are_refused(write_instrument):
    folder = write_instrument("twice", [boolean_item("q"), boolean_item("q")], {"rule": "sum"})
    with pytest.raises(InstrumentError, match="linkId 'q' is used twice"):
        load_instruments([folder])


def test_invalid_json_is_refused_naming_the_file(clinic_dir):
    (clinic_dir / "broken.json").write_text("{not json")
    (clinic_dir / "broken.scoring.json").write_text("{}")
    with pytest.raises(InstrumentError, match=r"^broken\.json: not valid JSON"):
        load_instruments([clinic_dir])


def test_a_missing_clinic_folder_is_refused(tmp_path):
    with pytest.raises(InstrumentError, match="not a folder"):
        load_instruments([tmp_path / "nowhere"])


def test_other_files_in_the_folder_are_ignored(write_instrument):
    folder = write_instrument(
        "tiny",
        [boolean_item("q")],
        {
            "rule": "count_yes",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 1},
            "missing": {"policy": "refuse"},
            "source": "test",
        },
    )
    (folder / "README.md").write_text("notes for staff")
    assert "tiny" in load_instruments([folder])
