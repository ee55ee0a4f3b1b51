"""System tokens on the API: the connected systems of ``backcare.systems`` (SMART Backend
Services), each request checked against the one access policy (``policy.system_can``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from backcare import policy
from backcare.systems.tokens import BearerRefused, SystemAccess, authenticate_bearer

Access = Literal["read", "write"]


class SystemToken(HttpBearer):
    """``Authorization: Bearer <token>`` of a connected system whose granted scopes cover
    ``resource_type`` (a FHIR resource type, as the scopes name them) for ``access``.

    No token or a token that does not work: 401. A working token without the scope: 403.
    Every use of a working token is audited by ``authenticate_bearer``."""

    def __init__(self, resource_type: str, access: Access = "read") -> None:
        super().__init__()
        self.resource_type = resource_type
        self.access = access

    @property
    def access_action(self) -> str:
        """How the access matrix names what this door asks."""
        return f"system:{self.resource_type}.{self.access}"

    def __call__(self, request: HttpRequest) -> SystemAccess | None:
        try:
            system = authenticate_bearer(request)
        except BearerRefused:
            raise AuthenticationError() from None
        if system is None:
            return None
        if not policy.system_can(system, self.resource_type, write=self.access == "write"):
            raise AuthorizationError()
        return system

    def authenticate(self, request: HttpRequest, token: str) -> SystemAccess | None:
        raise NotImplementedError  # __call__ does the whole check


def system_of(request: HttpRequest) -> SystemAccess:
    """The system signed in by its token (the view is guarded by :class:`SystemToken`)."""
    system = getattr(request, "auth", None)
    if not isinstance(system, SystemAccess):
        raise AuthenticationError()
    return system
