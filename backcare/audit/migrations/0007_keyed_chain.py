"""Link the audit rows again, under the audit key: HMAC-SHA256 instead of plain SHA-256.

A plain SHA-256 link can be computed by anyone who can write the database, so a forged row
passed ``backcare audit verify``. From here every link is an HMAC under a key derived from
``AUDIT_KEY`` (or ``SECRET_KEY``) that is not in the database. The rows written before are linked
again under the key, oldest first, each only after its plain link has been checked: the chain is
re-keyed up to the first row that was already broken and no further, so tampering done before
this migration is still reported by ``verify`` at that row, never laundered.

Frozen: the hashing is repeated here rather than imported from ``backcare/audit/chain.py``. The
update trigger is set aside for the re-linking and put back in the same transaction; on
PostgreSQL the chain's advisory lock keeps writers out meanwhile.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64
CHAIN_LOCK = 0x6261636B63617265
KEY_LABEL = b"backcare audit chain v1"
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
SQLITE_UPDATE_TRIGGER = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""

Link = Callable[[str, dict[str, Any]], str]


def _message(prev_hash: str, row: dict[str, Any]) -> bytes:
    content = {
        **{name: row[name] for name in CONTENT_FIELDS},
        "at": row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "changes": json.loads(json.dumps(row["changes"])),
        "ip": str(ipaddress.ip_address(row["ip"])) if row["ip"] else None,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return prev_hash.encode() + b"\n" + text.encode()


def _plain(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(_message(prev_hash, row)).hexdigest()


def _keyed() -> Link:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        settings.AUDIT_KEY.encode()
    )

    def link(prev_hash: str, row: dict[str, Any]) -> str:
        return hmac.new(key, _message(prev_hash, row), hashlib.sha256).hexdigest()

    return link


def _relink(apps: Any, schema_editor: Any, was: Link, becomes: Link) -> None:
    """Check each row's link under ``was`` and write it again under ``becomes``, up to the first
    row that does not check out. That row keeps its hash (so ``verify`` still names it) and is
    only linked to the row before it, when it was linked to it before."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    connection = schema_editor.connection
    vendor = connection.vendor
    if not AuditEvent.objects.exists():
        return
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
    old_prev, new_prev = GENESIS, GENESIS
    rows = AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", *CONTENT_FIELDS)
    with connection.cursor() as cursor:
        for row in rows.iterator(chunk_size=2000):
            linked = row["prev_hash"] == old_prev
            if not linked or row["hash"] != was(old_prev, row):
                if linked:
                    cursor.execute(
                        "UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s",
                        [new_prev, row["id"]],
                    )
                break
            new_hash = becomes(new_prev, row)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [new_prev, new_hash, row["id"]],
            )
            old_prev, new_prev = row["hash"], new_hash
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UPDATE_TRIGGER)


def forward(apps: Any, schema_editor: Any) -> None:
    _relink(apps, schema_editor, was=_plain, becomes=_keyed())


def backward(apps: Any, schema_editor: Any) -> None:
    _relink(apps, schema_editor, was=_keyed(), becomes=_plain)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_sqlite_refuses_delete")]
    operations = [migrations.RunPython(forward, backward)]
