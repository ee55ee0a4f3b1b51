"""Backcare's REST API, version 1, at ``/api/v1/``: its OpenAPI 3 document at
``/api/v1/openapi.json`` and its documentation page at ``/api/v1/docs``."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from backcare.api import problems, public, records
from backcare.api.auth import SystemToken
from backcare.api.docs import ServerRenderedDocs


class BackcareAPI(NinjaAPI):
    """A NinjaAPI whose errors are problem details, in the document as in the answers, and
    whose every URL tells the access matrix which door it is.

    The document is built once per process and address (it depends only on the code): building
    it walks every schema and took about 150 ms a request."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._schemas: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        key = repr(sorted(kwargs.items()))
        if key not in self._schemas:
            self._schemas[key] = self._build_openapi_schema(**kwargs)
        return self._schemas[key]

    def _build_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        doors: dict[str, str] = {}
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    name = getattr(operation, "url_name", "") or operation.view_func.__name__
                    tokens = [a for a in operation.auth_callbacks if isinstance(a, SystemToken)]
                    doors[name] = tokens[0].access_action if tokens else "public"
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback.access_action = doors.get(pattern.name or "", "public")  # type: ignore[attr-defined]
        return patterns


api = BackcareAPI(
    title="Backcare API",
    version="1",
    description=(
        "The clinic's services and free times (public, for the website booking widget), and "
        "for connected systems with an access token: clients, appointments (book, move, "
        "cancel, under the clinic's booking rules and clinical holds), programs and outcomes. "
        "Errors are RFC 9457 problem details (application/problem+json)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    docs=ServerRenderedDocs(),
    openapi_url="/openapi.json",
)
problems.install(api)
problems.install_model_validation(api)
api.add_router("/public", public.router)
api.add_router("", records.router)
