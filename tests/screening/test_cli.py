"""``backcare screen FILE`` (SPEC §3 machine interface). No database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from backcare.screening.cli import main

SPEC_EXAMPLE = (
    '{"age": 58, "pain": {"nrs_now": 6, "duration_weeks": 30}, '
    '"codes": ["anticoagulants", "asthma"]}'
)


def run(argv: list[str], stdin_text: str = "") -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main(argv, io.StringIO(stdin_text), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "intake.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_spec_example_result(output: str) -> None:
    assert output.endswith("}\n")
    assert output.startswith('{\n  "decision"')  # indent=2
    result = json.loads(output)
    assert result["decision"] == "cleared_with_precautions"
    assert result["techniques"]["deep_tissue"] == "avoid"
    assert result["techniques"]["aromatherapy"] == "avoid"
    assert len(result["techniques"]) == 8
    assert result["max_pressure"] == 2
    assert result["positioning"] == "any"
    assert [reason["code"] for reason in result["reasons"]] == ["anticoagulants", "asthma"]


def test_screens_a_file(tmp_path):
    status, out, err = run([write(tmp_path, SPEC_EXAMPLE)])

    assert status == 0
    assert err == ""
    assert_spec_example_result(out)


def test_screens_stdin_with_a_dash():
    status, out, err = run(["-"], SPEC_EXAMPLE)

    assert status == 0
    assert err == ""
    assert_spec_example_result(out)


def test_screening_writes_no_files(tmp_path):
    name = write(tmp_path, SPEC_EXAMPLE)

    run([name])

    assert [p.name for p in tmp_path.iterdir()] == ["intake.json"]


def test_help_prints_usage_and_succeeds():
    status, out, err = run(["--help"])

    assert status == 0
    assert out.startswith("usage: backcare screen FILE")
    assert err == ""


BAD_INTAKES = [
    pytest.param(
        '{"age": 40, "pain": {"nrs_now": 5, "duration_weeks": 3}, "codes": ["asthma", "gout"]}',
        'codes[1]: unknown code "gout"',
        id="unknown code",
    ),
    pytest.param('{"pain": {"nrs_now": 5, "duration_weeks": 3}}', "age: ", id="missing age"),
    pytest.param(
        '{"age": 40, "pain": {"nrs_now": 11, "duration_weeks": 3}}',
        "pain.nrs_now: must be a whole number from 0 to 10",
        id="nrs 11",
    ),
    pytest.param(
        '{"age": 40, "pain": {"nrs_now": 5, "duration_weeks": -2}}',
        "pain.duration_weeks: must be a number of weeks, 0 or more",
        id="negative weeks",
    ),
    pytest.param(
        '{"age": "40", "pain": {"nrs_now": 5, "duration_weeks": 3}}',
        "age: must be a whole number from 0 to 120",
        id="string age",
    ),
    pytest.param(
        '{"age": true, "pain": {"nrs_now": 5, "duration_weeks": 3}}',
        "age: must be a whole number from 0 to 120",
        id="bool age",
    ),
    pytest.param(
        '{"age": 40, "pain": {"nrs_now": 5, "duration_weeks": NaN}}',
        "not valid JSON",
        id="NaN weeks",
    ),
    pytest.param('{"age": 40, "pain": ', "not valid JSON", id="malformed JSON"),
    pytest.param("", "not valid JSON", id="empty input"),
    pytest.param("[" * 100_000, "not valid JSON", id="nested too deeply"),
    pytest.param('["age", 40]', "intake: must be a JSON object", id="not an object"),
    pytest.param(
        '{"age": 40, "pain": {"nrs_now": 5, "duration_weeks": 3}, "a\\nb": 1}',
        '"a\\nb": unknown field',
        id="key with a newline",
    ),
]


def assert_refused_on_one_line(status: int, out: str, err: str, expected: str) -> None:
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.endswith("\n")
    assert expected in err


@pytest.mark.parametrize(("text", "expected"), BAD_INTAKES)
def test_bad_file_is_refused_with_one_line_naming_the_field(tmp_path, text, expected):
    status, out, err = run([write(tmp_path, text)])

    assert_refused_on_one_line(status, out, err, expected)


@pytest.mark.parametrize(("text", "expected"), BAD_INTAKES)
def test_bad_stdin_is_refused_with_one_line_naming_the_field(text, expected):
    status, out, err = run(["-"], text)

    assert_refused_on_one_line(status, out, err, expected)


def test_field_errors_start_with_the_field_name(tmp_path):
    text = '{"age": 40, "pain": {"nrs_now": 11, "duration_weeks": 3}}'

    _, _, err = run([write(tmp_path, text)])

    assert err == "pain.nrs_now: must be a whole number from 0 to 10\n"


def test_malformed_json_names_the_file_and_position(tmp_path):
    name = write(tmp_path, '{"age": 40,\n "pain": }')

    status, out, err = run([name])

    assert_refused_on_one_line(status, out, err, f"{name}: not valid JSON")
    assert "line 2" in err


def test_missing_file_is_refused(tmp_path):
    missing = str(tmp_path / "nope.json")

    status, out, err = run([missing])

    assert_refused_on_one_line(status, out, err, f"{missing}: no such file")


def test_a_directory_is_refused(tmp_path):
    status, out, err = run([str(tmp_path)])

    assert_refused_on_one_line(status, out, err, "is a directory")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "intake.json"
    path.write_bytes(b'{"age": 40\xff}')

    status, out, err = run([str(path)])

    assert_refused_on_one_line(status, out, err, "not UTF-8")


def test_a_file_name_with_a_newline_still_gives_one_line(tmp_path):
    status, out, err = run([str(tmp_path / "no\nsuch.json")])

    assert_refused_on_one_line(status, out, err, "no such file")


@pytest.mark.parametrize(
    "argv",
    [[], ["a.json", "b.json"], ["-", "extra"]],
    ids=["no args", "two files", "dash and extra"],
)
def test_wrong_number_of_arguments_is_refused_with_usage(argv):
    status, out, err = run(argv)

    assert_refused_on_one_line(status, out, err, "expected one FILE argument")
    assert "usage: backcare screen FILE" in err


def test_an_empty_file_argument_is_refused():
    status, out, err = run([""])

    assert_refused_on_one_line(status, out, err, "FILE: must not be empty")
