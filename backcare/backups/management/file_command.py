"""What ``backcare backup FILE`` and ``backcare restore FILE`` share: the one FILE argument, a
refusal said as the command's error, and the count of what was copied."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backcare.backups.archive import BackupError, Summary


class BackupFileCommand(BaseCommand):
    file_help = ""
    """What FILE is, for ``--help``."""

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            self.stdout.write(self.run(file))
        except BackupError as problem:
            raise CommandError(str(problem)) from None

    def run(self, file: Path) -> str:
        """Do the work; what to tell the user when it is done."""
        raise NotImplementedError

    @staticmethod
    def counted(summary: Summary) -> str:
        return f"{summary.rows} rows of {summary.tables} tables and {summary.documents} documents"
