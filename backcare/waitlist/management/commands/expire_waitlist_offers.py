"""``backcare expire_waitlist_offers``: the safety net for waitlist offers.

Each offer's expiry is queued to run when it lapses; run this from cron every few minutes as
well. It expires every open offer whose time is up (passing its slot to the next client on the
waitlist) and closes entries whose dates have all passed. Running it often, or beside the
queued tasks, changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backcare.waitlist.actions import expire_due


class Command(BaseCommand):
    help = "Expire lapsed waitlist offers (their slots pass on) and past entries; safe to repeat."

    def handle(self, *args: Any, **options: Any) -> None:
        offers, entries = expire_due()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{offers} offer{'' if offers == 1 else 's'} expired, "
                f"{entries} entr{'y' if entries == 1 else 'ies'} past their dates closed."
            )
