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


def test_backcare_screen_reads_the_spec_example_without_a_database(tmp_path: Path) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(
        '{"age": 58, "pain": {"nrs_now": 6, "duration_weeks": 30},'
        ' "codes": ["anticoagulants", "asthma"]}'
    )
    result = run(sys.executable, "-m", "backcare", "screen", str(intake))
    assert result.returncode == 0, result.stderr
    assert '"decision": "cleared_with_precautions"' in result.stdout


def test_backcare_screen_refuses_an_unknown_code_with_one_line(tmp_path: Path) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text('{"age": 40, "pain": {"nrs_now": 3, "duration_weeks": 20}, "codes": ["x"]}')
    result = run(sys.executable, "-m", "backcare", "screen", str(intake))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "codes[0]" in result.stderr


def test_backcare_responder_classes_a_halved_pain_score_as_substantial() -> None:
    result = run(
        sys.executable,
        "-m",
        "backcare",
        "responder",
        "--measure",
        "nrs",
        "--baseline",
        "8",
        "--current",
        "4",
    )
    assert result.returncode == 0, result.stderr
    assert '"class": "substantial"' in result.stdout
