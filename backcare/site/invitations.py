"""Inviting someone to choose their password: a new therapist, or a client to the portal. The
login is made by the clinic's actions; the email with the link (``accounts/invites.py``) goes
through the notices' outbox, in the same transaction (never for a rollback)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from backcare.accounts.invites import welcome_link
from backcare.accounts.models import User
from backcare.clinic import actions
from backcare.clinic.models import Client, Location, Therapist
from backcare.notices.outbox import send_notice


def email_set_password_link(
    user: User, *, subject: str, template: str, context: dict[str, Any]
) -> None:
    """Send the link through the outbox, with the surrounding transaction: once per login,
    however often this is asked. ``template`` is named without its extension and ``context``
    holds JSON values, as for ``send_notice``."""
    send_notice(
        key=f"invite-{user.pk}",
        to=[user.email],
        subject=subject,
        template=template,
        context={**context, "link": welcome_link(user, settings.SITE_URL)},
        kind="invitation",
    )


@transaction.atomic
def invite_therapist(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    data: Mapping[str, Any],
    locations: list[Location],
) -> Therapist:
    """Add a therapist (their login and professional record) and email them a link to choose a
    password."""
    therapist = actions.create_therapist(
        actor, email=email, full_name=full_name, password=None, data=data, locations=locations
    )
    email_set_password_link(
        therapist.user,
        subject="Welcome to Backcare: choose a password",
        template="clinic/email/staff_invite",
        context={"full_name": therapist.user.full_name},
    )
    return therapist


@transaction.atomic
def invite_client_to_portal(actor: User | None, client: Client) -> User:
    """Create the client's portal login and email them a link to choose a password."""
    user = actions.create_client_login(actor, client, password=None)
    email_set_password_link(
        user,
        subject="Your Backcare portal: choose a password",
        template="clinic/email/portal_invite",
        context={"first_name": client.first_name},
    )
    return user
