"""`backcare score` and `backcare responder` (SPEC §5): JSON out, or exit 2 and one line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from backcare.outcomes.cli import responder_main, score_main
from tests.outcomes.clinic_files import integer_item


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


def run(main: Callable[..., int], argv: list[str], stdin: str = "") -> Run:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, io.StringIO(stdin), out, err)
    return Run(status, out.getvalue(), err.getvalue())


def assert_refused(result: Run, *fragments: str) -> None:
    assert result.status == 2
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_score_peg_from_stdin():
    result = run(score_main, ["peg", "-"], '{"answers": [6, 7, 6]}')
    assert result.status == 0
    assert result.stderr == ""
    assert result.json["instrument"] == "peg"
    assert result.json["score"] == 6.33
    assert result.json["range"] == [0, 10]
    assert result.stdout.startswith('{\n  "instrument": "peg",')


def test_score_from_a_file(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": [True] * 6 + [False] * 18}))
    result = run(score_main, ["rmdq", str(path)])
    assert result.status == 0
    assert result.json["score"] == 6


def test_score_pgic_reports_category_and_responder():
    result = run(score_main, ["pgic", "-"], '{"answers": [2]}')
    assert result.json["category"] == "much improved"
    assert result.json["responder"] is True


def test_score_a_clinic_instrument_from_an_instruments_dir(write_instrument):
    folder = write_instrument(
        "grip",
        [integer_item("left", 0, 10), integer_item("right", 0, 10)],
        {
            "rule": "mean",
            "direction": "higher_is_better",
            "range": {"min": 0, "max": 10},
            "missing": {"policy": "refuse"},
            "source": "Made-up instrument for tests",
        },
    )
    result = run(score_main, ["grip", "-", "--instruments-dir", str(folder)], '{"answers": [3, 4]}')
    assert result.status == 0
    assert result.json["score"] == 3.5


@pytest.mark.parametrize(
    ("argv", "stdin", "fragments"),
    [
        (["peg", "-"], '{"answers": [6, 11, 6]}', ["answers[1]", "'peg-enjoyment'", "0 to 10"]),
        (["peg", "-"], '{"answers": [6, true, 6]}', ["answers[1]", "whole number"]),
        (["peg", "-"], '{"answers": [6, null, 6]}', ["answers[1]", "no answer"]),
        (["peg", "-"], '{"answers": [6, 6]}', ["answers:", "expects 3 answers"]),
        (["psfs", "-"], '{"answers": [6, 6]}', ["answers:", "3 to 5"]),
        (["peg", "-"], '{"answers": "666"}', ["answers:", "expected a list"]),
        (["peg", "-"], '{"answer": [6, 6, 6]}', ["answers: is required"]),
        (["peg", "-"], '{"answers": [6, 6, 6], "who": "x"}', ["who: unexpected key"]),
        (["peg", "-"], "[6, 6, 6]", ["FILE: expected a JSON object"]),
        (["peg", "-"], '{"answers": [6, 6,', ["FILE: not valid JSON", "line 1"]),
        (["odi", "-"], '{"answers": [1]}', ["INSTRUMENT: unknown instrument", "known: nrs"]),
        (["peg", "/no/such/file.json"], "", ["FILE: cannot read /no/such/file.json"]),
        (["peg"], "", ["required: FILE"]),
        ([], "", ["required: INSTRUMENT, FILE"]),
        (["peg", "-", "--colour"], "", ["unrecognized arguments: --colour"]),
        (
            ["peg", "-", "--instruments-dir", "/no/such/dir"],
            "",
            ["--instruments-dir", "not a folder"],
        ),
    ],
)
def test_score_bad_input_exits_2_with_one_line_naming_the_item_or_argument(argv, stdin, fragments):
    assert_refused(run(score_main, argv, stdin), "backcare score: error: ", *fragments)


def test_responder_nrs_example_from_the_issue():
    result = run(responder_main, ["--measure", "nrs", "--baseline", "8", "--current", "4"])
    assert result.status == 0
    assert result.stderr == ""
    data = result.json
    assert data["class"] == "substantial"
    assert data["change"] == -4
    assert data["percent_change"] == -50.0
    assert data["meaningful"] is True
    assert data["sentence"] == "Your pain is 50% lower than when you started."


def test_responder_psfs_higher_is_better():
    result = run(responder_main, ["--measure", "psfs", "--baseline", "3.5", "--current", "5.5"])
    assert result.json["class"] == "moderate"
    assert result.json["change"] == 2
    assert result.json["improvement"] == 2


def test_responder_rmdq_five_points():
    result = run(responder_main, ["--measure", "rmdq", "--baseline", "20", "--current", "15"])
    assert result.json["class"] == "moderate"
    assert result.json["percent_change"] == -25.0


def test_responder_baseline_0_gives_null_percent():
    result = run(responder_main, ["--measure", "nrs", "--baseline", "0", "--current", "0"])
    assert result.json["percent_change"] is None
    assert result.json["class"] == "none"


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["--measure", "nrs", "--baseline", "x", "--current", "4"], ["--baseline", "not a number"]),
        (["--measure", "nrs", "--baseline", "nan", "--current", "4"], ["--baseline", "finite"]),
        (["--measure", "nrs", "--baseline", "8", "--current", "11"], ["--current", "0 to 10"]),
        (["--measure", "nrs", "--baseline", "8", "--current", "-1"], ["--current", "0 to 10"]),
        (["--measure", "nrs", "--current", "4"], ["required: --baseline"]),
        (["--baseline", "8", "--current", "4"], ["required: --measure"]),
        (["--measure", "odi", "--baseline", "8", "--current", "4"], ["--measure", "unknown"]),
        (["--measure", "pgic", "--baseline", "4", "--current", "2"], ["--measure", "pgic"]),
        (["--measure", "nrs", "--base", "8", "--current", "4"], ["--base"]),
    ],
)
def test_responder_bad_input_exits_2_with_one_line_naming_the_argument(argv, fragments):
    assert_refused(run(responder_main, argv), "backcare responder: error: ", *fragments)


def test_help_goes_to_stdout_and_exits_0():
    result = run(responder_main, ["--help"])
    assert result.status == 0
    assert "--baseline" in result.stdout
    assert result.stderr == ""
