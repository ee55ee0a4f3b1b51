"""The audit log's hash chain: each row's hash covers the previous row's hash and the row's own
content, so a row removed, changed or slipped in afterwards breaks every link after it.

Plain Python, no Django: the model (``models.py``) links each row as it is written, and
``backcare audit verify`` walks the chain with :func:`first_break`. Migration 0005 repeats this
hashing inline (a migration is frozen) to link the rows written before the chain existed: a change
here must keep that one in step, or be a new version of the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def link(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of ``row`` following a row whose hash is ``prev_hash``."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    row_id: int
    at: dt.datetime
    problem: str


def first_break(rows: Iterable[Mapping[str, Any]]) -> tuple[int, Break | None]:
    """Walk ``rows`` (oldest first, each with ``id``, ``prev_hash``, ``hash`` and the content
    fields) and return how many were checked and the first broken link, if any."""
    expected_prev = GENESIS
    previous_id: int | None = None
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
            return count, Break(row["id"], row["at"], where)
        if row["hash"] != link(row["prev_hash"], row):
            changed = "its content was changed after it was written"
            return count, Break(row["id"], row["at"], changed)
        expected_prev = row["hash"]
        previous_id = row["id"]
    return count, None
