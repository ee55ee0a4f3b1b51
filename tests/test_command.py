"""The `backcare` console command wraps manage.py, also as `python -m backcare`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        list(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_backcare_command_lists_the_demo_and_runserver_commands() -> None:
    backcare = shutil.which("backcare", path=str(Path(sys.executable).parent))
    assert backcare is not None, "pip install -e . installs the backcare command"
    result = run(backcare, "help", "--commands")
    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert "demo" in commands
    assert "runserver" in commands


def test_python_dash_m_backcare_works_the_same() -> None:
    result = run(sys.executable, "-m", "backcare", "help", "demo")
    assert result.returncode == 0, result.stderr
    assert "Load the demo clinic" in result.stdout
