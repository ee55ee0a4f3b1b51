"""The links that let someone choose their password: for new staff and portal clients, and for a
password reset. Emailing them is the site front's (``site/invitations.py``,
``site/password_reset.py``), through the notices' outbox."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from backcare.accounts.models import User


def set_password_link(user: User, site_url: str) -> str:
    return site_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def welcome_link(user: User, site_url: str, *, next_path: str = "") -> str:
    """A link to choose a first password, after which the person is signed in and taken to
    ``next_path`` (a path on this site), or to their home. Clicking it also proves that the
    email address is theirs."""
    link = site_url.rstrip("/") + reverse(
        "welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{link}?{urlencode({'next': next_path})}" if next_path else link
