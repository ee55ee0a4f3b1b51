"""``backcare import clients FILE [--system jane|clinicsense] [--dry-run]`` (and
``appointments``): move in from another practice system's CSV export (docs/import.md), with a
progress bar on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backcare.imports import actions, rows
from backcare.lib.progress import terminal_bar


class Command(BaseCommand):
    help = "Import clients or future appointments from another practice system's CSV export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(actions.IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--system",
            default="jane",
            help=f"the export's system ({', '.join(rows.systems())}) or a mapping .toml file",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mapping = rows.load_mapping(options["system"])
            text = options["file"].read_text(encoding="utf-8-sig")
        except rows.MappingError as error:
            raise CommandError(str(error)) from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        importer = actions.IMPORTERS[options["kind"]]
        what = "Checking" if options["dry_run"] else "Importing"
        try:
            with terminal_bar(f"{what} {options['kind']}") as bar:
                report = importer(
                    None, text, mapping, dry_run=options["dry_run"], progress=bar.reach
                )
        except rows.FileError as error:
            raise CommandError(str(error)) from None
        for problem in report.errors:
            self.stdout.write(f"row {problem.row}, {problem.field}: {problem.message}")
        for skipped in report.skipped:
            self.stdout.write(f"row {skipped['row']}: skipped. {skipped['why']}")
        summary = (
            f"{report.rows} rows: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped, "
            f"{len(report.errors)} errors."
        )
        if report.errors:
            raise CommandError(f"{summary} Nothing was imported: mend these rows and run again.")
        if options["dry_run"]:
            self.stdout.write(f"{summary} Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary} Imported."))
