"""``backcare backup FILE``: the whole clinic, database and documents, in one encrypted file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from backcare.backups.archive import write_backup
from backcare.backups.management.file_command import BackupFileCommand


class Command(BackupFileCommand):
    help = (
        "Write the whole clinic (every table and every document) into FILE, encrypted with the "
        "first key of BACKCARE_FILE_KEYS. Safe while the clinic runs."
    )
    file_help = "where to write the backup (replaced)"

    def run(self, file: Path) -> str:
        if not file.resolve().parent.is_dir():
            raise CommandError(f"The folder of {file} does not exist.")
        return f"Backed up {self.counted(write_backup(file))} to {file}."
