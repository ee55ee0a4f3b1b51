"""`backcare backup` writes the whole clinic into one encrypted file and `backcare restore` reads
it back into an empty installation: every row of every table and every document as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from backcare.backups.archive import table_models, what_is_here
from backcare.private_files import PrivateStorage, the_private_storage
from backcare.screening.models import Clearance
from tests.conftest import Clinic
from tests.test_audit_chain import verify

NOON = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[PrivateStorage]:
    private = {
        "BACKEND": "backcare.private_files.PrivateStorage",
        "OPTIONS": {"location": tmp_path / "private-media"},
    }
    with override_settings(STORAGES={**settings.STORAGES, "private": private}):
        yield the_private_storage()


def every_row() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in table_models()
    }


def every_document(storage: PrivateStorage) -> dict[str, str]:
    return {name: hashlib.sha256(storage.open(name).read()).hexdigest() for name in storage.names()}


def wipe(storage: PrivateStorage) -> None:
    """A new installation: an empty, migrated database and no documents."""
    if connection.vendor == "postgresql":
        # PostgreSQL truncates only once the test transaction's deferred checks have run.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as in a new transaction
    for name in list(storage.names()):
        Path(storage.path(name)).unlink()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_clinic_backs_up_and_restores_exactly(storage: PrivateStorage, tmp_path: Path):
    with time_machine.travel(NOON, tick=False):
        run("demo")  # `backcare demo`
    code, intact = verify()
    assert code == 0, intact  # the demo's audit log, written under the key, checks out
    assert intact.startswith("The audit log is intact")
    scans = [
        storage.save("clearances/2026/11/okafor.pdf", ContentFile(b"%PDF-1.4\nOkafor\n%%EOF")),
        storage.save("clearances/2026/11/photo.png", ContentFile(b"\x89PNG\r\n\x1a\n" * 50)),
    ]
    Clearance.objects.filter(pk=Clearance.objects.first().pk).update(document=scans[0])  # type: ignore[union-attr]
    rows, documents = every_row(), every_document(storage)
    assert sum(len(table) for table in rows.values()) > 1000
    backup = tmp_path / "clinic.backup"

    assert "and 2 documents" in run("backup", str(backup))

    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert b"Okafor" not in backup.read_bytes()
    wipe(storage)
    assert what_is_here() == []

    assert "and 2 documents" in run("restore", str(backup))

    assert every_row() == rows
    assert every_document(storage) == documents
    assert verify() == (0, intact)  # the same rows, under the same key


def test_a_restore_refuses_an_installation_that_holds_data(
    clinic: Clinic, storage: PrivateStorage, tmp_path: Path
):
    backup = tmp_path / "clinic.backup"
    run("backup", str(backup))

    with pytest.raises(CommandError, match=r"This installation is not empty \(it holds 6 users"):
        run("restore", str(backup))


def test_a_backup_under_a_key_no_longer_configured_is_refused_plainly(
    clinic: Clinic, storage: PrivateStorage, tmp_path: Path
):
    backup = tmp_path / "clinic.backup"
    run("backup", str(backup))
    wipe(storage)

    with (
        override_settings(BACKCARE_FILE_KEYS=(Fernet.generate_key().decode(),)),
        pytest.raises(CommandError, match="not a Backcare backup that the keys in"),
    ):
        run("restore", str(backup))
