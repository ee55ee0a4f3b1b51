"""`backcare backup` writes the whole clinic into one encrypted file and `backcare restore` reads
it back into an empty installation: every row of every table and every document as it was."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from backcare.backups.archive import table_models
from backcare.private_files import PrivateStorage, the_private_storage
from tests.conftest import Clinic


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
