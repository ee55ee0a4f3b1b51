"""Named write actions for calendar feeds, each audited."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.clinic.models import Therapist
from backcare.feeds.models import CalendarFeed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return urljoin(settings.SITE_URL, reverse("feeds:calendar", kwargs={"token": token}))


@transaction.atomic
def create_feed(actor: User, therapist: Therapist) -> tuple[CalendarFeed, str]:
    """A new feed for ``therapist`` and its secret token, which is never stored.

    A therapist has one feed at a time: making a new one revokes the old address.
    """
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()  # one at a time
    for old in CalendarFeed.objects.filter(therapist=therapist, revoked_at__isnull=True):
        revoke_feed(actor, old)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(therapist=therapist, token_hash=hash_token(token))
    record(actor, "calendar_feed.created", feed, changes={"therapist": {"after": therapist.pk}})
    return feed, token


@transaction.atomic
def revoke_feed(actor: User, feed: CalendarFeed) -> None:
    """The feed's address stops working at once. Revoking twice changes nothing."""
    if feed.revoked_at is not None:
        return
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record(
        actor,
        "calendar_feed.revoked",
        feed,
        changes={"revoked_at": {"before": None, "after": feed.revoked_at.isoformat()}},
    )
