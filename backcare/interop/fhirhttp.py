"""FHIR over HTTP: the JSON answers, OperationOutcome errors, search parameters and the one
gate every FHIR view passes (a system's bearer token, or a staff session)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from backcare import policy
from backcare.audit.log import record_each
from backcare.clinic.models import Client
from backcare.interop.kinds import Comparison
from backcare.interop.reading import Reader, WebReader
from backcare.policy import Action
from backcare.systems.tokens import BearerRefused, SystemAccess, authenticate_bearer

FHIR_JSON = "application/fhir+json"


class BadParameter(ValueError):
    """A search parameter that cannot be read; the message names it."""


def fhir_response(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    410: "deleted",
}


def outcome(status: int, message: str, **headers: str) -> HttpResponse:
    return fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": _ISSUE_CODES.get(status, "processing"),
                    "diagnostics": message,
                }
            ],
        },
        status,
        **headers,
    )


def audit_read(reader: Reader, action: str, client_id: int | None, what: str) -> None:
    """One audit row for a read of a client's record through FHIR (as a page is audited)."""
    audit_reads(reader, action, [client_id], what)


def audit_reads(reader: Reader, action: str, client_ids: Iterable[int | None], what: str) -> None:
    """One audit row for each client whose record one FHIR read showed, written together."""
    clients = [Client(pk=client_id) if client_id is not None else None for client_id in client_ids]
    changes = {"resource": {"after": what}}
    if isinstance(reader, SystemAccess):
        record_each(None, action, clients, changes=changes, actor_email=reader.audit_name)
    else:
        record_each(reader, action, clients, changes=changes)


FhirView = Callable[..., HttpResponseBase]


def fhir_endpoint(view: FhirView) -> FhirView:
    """The gate of every FHIR view: a bearer token names a connected system (read by its
    scopes); otherwise a signed-in staff member reads as the access policy lets them. Nobody
    else: 401 with a ``WWW-Authenticate`` challenge, never a sign-in page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            system = authenticate_bearer(request)
        except BearerRefused as refused:
            return outcome(401, str(refused), WWW_Authenticate='Bearer error="invalid_token"')
        reader: WebReader
        if system is not None:
            reader = system
        elif request.user.is_authenticated:
            if not policy.can(request.user, Action.FHIR_READ):
                return outcome(403, "The FHIR server is for clinic staff and connected systems.")
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
                    request, view, (), {}
                )
                if rejected is not None:
                    return outcome(403, "A signed-in browser must send the CSRF token.")
            reader = request.user
        else:
            return outcome(
                401,
                "Sign in, or send an access token (SMART Backend Services).",
                WWW_Authenticate="Bearer",
            )
        return view(request, reader, *args, **kwargs)

    exempt = csrf_exempt(wrapped)
    exempt.access_action = Action.FHIR_READ  # type: ignore[attr-defined]
    return exempt


def parse_when(name: str, text: str) -> list[Comparison]:
    """A date search value (``ge2025-01-01``, ``lt2025-03-01T12:00:00Z``) as comparisons."""
    op = text[:2] if text[:2].isalpha() else "eq"
    value = text[2:] if text[:2].isalpha() else text
    if op not in ("eq", "ge", "gt", "le", "lt"):
        raise BadParameter(f"{name}: the prefix {op} is not supported (use eq, ge, gt, le or lt).")
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            end = start + dt.timedelta(days=1)
            return {
                "eq": [("ge", start), ("lt", end)],
                "ge": [("ge", start)],
                "gt": [("ge", end)],
                "le": [("lt", end)],
                "lt": [("lt", start)],
            }[op]
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"{name}: “{value}” is not a date (YYYY-MM-DD) or a date and time with its zone."
        ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return [(op, when)]


def parse_instant(name: str, text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"{name}: “{text}” is not an ISO date and time, e.g. 2025-01-31T00:00:00Z."
        ) from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when
