"""Uploaded clinical documents are encrypted at rest, readable by the server's user only, read
back transparently, and can move to a new key (key rotation)."""

from __future__ import annotations

import io
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings

from backcare.__main__ import main
from backcare.lib.filecrypt import parse_keys
from backcare.private_files import PrivateStorage, the_private_storage

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SCAN = b"%PDF-1.4\nThe signed clearance of Alice Anders.\n%%EOF\n"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[PrivateStorage]:
    private = {
        "BACKEND": "backcare.private_files.PrivateStorage",
        "OPTIONS": {"location": tmp_path},
    }
    with override_settings(
        STORAGES={**settings.STORAGES, "private": private}, BACKCARE_FILE_KEYS=(OLD_KEY,)
    ):
        yield the_private_storage()


def test_a_stored_document_is_encrypted_and_readable_by_the_server_user_only(
    storage: PrivateStorage,
):
    name = storage.save("clearances/2026/11/okafor.pdf", ContentFile(SCAN))
    path = Path(storage.path(name))

    assert SCAN not in path.read_bytes()
    assert b"Alice" not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with storage.open(name) as document:
        assert document.read() == SCAN


def test_a_document_under_an_old_key_is_read_and_moved_to_the_new_key(storage: PrivateStorage):
    name = storage.save("clearances/okafor.pdf", ContentFile(SCAN))
    out = io.StringIO()

    with override_settings(BACKCARE_FILE_KEYS=(NEW_KEY, OLD_KEY)):
        assert storage.open(name).read() == SCAN  # the old key still decrypts
        call_command("rotate_file_key", stdout=out)
        assert "Re-encrypted 1 of 1 documents" in out.getvalue()

    path = Path(storage.path(name))
    assert Fernet(NEW_KEY.encode()).decrypt(path.read_bytes()) == SCAN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with override_settings(BACKCARE_FILE_KEYS=(NEW_KEY,)):  # the old key can now be retired
        assert storage.open(name).read() == SCAN
        call_command("rotate_file_key", stdout=out)
        assert "Re-encrypted 0 of 1 documents" in out.getvalue()


def test_new_file_key_prints_a_key_the_settings_accept(capsys: pytest.CaptureFixture[str]):
    assert main(["new-file-key"]) == 0

    key = capsys.readouterr().out.strip()
    assert parse_keys([key]) == (key,)


def test_a_document_stored_before_encryption_is_encrypted_by_the_rotation(
    storage: PrivateStorage,
):
    """An installation upgraded from before documents were encrypted: its files are plain on
    disk until `backcare rotate_file_key` encrypts them, after which they read as before."""
    path = Path(storage.path("clearances/2025/okafor.pdf"))
    path.parent.mkdir(parents=True)
    path.write_bytes(SCAN)  # as the old version stored it
    out = io.StringIO()

    call_command("rotate_file_key", stdout=out)

    assert "Re-encrypted 1 of 1 documents" in out.getvalue()
    assert b"Alice" not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with storage.open("clearances/2025/okafor.pdf") as document:
        assert document.read() == SCAN
