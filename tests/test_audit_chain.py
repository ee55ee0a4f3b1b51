"""The audit log is a hash chain: a row changed or removed in the database itself, past every
guard, is found by `backcare audit verify`, which names the first broken link."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from backcare.audit.chain import GENESIS
from backcare.audit.log import record
from backcare.audit.models import AuditEvent
from tests.conftest import Clinic

LATEST_AUDIT = max(
    name
    for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    if app == "audit"
)


def verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), err.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def five_reads(clinic: Clinic) -> list[AuditEvent]:
    return [record(clinic.tess.user, "client.viewed", clinic.alice) for _ in range(5)]


def untriggered(sql: str, params: list[str | int]) -> None:
    """Run `sql` as someone with the database file in hand would: past the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
        cursor.execute(sql, params)


def test_each_row_links_to_the_one_before(five_reads: list[AuditEvent]):
    rows = list(AuditEvent.objects.order_by("id"))

    assert rows[0].prev_hash == GENESIS
    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert len({row.hash for row in rows}) == 5


def test_an_untouched_log_is_intact(five_reads: list[AuditEvent]):
    assert verify() == (0, "The audit log is intact, 5 rows.\n")


def test_an_empty_log_is_intact(db: None):
    assert verify() == (0, "The audit log is intact, 0 rows.\n")


def test_a_row_edited_in_the_database_is_found(five_reads: list[AuditEvent]):
    edited = five_reads[2]
    untriggered(
        "UPDATE audit_auditevent SET actor_email = %s WHERE id = %s", ["x@example.com", edited.pk]
    )

    code, message = verify()

    assert code == 1
    assert f"broken at row {edited.pk} " in message
    assert "its content was changed after it was written" in message
    assert "2 rows before it are intact" in message


def test_a_row_removed_from_the_database_is_found(five_reads: list[AuditEvent]):
    untriggered("DELETE FROM audit_auditevent WHERE id = %s", [five_reads[2].pk])

    code, message = verify()

    assert code == 1
    assert f"broken at row {five_reads[3].pk} " in message
    assert f"it does not follow row {five_reads[1].pk}: a row between them was removed" in message


def test_the_first_row_removed_is_found(five_reads: list[AuditEvent]):
    untriggered("DELETE FROM audit_auditevent WHERE id = %s", [five_reads[0].pk])

    code, message = verify()

    assert code == 1
    assert "the first row does not start the chain" in message


def test_a_row_whose_hash_was_recomputed_still_breaks_the_next_link(
    five_reads: list[AuditEvent],
):
    # A forger who rewrites a row and its own hash cannot also fix the next row's link.
    edited = five_reads[1]
    untriggered(
        "UPDATE audit_auditevent SET action = 'client.registered', hash = %s WHERE id = %s",
        ["f" * 64, edited.pk],
    )

    code, message = verify()

    assert code == 1
    assert f"broken at row {edited.pk} " in message


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET hash = %s", "DELETE FROM audit_auditevent WHERE hash <> %s"],
)
def test_the_database_refuses_direct_changes(five_reads: list[AuditEvent], sql: str):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, ["0" * 64])

    assert verify()[0] == 0


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the database file is SQLite's",
)
@pytest.mark.django_db(transaction=True)
def test_a_row_deleted_in_the_sqlite_file_by_another_program_is_found(clinic: Clinic):
    rows = [record(clinic.owner, "client.viewed", clinic.bob) for _ in range(3)]
    path = connection.settings_dict["NAME"]
    other = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            other.execute("DELETE FROM audit_auditevent WHERE id = ?", [rows[1].pk])
        other.execute("DROP TRIGGER audit_no_delete")
        other.execute("DELETE FROM audit_auditevent WHERE id = ?", [rows[1].pk])
        other.commit()
    finally:
        other.close()

    code, message = verify()

    assert code == 1
    assert f"broken at row {rows[2].pk} " in message
    with connection.cursor() as cursor:  # the next test's flush needs the trigger back
        cursor.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_link_to_the_same_row(clinic: Clinic):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proved on PostgreSQL")
    start = threading.Barrier(4)

    def write() -> None:
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    record(clinic.owner, "client.viewed", clinic.alice)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert AuditEvent.objects.count() == 40
    assert verify() == (0, "The audit log is intact, 40 rows.\n")


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_the_rows_written_before_the_chain(clinic: Clinic):
    executor = MigrationExecutor(connection)
    before, latest = [("audit", "0003_validators_and_manager")], [("audit", LATEST_AUDIT)]
    executor.migrate(before)
    with connection.cursor() as cursor:
        for number in range(3):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_id, actor_email, action, object_type, "
                "object_id, object_repr, client_id, changes, ip) "
                "VALUES (%s, %s, %s, 'client.viewed', 'clinic.client', %s, %s, %s, %s, %s)",
                [
                    dt.datetime(2025, 1, 6, 9, number, 0, 123456, tzinfo=dt.UTC),
                    clinic.tess.user.pk,
                    "tess@example.com",
                    str(clinic.alice.pk),
                    "Alice Anders",
                    clinic.alice.pk,
                    '{"note": "é", "n": 1.5}',
                    "127.0.0.1",
                ],
            )

    MigrationExecutor(connection).migrate(latest)

    assert verify() == (0, "The audit log is intact, 3 rows.\n")
    record(clinic.owner, "client.viewed", clinic.alice)  # the app goes on from the last link
    assert verify() == (0, "The audit log is intact, 4 rows.\n")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")
