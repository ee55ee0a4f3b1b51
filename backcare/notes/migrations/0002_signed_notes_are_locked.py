"""The database itself refuses to change a signed note or an addendum (SPEC §7).

UPDATE of a signed note's row (and of any addendum) is refused on both databases. DELETE is
refused on PostgreSQL too; on SQLite it is left to the application guards, as for the audit
log (audit migration 0002), because Django's test-database flush empties tables with DELETE
there (PostgreSQL flushes with TRUNCATE, which these triggers do not see).

Signing is the one UPDATE of a note that these triggers let through: the row's old
``signed_at`` is still empty.
"""

from typing import Any

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION notes_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signed session note cannot be changed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes_sessionnote
    FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION notes_refuse_signed_change();
CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote
    FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION notes_refuse_signed_change();
CREATE TRIGGER notes_addendum_no_update BEFORE UPDATE ON notes_addendum
    FOR EACH ROW EXECUTE FUNCTION notes_refuse_signed_change();
CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_addendum
    FOR EACH ROW EXECUTE FUNCTION notes_refuse_signed_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS notes_signed_no_update ON notes_sessionnote;
DROP TRIGGER IF EXISTS notes_signed_no_delete ON notes_sessionnote;
DROP TRIGGER IF EXISTS notes_addendum_no_update ON notes_addendum;
DROP TRIGGER IF EXISTS notes_addendum_no_delete ON notes_addendum;
DROP FUNCTION IF EXISTS notes_refuse_signed_change();
"""
SQLITE_FORWARD = [
    """
CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes_sessionnote
WHEN OLD.signed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed session note cannot be changed');
END;
""",
    """
CREATE TRIGGER notes_addendum_no_update BEFORE UPDATE ON notes_addendum
BEGIN
    SELECT RAISE(ABORT, 'a signed session note cannot be changed');
END;
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notes_signed_no_update;",
    "DROP TRIGGER IF EXISTS notes_addendum_no_update;",
]


def forward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
