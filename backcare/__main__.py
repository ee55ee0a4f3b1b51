"""The ``backcare`` command: Django's manage.py for Backcare, plus commands that need no database.

backcare demo | runserver | migrate | ...   (every manage.py command)
python -m backcare ...                      (the same)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
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
