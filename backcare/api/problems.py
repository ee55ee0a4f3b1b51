"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal of the API is one JSON object: ``type`` (a URI that names the kind of problem),
``title`` (the kind in words), ``status`` (the HTTP status), ``detail`` (this occurrence in
words) and, for bad input, ``errors``: each wrong field with its message, the field named as
the request named it (``starts``, ``service_id``). docs/interop.md lists the types.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from backcare.lib.errors import FieldError

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:backcare,2026:problem:"


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem details object."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = []


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str = "",
    title: str = "",
    errors: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The problem-details answer. ``kind`` names a problem of Backcare's own (``slot-taken``);
    without it the type is ``about:blank`` and the title the HTTP status's phrase."""
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": message} for field, message in errors],
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_of(location: Iterable[Any]) -> str:
    """A pydantic error location (``("body", "payload", "starts")``) as the field's name."""
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [(_field_of(error.get("loc", ())), str(error.get("msg", ""))) for error in exc.errors]
    names = ", ".join(dict.fromkeys(field for field, _ in errors))
    return problem_response(
        422,
        f"Please check {names}." if names else "Please check the request.",
        kind="invalid-request",
        title="The request has a wrong or missing value",
        errors=errors,
    )


# The named actions name a record by its model ("therapist"); the API by its id field.
_API_FIELDS = {
    name: f"{name}_id" for name in ("client", "service", "therapist", "location", "room")
}
# Refusals of the named actions, by class name (most specific first): status, type, title.
_REFUSALS: tuple[tuple[str, int, str, str], ...] = (
    ("ClientHeld", 409, "client-held", "The client's care is on hold"),
    ("SlotTaken", 409, "slot-taken", "That time is taken"),
    ("ClientAlreadyBooked", 409, "client-busy", "The client has another appointment then"),
    ("SlotUnavailable", 409, "slot-unavailable", "That time cannot be booked"),
    ("CalendarBusy", 503, "calendar-busy", "The calendar is busy"),
)


def _refusal(exc: FieldError) -> tuple[int, str, str]:
    names = {cls.__name__ for cls in type(exc).__mro__}
    for name, status, kind, title in _REFUSALS:
        if name in names:
            return status, kind, title
    return (
        getattr(exc, "problem_status", 409),
        getattr(exc, "problem_kind", "") or "refused",
        getattr(exc, "problem_title", "") or "The clinic's rules refused this request",
    )


def _field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
    """A named action refused the request: its message names what to change."""
    status, kind, title = _refusal(exc)
    field = _API_FIELDS.get(exc.field, exc.field)
    return problem_response(
        status, exc.message, kind=kind, title=title, errors=[(field, exc.message)]
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, "There is no such record.")


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="backcare"'
        detail = "This needs a system access token (Authorization: Bearer …)."
    elif isinstance(exc, AuthorizationError):
        detail = "This system's token does not allow this."
    elif isinstance(exc, Throttled):
        headers["Retry-After"] = "60"
        detail = "Too many requests from this address. Please wait a minute and try again."
    else:
        detail = str(exc.message) if hasattr(exc, "message") else str(exc)
    return problem_response(exc.status_code, detail, headers=headers)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return problem_response(500, "Something went wrong on our side. Nothing was changed.")


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` as problem details."""
    api.add_exception_handler(NinjaValidationError, cast(Any, _validation))
    api.add_exception_handler(FieldError, cast(Any, _field_error))
    api.add_exception_handler(Http404, cast(Any, _not_found))
    api.add_exception_handler(HttpError, cast(Any, _http_error))
    api.add_exception_handler(Exception, cast(Any, _server_error))


def _django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    """A model's own validation (``full_clean``) refused a value."""
    errors = [
        (field if field != "__all__" else "request", message)
        for field, messages in getattr(exc, "message_dict", {"request": exc.messages}).items()
        for message in messages
    ]
    return problem_response(
        422,
        " ".join(message for _, message in errors),
        kind="invalid-request",
        title="The request has a wrong or missing value",
        errors=errors,
    )


def install_model_validation(api: NinjaAPI) -> None:
    from django.core.exceptions import ValidationError

    api.add_exception_handler(ValidationError, cast(Any, _django_validation))
