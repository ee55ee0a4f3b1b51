"""The demo clinic, with two scanned documents, backs up and restores exactly: every row of
every table and every document (`backcare backup`, `backcare restore`)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile

from backcare.backups.archive import what_is_here
from backcare.private_files import PrivateStorage
from backcare.screening.models import Clearance
from tests.demo.conftest import NOON
from tests.test_audit_chain import verify
from tests.test_backups import every_document, every_row, run, storage, wipe

__all__ = ["storage"]  # the fixture, shared with tests/test_backups.py


@pytest.mark.django_db
def test_the_demo_clinic_backs_up_and_restores_exactly(storage: PrivateStorage, tmp_path: Path):
    with time_machine.travel(NOON, tick=False):
        run("demo")  # `backcare demo`, as a clinic would: the demo is already here, and stays
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
