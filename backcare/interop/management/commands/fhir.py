"""``backcare fhir export DIR [--since ISO-DATETIME] [--type Patient,Observation,...]``: every
record as FHIR R4, one ``DIR/<ResourceType>.ndjson`` a type, one resource a line (the same
resources as the bulk export), with a progress bar on a terminal and the counts at the end."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backcare.audit.log import record
from backcare.interop import exports, reading
from backcare.interop.fhirhttp import BadParameter, parse_instant
from backcare.interop.kinds import DIRECTORY_TYPES, KINDS, PATIENT_TYPES, Scope, count_rows
from backcare.lib.progress import terminal_bar


class _Files:
    """One open NDJSON file a resource type, opened at its first line."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.folder = folder
        self.stack = stack
        self.files: dict[str, IO[str]] = {}

    def write(self, resource_type: str, line: str) -> None:
        if resource_type not in self.files:
            path = self.folder / f"{resource_type}.ndjson"
            self.files[resource_type] = self.stack.enter_context(path.open("w", encoding="utf-8"))
        self.files[resource_type].write(line + "\n")


def _total(types: list[str], since: dt.datetime | None) -> int:
    scope = Scope(base=reading.base_url(), updated=(("ge", since),) if since else ())
    total = 0
    for name in types:
        for source in KINDS[name].sources:
            total += count_rows(source.rows(scope))
    return total


class Command(BaseCommand):
    help = "Export the clinic's records as FHIR R4 NDJSON files (backcare fhir export DIR)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="write DIR/<ResourceType>.ndjson")
        export.add_argument("dir", help="the folder to write into (made if missing)")
        export.add_argument("--since", help="only what changed at or after this ISO date-time")
        export.add_argument(
            "--type", help="comma-separated resource types, e.g. Patient,Observation"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        all_types = [*PATIENT_TYPES, *DIRECTORY_TYPES]
        types = all_types
        if options.get("type"):
            types = [name.strip() for name in options["type"].split(",") if name.strip()]
            unknown = [name for name in types if name not in KINDS]
            if unknown:
                raise CommandError(
                    f"--type: unknown resource type {', '.join(unknown)}. "
                    f"Choose from {', '.join(sorted(all_types))}."
                )
        since = None
        if options.get("since"):
            try:
                since = parse_instant("--since", options["since"])
            except BadParameter as problem:
                raise CommandError(str(problem)) from None
        folder = Path(options["dir"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as problem:
            raise CommandError(f"DIR: cannot make {folder}: {problem.strerror}.") from None
        with ExitStack() as stack:
            bar = stack.enter_context(terminal_bar("Exporting", lambda: _total(types, since)))
            files = _Files(folder, stack)
            counts = exports.write_export(None, types, since, files, progress=bar.advance)
        record(
            None,
            "fhir.exported_cli",
            changes={
                "types": {"after": types},
                "since": {"after": since.isoformat() if since else None},
                "counts": {"after": counts},
            },
        )
        for name in types:
            if counts.get(name):
                self.stdout.write(f"{name}: {counts[name]}")
        self.stdout.write(f"Wrote {sum(counts.values())} resources to {folder}.")
