"""Emailing someone a link to choose their password: for new staff and portal clients."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backcare.accounts.models import User


def set_password_link(user: User, site_url: str) -> str:
    return site_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def email_set_password_link(
    user: User, *, site_url: str, subject: str, template: str, context: dict[str, Any]
) -> None:
    """Send the link once the surrounding transaction has committed (never for a rollback)."""
    body = render_to_string(template, {**context, "link": set_password_link(user, site_url)})
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
