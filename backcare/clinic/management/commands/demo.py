from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backcare import demo
from backcare.clinic.models import Location


class Command(BaseCommand):
    help = "Load the demo clinic (idempotent) and print one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo when the database has no clinic yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Location.objects.exists():
            self.stdout.write("The database already holds a clinic; the demo was not loaded.")
        else:
            demo.load()
            self.stdout.write(self.style.SUCCESS("The demo clinic is ready."))
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login in demo.LOGINS:
            self.stdout.write(f"  {login.role:<11} {login.email}")
