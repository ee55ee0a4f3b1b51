"""SMART system scopes, as plain data (no Django).

A connected system reads only. It asks for scopes such as ``system/Patient.read`` or
``system/*.read`` (SMART App Launch 1) or ``system/Observation.rs`` (SMART 2: read and search);
the server grants those of them that the owner allowed. Anything that would write (``.write``,
``.*``, ``c``/``u``/``d``) is never granted: Backcare's FHIR server is read-only.

Source: HL7 SMART App Launch, "Scopes and Launch Context"
(hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SCOPE = re.compile(r"^system/(?P<type>\*|[A-Z][A-Za-z]+)\.(?P<access>read|rs|r|s)$")
# The one write a system may be allowed: booking, moving and cancelling appointments through
# the REST API, by the same named actions as the staff pages (every booking rule and the
# clinical hold apply). Never a wildcard: the owner allows it by name.
WRITE_SCOPES = frozenset({"system/Appointment.write"})


class ScopeError(ValueError):
    """A scope that is not a read-only SMART system scope."""


def parse(text: str) -> list[str]:
    """The scopes in a space-separated list, in order and without repeats; raises
    :class:`ScopeError` naming the first one that is not a read-only system scope."""
    scopes: list[str] = []
    for scope in text.split():
        if not _SCOPE.match(scope) and scope not in WRITE_SCOPES:
            raise ScopeError(
                f"“{scope}” is not a read-only system scope. Use for example "
                "system/*.read or system/Patient.read."
            )
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def is_read_scope(scope: str) -> bool:
    return _SCOPE.match(scope) is not None


def grant(requested: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The requested scopes that the allowed ones cover. ``system/*.read`` allowed covers any
    resource type asked for; a scope asked for but not allowed is left out."""
    allowed = list(allowed)
    allowed_list = [scope for scope in allowed if is_read_scope(scope)]
    allowed_writes = {scope for scope in allowed if scope in WRITE_SCOPES}
    granted: list[str] = []
    for scope in requested:
        if scope in WRITE_SCOPES and scope in allowed_writes and scope not in granted:
            granted.append(scope)
            continue
        match = _SCOPE.match(scope)
        if match is None or scope in granted:
            continue
        if any(_covers(wide, match["type"]) for wide in allowed_list):
            granted.append(scope)
    return granted


def _covers(scope: str, resource_type: str) -> bool:
    match = _SCOPE.match(scope)
    if match is None:
        return False
    return match["type"] in ("*", resource_type)


def may_read(scopes: Iterable[str], resource_type: str) -> bool:
    """Do these granted scopes let a system read (and search) this resource type?"""
    return any(_covers(scope, resource_type) for scope in scopes)


def may_write(scopes: Iterable[str], resource_type: str) -> bool:
    """Do these granted scopes let a system write this resource type (appointments only)?"""
    return f"system/{resource_type}.write" in WRITE_SCOPES & set(scopes)
