"""``backcare audit verify``: walk the audit log's hash chain and say whether it is intact."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backcare.audit import chain
from backcare.audit.models import AuditEvent, chain_keys


class Command(BaseCommand):
    help = "Check the audit log: 'verify' walks its hash chain from the first row to the last."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        commands.add_parser("verify", help="say whether the audit log is intact")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand != "verify":  # argparse has refused anything else already
            raise CommandError(f"unknown subcommand {subcommand!r}")
        walked = chain.walk(_rows_oldest_first(), chain_keys())
        broken = walked.broken
        if broken is None:
            earlier = (
                f" The first {walked.under_earlier_keys} were written under an earlier audit key."
                if walked.under_earlier_keys
                else ""
            )
            self.stdout.write(f"The audit log is intact, {walked.checked} rows.{earlier}")
            return
        when = timezone.localtime(broken.at)
        self.stderr.write(
            f"The audit log is broken at row {broken.row_id} "
            f"(written {when:%Y-%m-%d %I:%M %p %Z}): {broken.problem}. "
            f"{walked.checked - 1} rows before it are intact."
        )
        raise SystemExit(1)


def _rows_oldest_first(batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every row, in pages by id: no cursor is left open when the walk stops early."""
    after = 0
    while True:
        page = list(
            AuditEvent.objects.filter(id__gt=after)
            .order_by("id")
            .values("id", "prev_hash", "hash", *chain.CONTENT_FIELDS)[:batch]
        )
        yield from page
        if len(page) < batch:
            return
        after = page[-1]["id"]
