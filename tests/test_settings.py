"""Configuration comes from environment variables; a bad one stops start-up with one clear line."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from backcare.lib.env import ConfigError, env_bool, env_int, env_list, env_str
from backcare.lib.filecrypt import new_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("Off", False),
        ("", False),
    ],
)
def test_booleans_read_the_usual_words(raw: str, expected: bool) -> None:
    assert env_bool("DEBUG", False, environ={"DEBUG": raw}) is expected


def test_a_boolean_that_is_neither_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^DEBUG must be true or false, not 'maybe'\.$"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_a_missing_required_string_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^SECRET_KEY must be set"):
        env_str("SECRET_KEY", environ={})


@pytest.mark.parametrize(("raw", "message"), [("ten", "whole number"), ("-3", "at least 1")])
def test_a_bad_number_names_the_variable(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^EMAIL_PORT must be .*{message}"):
        env_int("EMAIL_PORT", 587, minimum=1, environ={"EMAIL_PORT": raw})


def test_lists_are_comma_separated_and_trimmed() -> None:
    hosts = env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": " a.example, b.example ,"})
    assert hosts == ["a.example", "b.example"]


def run_backcare(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Only the machine's environment: none of Backcare's variables, nor what tests/settings.py set.
    ours = {
        "DATABASE_URL",
        "SECRET_KEY",
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "SQLITE_FILE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "BACKCARE_FILE_KEYS",
        "AUDIT_KEY",
        "AUDIT_OLD_KEYS",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("SECURE_")}
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "backcare", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a-production-secret-key-that-is-long-enough-42"}, "BACKCARE_FILE_KEYS"),
        ({"DEBUG": "true", "BACKCARE_FILE_KEYS": "not-a-key"}, "BACKCARE_FILE_KEYS"),
        (
            {
                "SECRET_KEY": "a-production-secret-key-that-is-long-enough-42",
                "BACKCARE_FILE_KEYS": new_key(),
                "AUDIT_KEY": "short",
            },
            "AUDIT_KEY",
        ),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://db/backcare"}, "DATABASE_URL"),
        ({"DEBUG": "true", "EMAIL_HOST": "smtp.example", "EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    result = run_backcare("check", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert named in lines[0]


def test_production_settings_pass_djangos_deployment_checks() -> None:
    result = run_backcare(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        BACKCARE_FILE_KEYS=new_key(),
        ALLOWED_HOSTS="clinic.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_settings_hash_passwords_with_argon2() -> None:
    import backcare.settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert real.TIME_ZONE == "America/New_York"
    assert real.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }


def test_sqlite_runs_in_wal_mode_with_immediate_transactions() -> None:
    result = run_backcare(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
        "print(o['transaction_mode'], 'journal_mode=WAL' in o['init_command'])",
        DEBUG="true",
    )
    assert result.stdout.split() == ["IMMEDIATE", "True"], result.stderr
