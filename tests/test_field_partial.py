"""The one form-field partial (templates/includes/field.html), used by every form: a person
using a screen reader hears each field's label, its help and its errors."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    reason = forms.CharField(label="Reason", help_text="Say why, in a few words.", max_length=5)
    agree = forms.BooleanField(label="I agree", required=False)


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, html
    return found.group(0)


def test_a_field_with_an_error_names_its_help_and_its_error_to_assistive_technology() -> None:
    form = _Form(data={"reason": "far too long"})
    assert not form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["reason"]})
    assert 'class="field has-error"' in html
    assert '<label for="id_reason">Reason' in html
    assert 'id="id_reason_helptext"' in html and "Say why, in a few words." in html
    assert 'id="id_reason_error"' in html and "at most 5 characters" in html
    described = re.search(r'aria-describedby="([^"]*)"', _input(html, "reason"))
    assert described is not None
    assert set(described.group(1).split()) == {"id_reason_helptext", "id_reason_error"}
    assert 'aria-invalid="true"' in _input(html, "reason")


def test_a_checkbox_sits_beside_its_label_and_a_valid_field_is_not_marked() -> None:
    form = _Form(data={"reason": "ok", "agree": "on"})
    assert form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["agree"]})
    assert 'class="field check"' in html
    assert "has-error" not in html


def test_the_whole_form_partial_leaves_out_the_honeypot_field_and_adds_the_trap() -> None:
    class Signup(_Form):
        website = forms.CharField(required=False)

    html = render_to_string("includes/form.html", {"form": Signup(), "honeypot": "website"})
    assert 'name="website" id="id_website_trap"' in html
    assert 'id="id_website"' not in html
    assert 'id="id_reason"' in html
