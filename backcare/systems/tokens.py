"""The one way a request made by a connected system is recognised, shared by the FHIR server
and the REST API: :func:`authenticate_bearer`; and the address systems ask for tokens at."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from backcare.audit.log import record
from backcare.systems import scopes as smart_scopes
from backcare.systems.actions import hash_token, system_actor
from backcare.systems.models import AccessToken


def token_url() -> str:
    """The token endpoint's address (``api/token.py``): the ``aud`` every client assertion must
    name, and what the owner's page of connected systems tells the other system."""
    return urljoin(settings.SITE_URL, reverse("systems:token"))


class BearerRefused(Exception):
    """A bearer token was sent but does not work (unknown, expired, or its system was
    disconnected): answer 401 with ``WWW-Authenticate: Bearer error="invalid_token"``."""


@dataclass(frozen=True)
class SystemAccess:
    """A connected system, signed in by its token for this request. Read-only; the granted
    scopes say which resource types it reads (``policy.system_can``)."""

    system_id: int
    client_id: str
    name: str
    scopes: frozenset[str]
    token_id: int

    @property
    def audit_name(self) -> str:
        return f"{self.name} (system {self.client_id})"

    def may_read(self, resource_type: str) -> bool:
        return smart_scopes.may_read(self.scopes, resource_type)

    def may_write(self, resource_type: str) -> bool:
        return smart_scopes.may_write(self.scopes, resource_type)


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def authenticate_bearer(request: HttpRequest) -> SystemAccess | None:
    """The system whose token this request carries; None when it carries no bearer token.

    Raises :class:`BearerRefused` for a token that does not work. Every use of a working token
    is audited (the method and path), so the owner's log shows what each system read."""
    token = bearer_token(request)
    if token is None:
        return None
    found = (
        AccessToken.objects.select_related("system")
        .filter(
            token_hash=hash_token(token),
            expires_at__gt=timezone.now(),
            system__revoked_at__isnull=True,
        )
        .first()
        if token
        else None
    )
    if found is None:
        raise BearerRefused("The access token is unknown, expired or revoked.")
    record(
        None,
        "system_token.used",
        found,
        changes={"method": {"after": request.method}, "path": {"after": request.path[:300]}},
        actor_email=system_actor(found.system),
    )
    return SystemAccess(
        system_id=found.system_id,
        client_id=found.system.client_id,
        name=found.system.name,
        scopes=frozenset(found.scopes.split()),
        token_id=found.pk,
    )
