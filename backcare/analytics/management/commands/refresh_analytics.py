from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backcare.analytics import courses


class Command(BaseCommand):
    help = (
        "Write every program's course for the clinic analytics again. Backcare keeps them up to "
        "date itself; run this after loading data around it (a bulk import)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = courses.rebuild()
        self.stdout.write(f"Refreshed the analytics of {count} program{'s' if count != 1 else ''}.")
