"""Refusals that name what is wrong, so every interface can say which field to fix."""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input. ``str()`` is one line, ``"<field>: <message>"``; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
