"""``backcare send_pending_notices``: the safety net for email.

Run it from cron every few minutes beside the worker: it sends every email that is due and was
never sent — its send failed (tried again after 1, 2, 4 … minutes, at most six hours apart), or
its worker died mid-way and the claim has lapsed. Running it often, or beside the worker, sends
nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backcare.notices.outbox import send_pending


class Command(BaseCommand):
    help = "Send queued emails whose sending failed or was interrupted (safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, waiting = send_pending()
        if options["verbosity"] > 0:
            self.stdout.write(f"{sent} sent, {waiting} still waiting.")
