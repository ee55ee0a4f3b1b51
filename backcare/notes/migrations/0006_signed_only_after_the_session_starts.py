"""The database refuses a session note signed before its session starts, on both databases
(the signing action says so in words first: "This session hasn't started yet")."""

from django.db import migrations

from backcare.vendor_sql import run_sql_by_vendor

MESSAGE = "a session note cannot be signed before its session starts"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION notes_refuse_early_signature() RETURNS trigger AS $$
BEGIN
    IF NEW.signed_at < (SELECT starts FROM scheduling_appointment WHERE id = NEW.appointment_id)
    THEN
        RAISE EXCEPTION '{MESSAGE}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_signed_after_start BEFORE INSERT OR UPDATE ON notes_sessionnote
    FOR EACH ROW WHEN (NEW.signed_at IS NOT NULL)
    EXECUTE FUNCTION notes_refuse_early_signature();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS notes_signed_after_start ON notes_sessionnote;
DROP FUNCTION IF EXISTS notes_refuse_early_signature();
"""
# SQLite keeps both times as UTC text of one format, which sorts as the times do.
SQLITE_FORWARD = [
    f"""
CREATE TRIGGER notes_signed_after_start_{event.lower()} BEFORE {event} ON notes_sessionnote
WHEN NEW.signed_at IS NOT NULL
    AND NEW.signed_at < (SELECT starts FROM scheduling_appointment WHERE id = NEW.appointment_id)
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notes_signed_after_start_insert;",
    "DROP TRIGGER IF EXISTS notes_signed_after_start_update;",
]



class Migration(migrations.Migration):
    dependencies = [("notes", "0005_sqlite_refuses_delete"), ("booking", "0001_initial")]
    operations = [
        run_sql_by_vendor(
            postgresql=[POSTGRES_FORWARD],
            postgresql_back=[POSTGRES_BACKWARD],
            sqlite=SQLITE_FORWARD,
            sqlite_back=SQLITE_BACKWARD,
        )
    ]
