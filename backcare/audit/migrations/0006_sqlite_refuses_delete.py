"""SQLite refuses DELETE of audit rows too (PostgreSQL has since migration 0002).

The update trigger is put in place again as well: SQLite rebuilds a table for some schema
changes, and a rebuilt table has lost its triggers. The tests empty their SQLite database past
these triggers (``tests/flush.py``); nothing else may.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
""",
    """
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_no_delete"]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_fill_chain")]
    operations = [migrations.RunPython(forward, backward)]
