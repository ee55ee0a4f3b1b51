"""Asking for a password reset link, without telling anyone who has an account (SPEC §7).

The request does the same work whatever address is typed: it checks the hourly limits, writes
one audit row and queues :func:`email_reset_link`. The background worker then looks the address
up and emails a link to the account that uses it, if there is one, through the email queue
(``send_notice``). So a known and an unknown address take the same time and get the same page,
and so does a request over the limits, which queues nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django_tasks import task

from backcare.accounts.invites import set_password_link
from backcare.accounts.lockout import normalized_email
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.notices.outbox import send_notice
from backcare.ratelimits import HOUR, within_limits

SUBJECT = "Choose a new Backcare password"


def users_for_reset(email: str) -> QuerySet[User]:
    """The active account with this address, whatever its letter case. Unlike Django's reset,
    also one that has never had a password: at Backcare those are people we invited who lost
    the email, so they may ask for a new link too."""
    return User.objects.filter(email__iexact=email, is_active=True)


QUARTER_HOUR = 15 * 60


def _within_limits(email: str, ip: str | None) -> bool:
    """At most PASSWORD_RESETS_PER_EMAIL_HOUR links to one address, and from one IP address at
    most PASSWORD_RESETS_PER_IP_15_MINUTES requests in any 15 minutes (the limit on failed
    sign-ins) and PASSWORD_RESETS_PER_IP_HOUR in any hour: sliding windows in the cache
    (:mod:`backcare.ratelimits`). Only requests that were let through count."""
    email_key = "password-reset-email:" + hashlib.sha256(email.encode()).hexdigest()
    # (key, how many, within how many seconds)
    limits = [(email_key, settings.PASSWORD_RESETS_PER_EMAIL_HOUR, HOUR)]
    if ip:
        ip_key = f"password-reset-ip:{ip}"
        limits.append((ip_key, settings.PASSWORD_RESETS_PER_IP_HOUR, HOUR))
        limits.append((ip_key, settings.PASSWORD_RESETS_PER_IP_15_MINUTES, QUARTER_HOUR))
    return within_limits(limits)


def ask_for_reset(email: str, *, ip: str | None) -> bool:
    """Queue a reset link for ``email`` (sent only if an active account uses it). False when the
    hourly limits refused the request; the person is told the same either way."""
    email = normalized_email(email)
    with transaction.atomic():
        allowed = _within_limits(email, ip)
        asked: dict[str, Any] = {"email": email}
        if not allowed:
            asked["refused"] = "too many requests"
        record(None, "password.reset_requested", changes=diff({}, asked), actor_email=email)
        if allowed:
            transaction.on_commit(lambda: email_reset_link.enqueue(email=email), robust=True)
    return allowed


@task()
def email_reset_link(*, email: str) -> int:
    """The queued half of :func:`ask_for_reset`, run by the worker: email a link to choose a new
    password to the account with this address. Returns how many emails were queued (0 or 1)."""
    sent = 0
    for user in users_for_reset(email):
        send_notice(
            key=None,  # every request that passed the limits is a new link
            to=[user.email],
            subject=SUBJECT,
            template="accounts/email/password_reset",
            context={
                "full_name": user.full_name,
                "link": set_password_link(user, settings.SITE_URL),
            },
            kind="password_reset",
        )
        sent += 1
    return sent
