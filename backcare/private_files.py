"""Where uploaded clinical documents live: on disk, outside every public URL (SPEC §7).

Files in this storage have no URL. A view fetches the owning record through the access policy,
writes an audit row and streams the file (see ``screening.views.clearance_document``).
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no public URL; serve them through a view.")


def private_storage() -> Storage:
    """The storage for ``FileField(storage=private_storage)``, read from settings when used."""
    return storages["private"]
