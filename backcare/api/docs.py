"""The API's documentation page (``/api/v1/docs``): every operation of the OpenAPI document,
rendered on the server in Backcare's own page style, readable by keyboard and screen reader
(the interactive Swagger UI that django-ninja ships fails the accessibility sweep). Tools read
the same description as JSON at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation as the page lists it: method, path, summary, parameters, request body."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": operation.get("operationId", f"{method}-{path}"),
                    "summary": operation.get("summary") or "",
                    "description": operation.get("description") or "",
                    "tags": operation.get("tags") or [],
                    "token": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": parameter.get("name", ""),
                            "where": parameter.get("in", ""),
                            "required": bool(parameter.get("required")),
                            "description": parameter.get("description")
                            or parameter.get("schema", {}).get("title", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": "requestBody" in operation,
                    "answers": sorted(operation.get("responses", {})),
                }
            )
    return found


class ServerRenderedDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "api/docs.html",
            {
                "title": schema["info"]["title"],
                "description": schema["info"].get("description", ""),
                "openapi_url": self.get_openapi_url(api, kwargs),
                "operations": _operations(dict(schema)),
            },
        )
