"""The owner's one write on the outbox: trying an undeliverable email again, audited."""

from __future__ import annotations

from django.db import transaction

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.notices.models import Notice
from backcare.notices.outbox import retry_notice


@transaction.atomic
def retry_undeliverable(actor: User, notice: Notice) -> bool:
    """Send an email Backcare gave up on again, with a fresh set of tries. False (and nothing
    recorded) when it is no longer undeliverable: sent, or someone else asked first."""
    previous = {"attempts": notice.attempts, "last_error": notice.last_error}
    if not retry_notice(notice):
        return False
    record(
        actor,
        "email.retried",
        notice,
        changes={
            "attempts": {"before": previous["attempts"], "after": 0},
            "last_error": {"before": previous["last_error"], "after": ""},
        },
    )
    return True
