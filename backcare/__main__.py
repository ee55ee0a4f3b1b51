"""The ``backcare`` command: Django's manage.py for Backcare, plus commands that need no database.

backcare demo | runserver | migrate | ...   (every manage.py command)
backcare new-file-key                       (a fresh key for BACKCARE_FILE_KEYS)
python -m backcare ...                      (the same)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TextIO


def _screen() -> Callable[[list[str], TextIO, TextIO, TextIO], int]:
    from backcare.screening.cli import main as screen

    return screen


def _score() -> Callable[[list[str], TextIO, TextIO, TextIO], int]:
    from backcare.outcomes.cli import score_main

    return score_main


def _responder() -> Callable[[list[str], TextIO, TextIO, TextIO], int]:
    from backcare.outcomes.cli import responder_main

    return responder_main


def _new_file_key() -> Callable[[list[str], TextIO, TextIO, TextIO], int]:
    def new_file_key(args: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
        from backcare.lib.filecrypt import new_key

        print(new_key(), file=stdout)
        return 0

    return new_file_key


PURE_COMMANDS = {
    "screen": _screen,
    "score": _score,
    "responder": _responder,
    # A fresh key for BACKCARE_FILE_KEYS: needed before the settings can load in production.
    "new-file-key": _new_file_key,
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        # Pure domain commands: no settings, no database, nothing written.
        return PURE_COMMANDS[args[0]]()(args[1:], sys.stdin, sys.stdout, sys.stderr)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
    from backcare.lib.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["backcare", *args])
    except ConfigError as error:
        print(f"backcare: configuration problem: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
