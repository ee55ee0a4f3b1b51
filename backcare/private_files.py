"""Where uploaded clinical documents live: on disk, outside every public URL (SPEC §7),
encrypted at rest and readable by the server's own user only.

Files in this storage have no URL. A view fetches the owning record through the access policy,
writes an audit row and streams the file (``clearance_document``, staff/screening). Each file
is stored as a Fernet token under the first of ``BACKCARE_FILE_KEYS`` with mode 0600 (folders
0700); reading decrypts it with whichever configured key made it. ``backcare rotate_file_key``
re-encrypts every file under the first key (docs/operations.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from backcare.lib import filecrypt

FILE_MODE = 0o600
FOLDER_MODE = 0o700


# Every Fernet token starts with these bytes (version 0x80, base64url); no PDF or photo does.
FERNET_PREFIX = b"gAAAAA"


def file_cipher() -> MultiFernet:
    return filecrypt.cipher(tuple(settings.BACKCARE_FILE_KEYS))


class PrivateStorage(FileSystemStorage):
    def __init__(self, location: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", FOLDER_MODE)
        super().__init__(location=location, **kwargs)

    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no public URL; serve them through a view.")

    def _save(self, name: str, content: File[Any]) -> str:
        content.seek(0)
        token = file_cipher().encrypt(content.read())
        saved: str = super()._save(name, ContentFile(token))  # type: ignore[misc]  # not in the stubs
        return saved

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        if mode not in ("r", "rb"):
            raise ValueError("Private documents are written only through save().")
        return ContentFile(file_cipher().decrypt(Path(self.path(name)).read_bytes()), name=name)

    def names(self) -> Iterator[str]:
        """Every stored file, as a name relative to the storage's folder."""
        root = Path(self.location)
        if not root.exists():
            return
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path.relative_to(root).as_posix()

    def write_plain(self, name: str, data: bytes) -> None:
        """Store ``data`` under exactly ``name`` (a restore), encrypted, replacing any file."""
        self._replace(name, file_cipher().encrypt(data))

    def reencrypt(self, name: str) -> bool:
        """Re-encrypt one file under the first key; False when it already was. A document
        stored before documents were encrypted (plain on disk) is encrypted now."""
        cipher = file_cipher()
        path = Path(self.path(name))
        token = path.read_bytes()
        if not token.startswith(FERNET_PREFIX):
            self._replace(name, cipher.encrypt(token))
            return True
        first_key_only = filecrypt.cipher(tuple(settings.BACKCARE_FILE_KEYS[:1]))
        try:
            first_key_only.decrypt(token)
        except InvalidToken:
            self._replace(name, cipher.rotate(token))
            return True
        return False

    def _replace(self, name: str, token: bytes) -> None:
        """Write ``token`` next to the file and move it in place: a reader never sees half."""
        path = Path(self.path(name))
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".backcare-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(token)
            os.chmod(temporary, FILE_MODE)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def private_storage() -> Storage:
    """The storage for ``FileField(storage=private_storage)``, read from settings when used."""
    return storages["private"]


def the_private_storage() -> PrivateStorage:
    storage = storages["private"]
    if not isinstance(storage, PrivateStorage):
        raise TypeError("STORAGES['private'] must be backcare.private_files.PrivateStorage")
    return storage
