"""``backcare restore FILE``: a backup read into a new, empty installation."""

from __future__ import annotations

from pathlib import Path

from backcare.backups.archive import restore_backup
from backcare.backups.management.file_command import BackupFileCommand


class Command(BackupFileCommand):
    help = (
        "Read a backup written by `backcare backup` into this installation, which must be "
        "empty: a new database after `backcare migrate`, and no documents."
    )
    file_help = "the backup to restore"

    def run(self, file: Path) -> str:
        return (
            f"Restored {self.counted(restore_backup(file))} from {file}. Check the audit log with "
            "`backcare audit verify`."
        )
