"""``backcare send_due_reminders``: the safety net for appointment reminders.

Reminders are normally enqueued when an appointment is booked or moved. Run this from cron
every 15 minutes or so: it enqueues every reminder due within ``--window`` minutes of now, on
either side, that was never sent (the worker still sends it). Running it often, or beside the
normal path, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from backcare.emails.reminders import enqueue_due_reminders


class Command(BaseCommand):
    help = "Enqueue appointment reminders that are due and were never sent (safe to repeat)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--window",
            type=int,
            default=60,
            help="Minutes either side of now to look for due reminders (default: 60).",
        )

    def handle(self, *args: Any, window: int, **options: Any) -> None:
        if window < 1:
            self.stderr.write("--window must be at least 1 minute.")
            raise SystemExit(2)
        count = enqueue_due_reminders(now=timezone.now(), window=dt.timedelta(minutes=window))
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} reminder{'' if count == 1 else 's'} enqueued.")
