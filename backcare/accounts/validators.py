"""Text that must stay on one line: names, and anything that may reach an email header.

A carriage return or line feed in a name would otherwise be saved and later make every email
that carries it fail (email headers cannot contain line breaks), or split a header in two.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Unicode's control characters (category Cc: U+0000–U+001F and U+007F–U+009F), and the line and
# paragraph separators (Zl, Zp), which break lines too (str.splitlines) though they are not
# controls. One pattern, so a long text is searched at C speed rather than a character at a time
# in Python (half a second for a megabyte); tests/test_single_line.py holds it to Unicode's own
# categories.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a control character (CR, LF, tab, NUL, …) or a line separator."""
    return _LINE_BREAKING.search(value) is not None


@deconstructible
class SingleLine:
    """Refuses line breaks and other control characters, naming the field in the message:
    ``SingleLine("first name")`` says "The first name cannot contain line breaks …"."""

    code = "control_characters"

    def __init__(self, field: str) -> None:
        self.field = field

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(
                "The %(field)s cannot contain line breaks, tabs or other control characters.",
                code=self.code,
                params={"field": self.field},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SingleLine) and other.field == self.field

    def __hash__(self) -> int:
        return hash((SingleLine, self.field))
