"""Typed readers for environment variables that fail loudly, with one clear line.

Modelled on healthchecks' ``envbool``/``envint``: settings.py calls these and nothing else reads
``os.environ``. A malformed value stops start-up with :class:`ConfigError`, whose message names
the variable and what it expects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A required environment variable is missing or malformed."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is not None:
        return value
    if default is None:
        raise ConfigError(f"{name} must be set (see README.md, Configuration).")
    return default


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def env_int(
    name: str, default: int, *, minimum: int = 0, environ: Mapping[str, str] | None = None
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int_list(
    name: str, default: list[int], *, minimum: int = 0, environ: Mapping[str, str] | None = None
) -> list[int]:
    """Comma-separated whole numbers, for example ``REMINDER_HOURS=48,2``."""
    words = env_list(name, [str(number) for number in default], environ=environ)
    numbers = []
    for word in words:
        try:
            number = int(word)
        except ValueError:
            message = f"{name} must be whole numbers separated by commas, not {word!r}."
            raise ConfigError(message) from None
        if number < minimum:
            raise ConfigError(f"{name} must hold numbers of at least {minimum}, not {number}.")
        numbers.append(number)
    return numbers
