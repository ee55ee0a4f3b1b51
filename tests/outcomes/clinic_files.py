"""Made-up instrument files of the kind a clinic drops in (no licensed item text)."""

from __future__ import annotations

from typing import Any

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


def integer_item(
    link_id: str, low: int = 0, high: int = 5, *, required: bool = True
) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "text": f"Made-up test item {link_id}",
        "type": "integer",
        "required": required,
        "extension": [
            {"url": MIN_VALUE, "valueInteger": low},
            {"url": MAX_VALUE, "valueInteger": high},
        ],
    }


def boolean_item(link_id: str) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "text": f"Made-up yes/no item {link_id}",
        "type": "boolean",
        "required": True,
    }


def questionnaire(instrument_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": instrument_id,
        "url": f"https://clinic.example/fhir/Questionnaire/{instrument_id}",
        "name": instrument_id.replace("-", "_"),
        "title": f"Clinic instrument {instrument_id}",
        "status": "active",
        "item": items,
    }
