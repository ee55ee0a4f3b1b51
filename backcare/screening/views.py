"""Safety screening over HTTP for staff: the same JSON in and out as ``backcare screen``."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.policy import Action, AuthenticatedRequest
from backcare.screening.cli import InputError, decode
from backcare.screening.rules import IntakeError, parse_intake, screen


@require_POST
@policy.requires(Action.SCREENING_CHECK)
def check(request: AuthenticatedRequest) -> JsonResponse:
    """Screen an intake posted as JSON (SPEC §3); bad input is a 400 naming the field."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return JsonResponse({"field": "body", "error": "body: not UTF-8 text"}, status=400)
    try:
        result = screen(parse_intake(decode("body", text)))
    except IntakeError as problem:
        return JsonResponse({"field": problem.field, "error": str(problem)}, status=400)
    except InputError as problem:
        return JsonResponse({"field": "body", "error": str(problem)}, status=400)
    return JsonResponse(result.to_json())
