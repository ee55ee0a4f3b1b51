"""Command-line logic for ``backcare score`` and ``backcare responder`` (no Django).

Each ``*_main`` takes the arguments after the subcommand word and the three streams, and returns
the exit status: 0 with JSON on stdout, or 2 with one line on stderr naming the item or argument
at fault and nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from backcare.outcomes.instruments import InstrumentError, load_instruments
from backcare.outcomes.scoring import ScoringError, responder, score

USAGE_ERROR = 2


class _UsageError(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting and writes help to the given stream.

    With ``exit_on_error=False`` a bad value raises ``argparse.ArgumentError``, but on Python 3.11
    missing and unknown arguments still call ``error()``, which would exit: so that raises too.
    """

    def __init__(self, out: IO[str], **kwargs: Any) -> None:
        super().__init__(exit_on_error=False, allow_abbrev=False, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise _UsageError(message.strip())
        raise _Exit(status)

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            self._out.write(message)


def _finite_number(text: str) -> int | float:
    """``8`` stays an int, ``4.5`` is a float; nan and inf are refused."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _instruments_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--instruments-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a folder of extra instrument files (a clinic's own); may be repeated",
    )


def score_main(argv: Sequence[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    prog = "backcare score"
    parser = _Parser(
        stdout,
        prog=prog,
        description='Score one completed questionnaire given as {"answers": [...]} in item order.',
    )
    parser.add_argument("instrument", metavar="INSTRUMENT", help="e.g. nrs, peg, psfs, pgic, rmdq")
    parser.add_argument("file", metavar="FILE", help="a JSON file, or - for standard input")
    _instruments_dir_argument(parser)
    try:
        args = parser.parse_args(list(argv))
        instruments = load_instruments(args.instruments_dir)
        answers = _read_answers(args.file, stdin)
        result = score(args.instrument, answers, instruments=instruments)
    except _Exit as exit_:
        return exit_.status
    except (_UsageError, argparse.ArgumentError) as exc:
        return _fail(stderr, prog, str(exc))
    except ScoringError as exc:
        where = "INSTRUMENT" if exc.field == "instrument" else exc.field
        return _fail(stderr, prog, f"{where}: {exc.message}")
    except InstrumentError as exc:
        return _fail(stderr, prog, f"--instruments-dir: {exc}")
    _write_json(stdout, result.to_dict())
    return 0


def responder_main(argv: Sequence[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    prog = "backcare responder"
    parser = _Parser(
        stdout,
        prog=prog,
        description="Responder class and change of a measure against its baseline (SPEC §5).",
    )
    parser.add_argument("--measure", required=True, help="e.g. nrs, peg, psfs, rmdq")
    parser.add_argument("--baseline", required=True, type=_finite_number)
    parser.add_argument("--current", required=True, type=_finite_number)
    _instruments_dir_argument(parser)
    try:
        args = parser.parse_args(list(argv))
        instruments = load_instruments(args.instruments_dir)
        result = responder(args.measure, args.baseline, args.current, instruments=instruments)
    except _Exit as exit_:
        return exit_.status
    except (_UsageError, argparse.ArgumentError) as exc:
        return _fail(stderr, prog, str(exc))
    except ScoringError as exc:
        return _fail(stderr, prog, f"--{exc.field}: {exc.message}")
    except InstrumentError as exc:
        return _fail(stderr, prog, f"--instruments-dir: {exc}")
    _write_json(stdout, result.to_dict())
    return 0


def _read_answers(file: str, stdin: IO[str]) -> Any:
    try:
        text = stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScoringError("FILE", f"cannot read {file}: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScoringError(
            "FILE", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    if not isinstance(data, dict):
        raise ScoringError("FILE", 'expected a JSON object like {"answers": [...]}')
    if "answers" not in data:
        raise ScoringError("answers", 'is required: {"answers": [...]}, one per item in order')
    for key in data:
        if key != "answers":
            raise ScoringError(key, 'unexpected key; the input holds only "answers"')
    return data["answers"]


def _fail(stderr: IO[str], prog: str, message: str) -> int:
    one_line = " ".join(message.split())
    stderr.write(f"{prog}: error: {one_line}\n")
    return USAGE_ERROR


def _write_json(stdout: IO[str], data: dict[str, Any]) -> None:
    stdout.write(json.dumps(data, indent=2) + "\n")
