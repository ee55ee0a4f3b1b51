"""Names and anything that may reach an email header stay on one line (accounts/validators.py):
every character Unicode counts as a control or a line or paragraph separator is refused, and
nothing else is."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from backcare.accounts.validators import SingleLine, has_control_characters


def test_exactly_the_characters_unicode_calls_controls_or_line_breaks_are_refused() -> None:
    refused = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in {"Cc", "Zl", "Zp"}
    }
    found = {code for code in range(sys.maxunicode + 1) if has_control_characters(chr(code))}
    assert found == refused


def test_a_line_break_anywhere_in_a_long_name_is_refused_naming_the_field() -> None:
    name = "Anders" * 100_000
    SingleLine("last name")(name)  # a long name on one line is the length check's business
    with pytest.raises(ValidationError) as refused:
        SingleLine("last name")(name + "\r\nBcc: everyone@example.com")
    assert refused.value.messages == [
        "The last name cannot contain line breaks, tabs or other control characters."
    ]
