"""Reading Backcare's pages in tests the way a person reads them: text, and form errors that sit
next to their field and are tied to its input."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def text(response: Response) -> str:
    return html.unescape(response.content.decode())


def field_error(response: Response, field: str) -> tuple[str, str]:
    """The label and the message shown next to one form field (and tied to its input)."""
    page = response.content.decode()
    match = re.search(
        rf'<div class="field has-error">\s*<label for="id_{field}">(?P<label>.*?)</label>'
        rf'.*?<ul class="errorlist" id="id_{field}_error">(?P<errors>.*?)</ul>'
        rf"(?P<rest>.*?)</div>",
        page,
        re.S,
    )
    assert match is not None, f"no error is shown next to the {field} field"
    assert f"id_{field}_error" in match["rest"], "the input is not described by its error"
    message = re.sub(r"<[^>]+>", " ", match["errors"])
    return html.unescape(match["label"]).strip(), " ".join(html.unescape(message).split())


def input_value(response: Response, field: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="id_{field}"[^>]*>', response.content.decode())
    assert tag is not None, f"no input for {field}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def form_alert(response: Response) -> str:
    """The message at the top of a form, for errors that belong to no single field."""
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', text(response), re.S)
    assert match is not None, "no error is shown at the top of the form"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
