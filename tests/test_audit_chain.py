"""The audit log is a keyed hash chain: a row changed, removed or added in the database itself,
past every guard, is found by `backcare audit verify`, which names the first broken link, even
when whoever did it computed the links as Backcare once did (plain SHA-256), without the key."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from backcare.audit.chain import CONTENT_FIELDS, GENESIS, canonical, chain_key, link
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
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
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


def unkeyed(prev_hash: str, row: dict[str, Any]) -> str:
    """A link as anyone can compute it: plain SHA-256, as Backcare's chain was before its key."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(row)).hexdigest()


def under_a_guessed_key(prev_hash: str, row: dict[str, Any]) -> str:
    return link(chain_key("a-guess-at-the-secret-key-that-is-long-enough"), prev_hash, row)


FORGERIES = pytest.mark.parametrize(
    "forge", [unkeyed, under_a_guessed_key], ids=["plain SHA-256", "a guessed key"]
)


def content(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in CONTENT_FIELDS}


@FORGERIES
def test_a_row_inserted_with_a_computed_link_is_found(
    five_reads: list[AuditEvent], clinic: Clinic, forge: Callable[[str, dict[str, Any]], str]
):
    # Someone with the database file appends a row that says the owner read Bob's record,
    # linked to the last row exactly as the chain's formula says, but without the audit key.
    forged: dict[str, Any] = {
        "at": dt.datetime(2026, 12, 1, 15, 0, 0, 123456, tzinfo=dt.UTC),
        "actor_id": clinic.owner.pk,
        "actor_email": clinic.owner.email,
        "action": "client.viewed",
        "object_type": "clinic.client",
        "object_id": str(clinic.bob.pk),
        "object_repr": "Bob Brown",
        "client_id": clinic.bob.pk,
        "changes": {},
        "ip": "127.0.0.1",
    }
    prev_hash = five_reads[-1].hash
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_id, actor_email, action, object_type, "
            "object_id, object_repr, client_id, changes, ip, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{}', %s, %s, %s)",
            [
                *(forged[name] for name in CONTENT_FIELDS if name != "changes"),
                prev_hash,
                forge(prev_hash, forged),
            ],
        )
    forged_row = AuditEvent.objects.latest("id")
    assert forged_row.prev_hash == prev_hash  # it links on as a real row would

    code, message = verify()

    assert code == 1
    assert f"broken at row {forged_row.pk} " in message
    assert "it was written without the audit key" in message
    assert "5 rows before it are intact" in message


@FORGERIES
def test_a_tail_rewritten_with_computed_links_is_found(
    five_reads: list[AuditEvent], forge: Callable[[str, dict[str, Any]], str]
):
    # The last three reads are rewritten as another therapist's, each linked to the one before.
    prev_hash = five_reads[1].hash
    for event in five_reads[2:]:
        rewritten = {**content(event), "actor_email": "theo@example.com"}
        row_hash = forge(prev_hash, rewritten)
        untriggered(
            "UPDATE audit_auditevent SET actor_email = %s, prev_hash = %s, hash = %s WHERE id = %s",
            ["theo@example.com", prev_hash, row_hash, event.pk],
        )
        prev_hash = row_hash

    code, message = verify()

    assert code == 1
    assert f"broken at row {five_reads[2].pk} " in message
    assert "2 rows before it are intact" in message


OLD_SECRET = "the-clinic-s-old-secret-key-before-it-was-changed"


def test_after_a_change_of_key_the_old_key_keeps_the_earlier_rows_verifiable(clinic: Clinic):
    with override_settings(AUDIT_KEY=OLD_SECRET):
        earlier = [record(clinic.owner, "client.viewed", clinic.alice) for _ in range(3)]
    record(clinic.owner, "client.viewed", clinic.bob)  # under the current key

    code, message = verify()  # not told the old key: the first row cannot be checked
    assert code == 1
    assert f"broken at row {earlier[0].pk} " in message
    with override_settings(AUDIT_OLD_KEYS=[OLD_SECRET]):
        assert verify() == (
            0,
            "The audit log is intact, 4 rows. "
            "The first 3 were written under an earlier audit key.\n",
        )


def test_a_row_written_under_an_old_key_after_the_new_one_is_found(clinic: Clinic):
    # The old key leaked: rows made with it may not follow rows of the new key.
    with override_settings(AUDIT_KEY=OLD_SECRET):
        record(clinic.owner, "client.viewed", clinic.alice)
    record(clinic.owner, "client.viewed", clinic.alice)
    with override_settings(AUDIT_KEY=OLD_SECRET):
        late = record(clinic.owner, "client.viewed", clinic.bob)

    with override_settings(AUDIT_OLD_KEYS=[OLD_SECRET]):
        code, message = verify()

    assert code == 1
    assert f"broken at row {late.pk} " in message


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


@pytest.mark.django_db(transaction=True)
def test_the_keyed_migration_still_reports_a_row_changed_before_it(clinic: Clinic):
    # A log linked with plain SHA-256, as before the key, whose third row was then edited past
    # the trigger: linking the rows again under the key must not launder the edit.
    MigrationExecutor(connection).migrate([("audit", "0006_sqlite_refuses_delete")])
    prev_hash = GENESIS
    with connection.cursor() as cursor:
        for number in range(4):
            row: dict[str, Any] = {
                "at": dt.datetime(2025, 1, 6, 9, number, 0, 123456, tzinfo=dt.UTC),
                "actor_id": clinic.tess.user.pk,
                "actor_email": "tess@example.com",
                "action": "client.viewed",
                "object_type": "clinic.client",
                "object_id": str(clinic.alice.pk),
                "object_repr": "Alice Anders",
                "client_id": clinic.alice.pk,
                "changes": {},
                "ip": "127.0.0.1",
            }
            row_hash = unkeyed(prev_hash, row)
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_id, actor_email, action, object_type, "
                "object_id, object_repr, client_id, changes, ip, prev_hash, hash) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{}', %s, %s, %s)",
                [
                    *(row[name] for name in CONTENT_FIELDS if name != "changes"),
                    prev_hash,
                    row_hash,
                ],
            )
            prev_hash = row_hash
        ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = 'Bob Brown' WHERE id = %s", [ids[2]]
        )

    MigrationExecutor(connection).migrate([("audit", LATEST_AUDIT)])  # puts the trigger back

    code, message = verify()
    assert code == 1
    assert f"broken at row {ids[2]} " in message
    assert "its content was changed after it was written" in message
    assert "2 rows before it are intact" in message
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")
