"""Link the audit rows written before the hash chain existed, oldest first.

Frozen: the hashing is repeated here rather than imported from ``backcare/audit/chain.py``, so
this migration keeps doing what it did when the app changes. The update trigger of migration
0002 is set aside for the fill and put back at once.
"""

import datetime as dt
import hashlib
import ipaddress
import json
from typing import Any

from django.db import migrations

GENESIS = "0" * 64
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


def _link(prev_hash: str, row: dict[str, Any]) -> str:
    content = {
        **{name: row[name] for name in CONTENT_FIELDS},
        "at": row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "changes": json.loads(json.dumps(row["changes"])),
        "ip": str(ipaddress.ip_address(row["ip"])) if row["ip"] else None,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode() + b"\n" + text.encode()).hexdigest()


def fill(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    vendor = schema_editor.connection.vendor
    if not AuditEvent.objects.exists():
        return
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
    prev_hash = GENESIS
    rows = AuditEvent.objects.order_by("id").values("id", *CONTENT_FIELDS)
    with schema_editor.connection.cursor() as cursor:
        for row in rows.iterator(chunk_size=2000):
            row_hash = _link(prev_hash, row)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev_hash, row_hash, row["id"]],
            )
            prev_hash = row_hash
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UPDATE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_fields")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
