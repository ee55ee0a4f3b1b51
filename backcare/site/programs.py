"""Program page parts both fronts use: a program loaded with what its pages show, and the
goals, techniques (with the screening's instruction for each) and positioning of its page."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from backcare.care.models import Program
from backcare.care.techniques import technique
from backcare.care.templates import load_templates
from backcare.site.screening import technique_rows


def load_program(program_id: int) -> Program:
    try:
        return Program.objects.select_related(
            "client", "therapist__user", "service", "screening"
        ).get(pk=program_id)
    except Program.DoesNotExist:
        raise Http404("No such record.") from None


load_program.kwarg = "program_id"  # type: ignore[attr-defined]


def program_context(program: Program) -> dict[str, Any]:
    screening_rows = {row["code"]: row for row in technique_rows(program.screening)}
    return {
        "program": program,
        "client": program.client,
        "goals": list(program.goals.all()),
        "techniques": [
            {
                "code": code,
                "entry": technique(code),
                "instruction": screening_rows.get(code, {}).get("instruction", ""),
                "verdict": screening_rows.get(code, {}).get("verdict", "ok"),
            }
            for code in program.techniques
        ],
        "positioning": ["Side-lying only" if p == "side_lying" else p for p in program.positioning],
        "template": _template_or_none(program.template),
    }


def _template_or_none(key: str) -> Any:
    try:
        return load_templates().get(key)
    except KeyError:
        return None
