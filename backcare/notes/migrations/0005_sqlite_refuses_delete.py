"""SQLite refuses DELETE of a signed note or an addendum too (PostgreSQL has since migration
0002). The tests empty their SQLite database past these triggers (``tests/flush.py``); nothing
else may."""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    """
CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote
WHEN OLD.signed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed session note cannot be removed');
END;
""",
    """
CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_addendum
BEGIN
    SELECT RAISE(ABORT, 'a signed session note cannot be removed');
END;
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notes_signed_no_delete",
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",
]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notes", "0004_appointment_moved_to_booking")]
    operations = [migrations.RunPython(forward, backward)]
