from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backcare.accounts.models import User
from backcare.accounts.second_factor import reset_second_factor


class Command(BaseCommand):
    help = (
        "Reset someone's two-step sign-in (for an owner who lost their phone, passkey and "
        "recovery codes): their devices go, they are signed out, and they set it up again at "
        "their next sign-in. Recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the email address the person signs in with")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip()
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"No login uses the email address {email}.")
        removed = reset_second_factor(None, person)
        self.stdout.write(
            f"Two-step sign-in of {person.full_name} is reset ({removed} removed). "
            "They set it up again at their next sign-in."
        )
