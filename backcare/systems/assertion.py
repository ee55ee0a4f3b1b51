"""Checking a SMART Backend Services client assertion (a signed JWT), as plain code (no Django).

The client signs a short JWT with its private key; the clinic holds only the public key, as a
JWK Set the owner pasted when registering the system. The checks follow the HL7 SMART App Launch
"Backend Services" page (hl7.org/fhir/smart-app-launch/backend-services.html): RS384 or ES384,
``iss`` and ``sub`` both the client id, ``aud`` the token endpoint's URL, ``exp`` no more than
five minutes ahead, and a ``jti`` (whose single use the caller keeps in the database).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHMS = ("RS384", "ES384")
MAX_LIFETIME = dt.timedelta(minutes=5)
LEEWAY = dt.timedelta(seconds=30)  # clocks of two servers differ a little


class AssertionRejected(ValueError):
    """The assertion does not prove who the client is; the message says why, for the client."""


class JwksInvalid(ValueError):
    """A pasted JWK Set that cannot serve to check signatures; the message says why."""


@dataclass(frozen=True)
class Claims:
    client_id: str
    jti: str
    expires: dt.datetime


def unverified_client_id(assertion: str) -> str:
    """The ``iss`` of an assertion, read before its signature is checked (to find the key)."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AssertionRejected("The client assertion is not a JWT.") from error
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise AssertionRejected("The client assertion names no issuer (iss).")
    return issuer


def check_jwks(text: str) -> dict[str, Any]:
    """Parse and check a JWK Set of public keys for RS384 or ES384; return it as JSON data."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise JwksInvalid("The key set is not JSON: paste the JWK Set, starting with {.") from error
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise JwksInvalid('The key set needs a "keys" list with at least one key.')
    for key in keys:
        if not isinstance(key, dict):
            raise JwksInvalid("Each key in the set must be a JSON object.")
        if "d" in key:
            raise JwksInvalid(
                "This is a private key. Paste the public key only: the private one stays with "
                "the other system."
            )
        if key.get("kty") not in ("RSA", "EC"):
            raise JwksInvalid("Each key must be an RSA or EC key (kty RSA or EC).")
        if key.get("alg") is not None and key["alg"] not in ALGORITHMS:
            raise JwksInvalid(f"Keys must be for RS384 or ES384, not {key['alg']}.")
        try:
            jwt.PyJWK(key, algorithm=key.get("alg") or _default_alg(key))
        except jwt.PyJWTError as error:
            raise JwksInvalid(f"A key in the set cannot be read: {error}.") from error
    return dict(data)


def _default_alg(key: dict[str, Any]) -> str:
    return "RS384" if key.get("kty") == "RSA" else "ES384"


def _candidate_keys(jwks: dict[str, Any], kid: str | None, alg: str) -> list[Any]:
    found = []
    for key in jwks.get("keys", []):
        if kid is not None and key.get("kid") not in (None, kid):
            continue
        if key.get("alg") not in (None, alg) or _default_alg(key) != alg:
            continue
        found.append(jwt.PyJWK(key, algorithm=alg).key)
    return found


def verify(assertion: str, *, jwks: dict[str, Any], audience: str, now: dt.datetime) -> Claims:
    """Check the assertion's signature against the key set and its claims; raise
    :class:`AssertionRejected` naming the first problem."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as error:
        raise AssertionRejected("The client assertion is not a JWT.") from error
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise AssertionRejected("The client assertion must be signed with RS384 or ES384.")
    kid = header.get("kid")
    keys = _candidate_keys(jwks, kid if isinstance(kid, str) else None, alg)
    if not keys:
        raise AssertionRejected("No registered key of this client matches the assertion's kid.")
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=[alg],
                audience=audience,
                options={"require": ["iss", "sub", "aud", "exp", "jti"], "verify_exp": False},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError as error:
            raise AssertionRejected(f"The assertion's aud must be {audience}.") from error
        except jwt.MissingRequiredClaimError as error:
            raise AssertionRejected(f"The assertion has no {error.claim} claim.") from error
        except jwt.PyJWTError as error:
            raise AssertionRejected(f"The client assertion cannot be read: {error}.") from error
    if claims is None:
        raise AssertionRejected("The assertion's signature does not match the registered key.")
    if claims["iss"] != claims["sub"]:
        raise AssertionRejected("The assertion's iss and sub must both be the client id.")
    exp = claims["exp"]
    if not isinstance(exp, int | float):
        raise AssertionRejected("The assertion's exp must be a number of seconds.")
    expires = dt.datetime.fromtimestamp(exp, tz=dt.UTC)
    if expires < now - LEEWAY:
        raise AssertionRejected("The client assertion has expired.")
    if expires > now + MAX_LIFETIME + LEEWAY:
        raise AssertionRejected("The assertion's exp may be at most five minutes ahead.")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise AssertionRejected("The assertion's jti must be a string of at most 200 characters.")
    return Claims(client_id=str(claims["iss"]), jti=jti, expires=expires)
