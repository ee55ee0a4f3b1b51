"""The audit log's keyed hash chain: each row's hash is an HMAC-SHA256, under the audit key,
of the previous row's hash and the row's own content, so a row removed, changed or slipped in
afterwards breaks every link after it, and someone who can write the database but does not hold
the key cannot compute a link that checks out (a plain SHA-256 anyone could).

Plain Python, no Django: the model (``models.py``) links each row as it is written with the
current key, and ``backcare audit verify`` walks the chain with :func:`walk`. The key is never in
the database: :func:`chain_key` derives it from ``AUDIT_KEY`` (or ``SECRET_KEY``) with a fixed
label. Migration 0005 (plain SHA-256, before the key) and 0007 (keyed) repeat this inline, since
a migration is frozen: a change here must keep 0007 in step, or be a new version of the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

GENESIS = "0" * 64
"""The "previous hash" of the first row."""

CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "client_id",
    "changes",
    "ip",
)


def canonical(row: Mapping[str, Any]) -> bytes:
    """The row's content as the same bytes however the database hands it back: times in UTC to
    the microsecond, JSON with sorted keys, addresses in their shortest form."""
    at = row["at"]
    ip = row["ip"]
    content = {
        **{name: row[name] for name in CONTENT_FIELDS},
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "changes": json.loads(json.dumps(row["changes"])),
        "ip": str(ipaddress.ip_address(ip)) if ip else None,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


KEY_LABEL = b"backcare audit chain v1"
"""HKDF's context: the audit key is for this chain and nothing else derived from the secret."""


def chain_key(secret: str) -> bytes:
    """The 32-byte HMAC key of the chain, derived from a configured secret (``AUDIT_KEY``, or
    ``SECRET_KEY`` when that is not set) by HKDF-SHA256 with :data:`KEY_LABEL`."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        secret.encode()
    )


def link(key: bytes, prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of ``row`` following a row whose hash is ``prev_hash``, under ``key``."""
    message = prev_hash.encode() + b"\n" + canonical(row)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    row_id: int
    at: dt.datetime
    problem: str


@dataclass(frozen=True)
class Walk:
    checked: int
    """Rows checked, the broken one included."""
    broken: Break | None
    under_earlier_keys: int = 0
    """Rows, from the first, that check out under an earlier key than the current one."""


def walk(rows: Iterable[Mapping[str, Any]], keys: Sequence[bytes]) -> Walk:
    """Walk ``rows`` (oldest first, each with ``id``, ``prev_hash``, ``hash`` and the content
    fields) and find the first broken link, if any.

    ``keys`` are the audit keys the log was written with, oldest first, the current one last.
    The key only ever moves forward: once a row checks out under a key, no later row may check
    out under an earlier one, so an earlier key that leaked cannot add rows after a newer key's.
    """
    if not keys:
        raise ValueError("the chain needs at least its current key")
    expected_prev = GENESIS
    previous_id: int | None = None
    key_index = 0
    under_earlier_keys = 0
    count = 0
    for row in rows:
        count += 1
        if row["prev_hash"] != expected_prev:
            where = (
                "the first row does not start the chain: rows before it were removed"
                if previous_id is None
                else f"it does not follow row {previous_id}: a row between them was removed, "
                "or rows were slipped in or reordered"
            )
            return Walk(count, Break(row["id"], row["at"], where), under_earlier_keys)
        checked_under = next(
            (
                index
                for index in range(key_index, len(keys))
                if row["hash"] == link(keys[index], row["prev_hash"], row)
            ),
            None,
        )
        if checked_under is None:
            problem = (
                "its content was changed after it was written, or it was written without the "
                "audit key"
            )
            return Walk(count, Break(row["id"], row["at"], problem), under_earlier_keys)
        key_index = checked_under
        if key_index < len(keys) - 1:
            under_earlier_keys += 1
        expected_prev = row["hash"]
        previous_id = row["id"]
    return Walk(count, None, under_earlier_keys)
