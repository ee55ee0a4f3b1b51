"""Screening page parts both fronts use: a screening's technique rows (the staff screening and
program pages, the client's program page) and the referral letter as a PDF download (staff, and
the client's own letter)."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.utils import timezone

from backcare.audit.log import record
from backcare.clinic.models import Client
from backcare.lib.techniques import TECHNIQUES
from backcare.policy import AuthenticatedRequest
from backcare.screening import actions
from backcare.screening import letter as letters
from backcare.screening.models import Screening


def technique_rows(screening: Screening) -> list[dict[str, str]]:
    instructions = screening.instructions
    return [
        {
            "code": code,
            "label": TECHNIQUES.get(code, code),
            "verdict": verdict,
            "instruction": instructions.get(code, ""),
        }
        for code, verdict in screening.techniques.items()
    ]


def letter_response(
    request: AuthenticatedRequest, client: Client, screening: Screening, purpose: str
) -> HttpResponse:
    therapist = request.user if hasattr(request.user, "therapist") else None
    letter = actions.referral_letter(
        client,
        screening,
        therapist=therapist,
        today=timezone.localdate(),
        purpose=cast(letters.Purpose, purpose),
    )
    record(request.user, "referral_letter.downloaded", screening, client=client)
    response = HttpResponse(letters.render_referral_letter(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{letters.referral_letter_filename(letter)}"'
    )
    return response
