"""One encrypted file that holds the whole clinic: every row of every table and every private
document, written while the clinic runs, and read back into an empty installation.

The archive is a tar of ``manifest.json`` (what is inside, with each document's SHA-256 and the
migrations the rows were written under), one JSON file of rows per table (Django's serializer,
primary keys as they were, so the audit chain still links) and the documents in plain bytes,
the whole encrypted with the first of ``BACKCARE_FILE_KEYS`` (Fernet). It is portable: a backup
of SQLite restores into PostgreSQL and back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from backcare.private_files import file_cipher, the_private_storage

FORMAT = "backcare-backup-1"
# Rows that `migrate` itself writes: an empty installation has them, and a restore replaces them.
MIGRATE_MADE: tuple[type[models.Model], ...] = (ContentType, Permission)


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's JSON serializer keeps
    milliseconds only, which would change every stored time and break the audit chain)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why in plain words."""


@dataclass(frozen=True)
class Summary:
    rows: int
    tables: int
    documents: int


def table_models() -> list[type[models.Model]]:
    """Every model with a table of its own, in a fixed order."""
    return sorted(
        (model for model in apps.get_models() if model._meta.managed and not model._meta.proxy),
        key=lambda model: model._meta.label,
    )


def _applied_migrations(alias: str) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


@contextmanager
def _snapshot(alias: str) -> Iterator[None]:
    """One consistent view of the database while the clinic goes on writing: PostgreSQL reads a
    repeatable-read snapshot; SQLite holds its write lock for the dump (writers queue)."""
    connection = connections[alias]
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql" and not connection.savepoint_ids:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def write_backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the whole clinic into ``path`` (replaced, mode 0600)."""
    storage = the_private_storage()
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    documents: dict[str, str] = {}
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        with _snapshot(alias):
            for model in table_models():
                rows = model._base_manager.using(alias).order_by("pk")
                counts[model._meta.label] = rows.count()
                data = serializers.serialize("python", rows.iterator(chunk_size=2000))
                encoded = json.dumps(data, cls=ExactJSONEncoder, ensure_ascii=False)
                _add(archive, f"tables/{model._meta.label}.json", encoded.encode())
            migrations = _applied_migrations(alias)
            vendor = connections[alias].vendor
        for name in storage.names():
            with storage.open(name) as document:
                plain = document.read()
            documents[name] = hashlib.sha256(plain).hexdigest()
            _add(archive, f"documents/{name}", plain)
        manifest = {
            "format": FORMAT,
            "written_at": timezone.now().isoformat(),
            "database": vendor,
            "migrations": migrations,
            "rows": counts,
            "documents": documents,
        }
        _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
    token = file_cipher().encrypt(buffer.getvalue())
    _write_private(path, token)
    return Summary(sum(counts.values()), len(counts), len(documents))


def _write_private(path: Path, data: bytes) -> None:
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def what_is_here(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What this installation already holds, beyond what `migrate` writes ("12 users")."""
    held = [
        f"{count} {model._meta.verbose_name_plural}"
        for model in table_models()
        if model not in MIGRATE_MADE and (count := model._base_manager.using(alias).count())
    ]
    documents = sum(1 for _ in the_private_storage().names())
    if documents:
        held.append(f"{documents} documents")
    return held


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        token = path.read_bytes()
    except OSError as problem:
        raise BackupError(f"Cannot read {path}: {problem.strerror}.") from None
    try:
        plain = file_cipher().decrypt(token)
    except InvalidToken:
        raise BackupError(
            f"{path} is not a Backcare backup that the keys in BACKCARE_FILE_KEYS can open: "
            "was it written with a key that is no longer configured?"
        ) from None
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError(f"{path} has no manifest: it is not a Backcare backup.")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup of an unknown format ({manifest.get('format')}).")
    return manifest, plain


def _documents(archive: tarfile.TarFile, manifest: dict[str, Any]) -> dict[str, bytes]:
    """Every document in the backup, each checked against its hash before anything is written."""
    documents = {}
    for name, expected in manifest["documents"].items():
        member = archive.extractfile(f"documents/{name}")
        plain = member.read() if member is not None else b""
        if hashlib.sha256(plain).hexdigest() != expected:
            raise BackupError(f"The document {name} in the backup is damaged or missing.")
        documents[name] = plain
    return documents


def _restore_tables(archive: tarfile.TarFile, alias: str) -> tuple[list[type[models.Model]], int]:
    connection = connections[alias]
    restored: list[type[models.Model]] = []
    rows = 0
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            # Rows refer to tables restored after them: check every reference at the end.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in MIGRATE_MADE[::-1]:
            model._base_manager.using(alias).all().delete()
        # Rows whose values SQLite's triggers check against rows restored after them (an
        # invoice against its lines) are written with the model's placeholders first, and
        # their own values at the end, in the order the application writes them.
        later: list[tuple[type[models.Model], Any, dict[str, object]]] = []
        with connection.constraint_checks_disabled():
            for model in table_models():
                member = archive.extractfile(f"tables/{model._meta.label}.json")
                if member is None:
                    continue
                data = json.loads(member.read())
                placeholders: dict[str, object] = (
                    getattr(model, "WRITTEN_AFTER_ITS_LINES", {})
                    if connection.vendor == "sqlite"
                    else {}
                )
                for item in serializers.deserialize("python", data, using=alias):
                    if placeholders:
                        own = {name: getattr(item.object, name) for name in placeholders}
                        for name, value in placeholders.items():
                            setattr(item.object, name, value)
                        later.append((model, item.object.pk, own))
                    item.save(using=alias)
                    rows += 1
                restored.append(model)
            for model, pk, own in later:
                model._base_manager.using(alias).filter(pk=pk).update(**own)
        connection.check_constraints()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(statement)
    return restored, rows


def restore_backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> Summary:
    """Read the backup at ``path`` into this installation, which must be empty and migrated to
    the same point as the clinic the backup was taken of."""
    manifest, plain = _read(path)
    held = what_is_here(alias)
    if held:
        raise BackupError(
            "This installation is not empty (it holds "
            + ", ".join(held)
            + "): restore only into a new installation, with a new database after "
            "`backcare migrate` and an empty documents folder."
        )
    here = _applied_migrations(alias)
    if manifest["migrations"] != here:
        missing = sorted(set(manifest["migrations"]) - set(here))
        extra = sorted(set(here) - set(manifest["migrations"]))
        raise BackupError(
            "The backup was taken under other migrations than this installation has: "
            f"it has {len(missing)} this one lacks ({', '.join(missing[:3]) or 'none'}) and "
            f"lacks {len(extra)} ({', '.join(extra[:3]) or 'none'}). Install the Backcare "
            "version that wrote it, restore, then upgrade."
        )
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as archive:
        documents = _documents(archive, manifest)
        restored, rows = _restore_tables(archive, alias)
    ContentType.objects.clear_cache()
    storage = the_private_storage()
    for name, data in documents.items():
        storage.write_plain(name, data)
    return Summary(rows, len(restored), len(documents))
