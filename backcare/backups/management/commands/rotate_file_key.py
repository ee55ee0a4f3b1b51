"""``backcare rotate_file_key``: re-encrypt every stored document under the first key of
``BACKCARE_FILE_KEYS``, after which the other keys can be retired (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backcare.private_files import the_private_storage


class Command(BaseCommand):
    help = "Re-encrypt every stored document under the first key of BACKCARE_FILE_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        storage = the_private_storage()
        changed = total = 0
        for name in storage.names():
            total += 1
            changed += storage.reencrypt(name)
        self.stdout.write(
            f"Re-encrypted {changed} of {total} documents; every document is now under the "
            "first key of BACKCARE_FILE_KEYS."
        )
