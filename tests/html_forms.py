"""The forms of a rendered page, read as a browser reads them: each form's method, action and
the values it would submit as it stands (text as filled in, checked boxes, selected options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

SUBMITTED_INPUTS = {"submit", "button", "image", "reset", "file"}


@dataclass
class PageForm:
    method: str
    action: str
    values: dict[str, list[str]] = field(default_factory=dict)
    """Every named field with the values it submits now ([] for an unchecked box)."""
    choices: dict[str, list[str]] = field(default_factory=dict)
    """The options of selects, radios and checkboxes, by field name."""

    def data(self) -> dict[str, str | list[str]]:
        """The form as submitted without changes."""
        return {
            name: values if len(values) > 1 else values[0]
            for name, values in self.values.items()
            if values
        }


class _Reader(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._first_option: dict[str, str] = {}
        self._textarea: str | None = None
        self._multiple = False
        self._option_selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = PageForm(
                method=(a.get("method") or "get").lower(), action=a.get("action") or self.page_url
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in SUBMITTED_INPUTS:
                return
            form.values.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.values[name].append(a.get("value", "on"))
            else:
                form.values[name].append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._multiple = "multiple" in a
            form.values.setdefault(name, [])
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = value
            if value is not None:
                self._note_option(value, selected="selected" in a)
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = [""]

    def _note_option(self, value: str, *, selected: bool) -> None:
        assert self._form is not None and self._select is not None
        self._form.choices[self._select].append(value)
        self._first_option.setdefault(self._select, value)
        if selected:
            self._form.values[self._select].append(value)

    def handle_data(self, data: str) -> None:
        if self._form is None:
            return
        if self._textarea:
            self._form.values[self._textarea][0] += data
        elif self._select and self._option is None and data.strip():
            self._option = data.strip()
            self._note_option(self._option, selected=self._option_selected)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select and self._form is not None:
            # A select with nothing selected submits its first option, as a browser does.
            first = self._first_option.get(self._select)
            if not self._multiple and not self._form.values[self._select] and first is not None:
                self._form.values[self._select] = [first]
            self._select = None


def page_forms(page: str, page_url: str) -> list[PageForm]:
    reader = _Reader(page_url)
    reader.feed(page)
    return reader.forms
