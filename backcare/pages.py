"""Small helpers that keep views thin: render a form page, save through a named action."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


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
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a named action) and go to the saved object.

    Invalid input is shown again as typed, with each message next to its field and a 400
    status; nothing is saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, success)
            return redirect(saved)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


def _attach(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
