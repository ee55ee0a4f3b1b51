"""Named actions for connected systems: registering and revoking one (the owner), and issuing a
token for a client assertion (the token endpoint). Each is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.systems import assertion, scopes
from backcare.systems.models import AccessToken, SystemClient, UsedAssertion

TOKEN_LIFETIME = dt.timedelta(minutes=5)  # SMART Backend Services: at most five minutes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def system_actor(system: SystemClient) -> str:
    """How a system is named in the audit log (it has no login of its own)."""
    return f"{system.name} (system {system.client_id})"


class TokenRefused(Exception):
    """An OAuth2 error: ``error`` is its code (``invalid_client`` …), the message its
    description."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class IssuedToken:
    token: str
    scopes: list[str]
    expires_in: int


@transaction.atomic
def register_system(
    actor: User, *, name: str, jwks: dict[str, Any], allowed_scopes: list[str]
) -> SystemClient:
    """Register a system with its public keys; its client id is made here, unguessable."""
    system = SystemClient(
        name=name,
        client_id=f"backcare-{secrets.token_urlsafe(12)}",
        jwks=jwks,
        scopes=" ".join(allowed_scopes),
        created_by=actor,
    )
    system.full_clean()
    system.save(force_insert=True)
    record(
        actor,
        "system_client.registered",
        system,
        changes={"client_id": {"after": system.client_id}, "scopes": {"after": system.scopes}},
    )
    return system


@transaction.atomic
def revoke_system(actor: User, system: SystemClient, *, now: dt.datetime) -> None:
    """The system can no longer get tokens, and the tokens it holds stop working at once."""
    if system.revoked_at is not None:
        return
    system.revoked_at = now
    system.save(update_fields=["revoked_at"])
    record(
        actor,
        "system_client.revoked",
        system,
        changes={"revoked_at": {"before": None, "after": now.isoformat()}},
    )


def _refuse(system: SystemClient | None, error: str, reason: str, client_id: str = "") -> None:
    record(
        None,
        "system_token.refused",
        system,
        changes={"error": {"after": error}, "reason": {"after": reason}},
        actor_email=system_actor(system) if system is not None else f"client id {client_id}"[:254],
    )


def issue_token(
    *,
    grant_type: str,
    assertion_type: str,
    client_assertion: str,
    requested_scope: str,
    audience: str,
    now: dt.datetime,
) -> IssuedToken:
    """Check a client_credentials request with a JWT client assertion and issue a token for
    the granted scopes; raise :class:`TokenRefused` otherwise (the refusal is audited)."""
    if grant_type != "client_credentials":
        raise TokenRefused("unsupported_grant_type", "Only grant_type=client_credentials.")
    if assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
        raise TokenRefused(
            "invalid_request",
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
        )
    if not client_assertion:
        raise TokenRefused("invalid_request", "client_assertion is missing.")
    try:
        client_id = assertion.unverified_client_id(client_assertion)
    except assertion.AssertionRejected as error:
        raise TokenRefused("invalid_client", str(error)) from None
    system = SystemClient.objects.filter(client_id=client_id).first()
    if system is None:
        _refuse(None, "invalid_client", "unknown client id", client_id)
        raise TokenRefused("invalid_client", "No system is registered with this client id.")
    if system.revoked_at is not None:
        _refuse(system, "invalid_client", "disconnected")
        raise TokenRefused("invalid_client", "This system has been disconnected by the clinic.")
    try:
        claims = assertion.verify(client_assertion, jwks=system.jwks, audience=audience, now=now)
    except assertion.AssertionRejected as error:
        _refuse(system, "invalid_client", str(error))
        raise TokenRefused("invalid_client", str(error)) from None
    requested = requested_scope.split()
    if not requested:
        raise TokenRefused("invalid_scope", "Ask for at least one scope, e.g. system/*.read.")
    granted = scopes.grant(requested, system.scope_list)
    if not granted:
        _refuse(system, "invalid_scope", requested_scope[:200])
        raise TokenRefused(
            "invalid_scope", "None of the scopes asked for is allowed for this system."
        )
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            UsedAssertion.objects.filter(expires_at__lt=now - assertion.LEEWAY).delete()
            UsedAssertion.objects.create(system=system, jti=claims.jti, expires_at=claims.expires)
            stored = AccessToken.objects.create(
                system=system,
                token_hash=hash_token(token),
                scopes=" ".join(granted),
                issued_at=now,
                expires_at=now + TOKEN_LIFETIME,
            )
            record(
                None,
                "system_token.issued",
                stored,
                changes={
                    "scopes": {"after": stored.scopes},
                    "expires_at": {"after": stored.expires_at.isoformat()},
                },
                actor_email=system_actor(system),
            )
    except IntegrityError:
        _refuse(system, "invalid_client", "assertion replayed")
        raise TokenRefused(
            "invalid_client", "This client assertion (jti) has been used already."
        ) from None
    return IssuedToken(token, granted, int(TOKEN_LIFETIME.total_seconds()))
