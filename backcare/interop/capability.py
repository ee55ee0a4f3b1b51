"""The CapabilityStatement: exactly what this server serves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from backcare.interop.kinds import KINDS

_SEARCH_PARAMS = {
    "patient": ("reference", "The client (Patient/{id} or the id)"),
    "date": ("date", "When it happened: eq, ge, gt, le, lt"),
    "_lastUpdated": ("date", "When it last changed: eq, ge, gt, le, lt"),
    "_count": ("number", "Entries a page (at most 500)"),
}


def capability_statement(base: str, now: dt.datetime) -> dict[str, Any]:
    resources = []
    for name, kind in KINDS.items():
        params = ["_lastUpdated", "_count"] if kind.tracks_changes else ["_count"]
        if kind.about_clients:
            params.insert(0, "patient")
        if any(source.date_path for source in kind.sources):
            params.insert(0, "date")
        entry: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": p, "type": _SEARCH_PARAMS[p][0], "documentation": _SEARCH_PARAMS[p][1]}
                for p in params
            ],
        }
        if name == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                },
                {
                    "name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
                },
            ]
        resources.append(entry)
    resources.append({"type": "Binary", "interaction": [{"code": "read"}]})
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now.date().isoformat(),
        "publisher": settings.CLINIC_NAME,
        "kind": "instance",
        "software": {"name": "Backcare"},
        "implementation": {"description": f"{settings.CLINIC_NAME} FHIR server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "instantiates": ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only. Connected systems sign in with SMART Backend "
                "Services; staff with their session.",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [
                                {
                                    "url": "token",
                                    "valueUri": f"{settings.SITE_URL.rstrip('/')}/auth/token",
                                }
                            ],
                        }
                    ],
                },
                "resource": resources,
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    }
                ],
            }
        ],
    }


def smart_configuration() -> dict[str, Any]:
    """``/.well-known/smart-configuration`` for SMART Backend Services (SMART App Launch 2)."""
    return {
        "token_endpoint": f"{settings.SITE_URL.rstrip('/')}/auth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "scopes_supported": ["system/*.read", *(f"system/{name}.read" for name in KINDS)],
        "capabilities": ["client-confidential-asymmetric"],
    }
