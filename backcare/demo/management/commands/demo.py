from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from backcare.clinic.models import Location
from backcare.demo import clinic as demo


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
        self.stdout.write(
            "Staff set up two-step sign-in (an authenticator app, or a passkey at "
            "http://localhost:8000) the first time they sign in."
        )
        first = Location.objects.filter(active=True).order_by("pk").first()
        if first is not None:
            site = settings.SITE_URL.rstrip("/")
            page = reverse("public:page", args=[first.pk])
            self.stdout.write(f"\nBooking page for new clients ({first.name}): {site}{page}")
