"""``backcare screen FILE``: screen one intake JSON file (or ``-`` for stdin), print the result.

Exit status 0 with the SPEC §3 result JSON on stdout; exit status 2 with exactly one line on
stderr naming the field (or the problem) and nothing on stdout. Nothing is ever written to disk.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from backcare.screening.rules import IntakeError, parse_intake, screen

USAGE = "usage: backcare screen FILE  (an intake JSON file, or - to read stdin)"
EXIT_OK = 0
EXIT_REFUSED = 2


class InputError(Exception):
    """Input that is not an intake at all (unreadable, not JSON): one line naming the problem."""


def main(argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``backcare screen``; ``argv`` holds the arguments after the word ``screen``."""
    if list(argv) in (["-h"], ["--help"]):
        stdout.write(USAGE + "\n")
        return EXIT_OK
    try:
        if len(argv) != 1:
            raise InputError(f"expected one FILE argument, got {len(argv)}; {USAGE}")
        name = argv[0]
        if not name:
            raise InputError(f"FILE: must not be empty; {USAGE}")
        data = decode(name, _read(name, stdin))
        result = screen(parse_intake(data))
    except (InputError, IntakeError) as problem:
        stderr.write(_one_line(str(problem)) + "\n")
        return EXIT_REFUSED
    stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    return EXIT_OK


def _read(name: str, stdin: TextIO) -> str:
    if name == "-":
        try:
            return stdin.read()
        except UnicodeDecodeError as error:
            raise InputError("stdin: not UTF-8 text") from error
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputError(f"{name}: no such file") from error
    except IsADirectoryError as error:
        raise InputError(f"{name}: is a directory, not a file") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text") from error
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror})") from error


def decode(name: str, text: str) -> object:
    """Parse JSON text read from ``name`` (``-`` is stdin), refusing NaN and Infinity."""
    label = "stdin" if name == "-" else name
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{label}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from error
    except ValueError as error:  # NaN / Infinity, which JSON does not have
        raise InputError(f"{label}: not valid JSON ({error})") from error
    except RecursionError as error:
        raise InputError(f"{label}: not valid JSON (nested too deeply)") from error


def _refuse_constant(constant: str) -> object:
    raise ValueError(f"{constant} is not a JSON number")


def _one_line(text: str) -> str:
    # File names and JSON keys come from the user; keep the promise of exactly one line.
    return " ".join(text.splitlines()) or "error"


if __name__ == "__main__":  # pragma: no cover - the console command wires main() itself
    raise SystemExit(main(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr))
