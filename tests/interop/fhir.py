"""Helpers for the FHIR tests: validating resources and following their references."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def validate(resource: dict[str, Any]) -> None:
    """Raise unless the resource is a valid FHIR resource of its type (the R4B models)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def references(value: Any) -> Iterator[str]:
    """Every ``reference`` in a resource, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference" and isinstance(inner, str):
                yield inner
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def unresolved(resources: Iterable[dict[str, Any]]) -> list[str]:
    """The references that name no resource among these."""
    resources = list(resources)
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    return sorted({ref for r in resources for ref in references(r) if ref not in present})
