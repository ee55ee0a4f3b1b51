"""Small helpers that keep views thin: render a form page, save through a named action."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from backcare.lib.errors import FieldError

# The largest row id any database here stores (a signed 64-bit integer): a bigger number in a
# form or an address is no record, and must be answered as such rather than overflow the query.
MAX_ID = 2**63 - 1
VERSION_FIELD = "seen_version"
CHANGED_MEANWHILE = (
    "This was changed by someone else since you opened it. Your changes are kept below but "
    "not saved: check what is there now, then save again to replace it."
)


def too_long(what: str) -> str:
    """The message of a text field longer than its limit, naming the field (``"reason"``):
    Django fills in the limit and the length typed."""
    return f"Please keep the {what} to %(limit_value)d characters or fewer (it has %(show_value)d)."


class SupportsGetAbsoluteUrl(Protocol):
    def get_absolute_url(self) -> str: ...


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    template: str,
    save: Callable[[], SupportsGetAbsoluteUrl],
    *,
    success: str,
    context: Mapping[str, Any] | None = None,
    record: models.Model | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a named action) and go to the saved object.

    Invalid input is shown again as typed, with each message next to its field and a 400
    status; nothing is saved. With ``record`` (the object an edit form changes), a save is
    refused with a 409 when someone else changed it since the form was opened (:func:`guard`).
    """
    if record is not None:
        guard(form, record)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if record is not None and not still_as_seen(form, record):
                    return render_changed(request, template, form, context)
                saved = save()
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, success)
            return redirect(saved)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


# --- Stale saves: one mechanism for every edit form -----------------------------------------


_T = TypeVar("_T")


def run_action(form: forms.BaseForm, act: Callable[[dict[str, Any]], _T]) -> tuple[_T] | None:
    """Run one named action with the form's data when the form is valid; a refusal shows on
    the form (:func:`show_refusal`). What the action returned, in a tuple (so that it is true
    even when the action returns None); None when the form is invalid or the action refused."""
    if not form.is_valid():
        return None
    try:
        return (act(form.cleaned_data),)
    except FieldError as refusal:
        show_refusal(form, refusal)
        return None


def version_of(record: models.Model | None) -> str:
    """A fingerprint of ``record`` as stored now (every column), locked for the rest of the
    transaction where the database can: it changes whenever anyone saves a change to it."""
    if record is None or record.pk is None:
        return "new"
    rows = type(record)._default_manager.filter(pk=record.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    row = rows.values().first()
    if row is None:
        return "gone"
    text = json.dumps(row, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def guard(form: forms.BaseForm, record: models.Model | None) -> None:
    """Give ``form`` a hidden field holding the version of ``record`` it was opened with."""
    form.fields[VERSION_FIELD] = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=40
    )
    if not form.is_bound:
        form.initial[VERSION_FIELD] = version_of(record)


def still_as_seen(form: forms.BaseForm, record: models.Model | None) -> bool:
    """False when ``record`` changed since ``form`` was opened: the form then carries the
    message, keeps what was typed, and holds the new version, so saving again replaces it."""
    seen = form.data.get(VERSION_FIELD, "")
    current = version_of(record)
    if not seen or seen == current:
        return True
    if isinstance(form.data, QueryDict):  # keeps every value of a many-valued field
        data = form.data.copy()
        data[VERSION_FIELD] = current
        form.data = data
    else:
        form.data = {**form.data, VERSION_FIELD: current}
    form.add_error(None, CHANGED_MEANWHILE)
    return False


def render_changed(
    request: HttpRequest,
    template: str,
    form: forms.BaseForm,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    return render(request, template, {"form": form, **(context or {})}, status=409)


def show_refusal(form: forms.BaseForm, problem: FieldError) -> None:
    """An action's refusal on the form: next to its field where the form has one, above the
    form otherwise."""
    form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def _attach(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Record numbers typed or posted -----------------------------------------------------------


def posted_id(value: object) -> int | None:
    """``value`` as a record number, or None when it cannot be one (not a whole number, or out
    of any database's range)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


class RecordsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A choice of several records that answers a number out of range as an invalid choice,
    where Django's own would let the database overflow."""

    def clean(self, value: Any) -> Any:
        for key in value if isinstance(value, list | tuple) else ():
            if posted_id(key) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super().clean(value)
