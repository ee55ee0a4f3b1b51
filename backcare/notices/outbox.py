"""The one way Backcare sends email: :func:`send_notice` writes it to the outbox.

Each email is a :class:`~backcare.notices.models.Notice` row with a unique key, written in the
same transaction as the change it tells about, and queued for the worker (``backcare worker``)
once that commits. The sender claims the row, sends, and records the time: an email is sent at
least once (a failure or a dead worker leaves it unsent; ``backcare send_pending_notices``
tries again with a growing delay) and never twice (one row per key, one sender per claim).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from backcare.notices.models import Notice

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]  # (file name, content, MIME type)


def send_notice(
    *,
    key: str | None,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    kind: str | None = None,
    appointment_id: int | None = None,
    reply_to: list[str] | None = None,
) -> str:
    """Send an email from the background worker once the current transaction commits.

    - ``key`` makes the email idempotent: an email whose key was already used is never sent
      again, even when this is called twice, the task runs twice, or two workers race. Build it
      from what makes the email unique (``f"screening-alert-{screening.pk}"``). ``None`` means
      "always a new email" and a random key is used.
    - ``to`` is a non-empty list of addresses.
    - ``template`` names a template without its extension: ``notices/appointment_booked``
      renders ``notices/appointment_booked.txt`` (required, wrap it in ``{% autoescape off %}``)
      and ``….html`` if it exists (sent as the HTML alternative).
    - ``context`` is the template's context. It travels through the database, so it must hold
      JSON values only (strings, numbers, booleans, lists, dicts, None): format dates and money
      into text before calling. Anything else is refused here with :class:`TypeError`.
    - ``attachments`` are ``(file name, content bytes, MIME type)``.
    - ``reply_to`` defaults to the clinic's address (``CLINIC_EMAIL``) when there is one.
    - ``kind`` is recorded on the Notice for the people reading the log (default: the template's
      last path part); ``appointment_id`` too, when the email is about an appointment.

    Nothing is sent if the transaction rolls back. Returns the key.
    """
    if not to or not all(isinstance(address, str) and "@" in address for address in to):
        raise ValueError(f"send_notice needs a list of email addresses, not {to!r}.")
    try:
        json.dumps(context)
    except TypeError as error:
        raise TypeError(f"send_notice's context must hold JSON values only: {error}") from None
    key = key or f"notice-{uuid.uuid4()}"
    notice = record_notice(
        key=key,
        kind=kind or template.rsplit("/", 1)[-1],
        to=to,
        subject=subject,
        template=template,
        context=context,
        attachments=attachments,
        appointment_id=appointment_id,
        reply_to=reply_to if reply_to is not None else clinic_reply_to(),
    )
    if notice.sent_at is None:
        transaction.on_commit(lambda: deliver_notice.enqueue(key=key), robust=True)
    return key


def record_notice(
    *,
    key: str,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    appointment_id: int | None = None,
    reply_to: list[str] | None = None,
) -> Notice:
    """The outbox row of ``key``: written now, in the caller's transaction (so a rolled-back
    change sends nothing), or the one already there (so asking twice makes one email)."""
    try:
        with transaction.atomic():
            return Notice.objects.create(
                key=key,
                kind=kind,
                recipient=", ".join(to)[:500],
                appointment_id=appointment_id,
                to=list(to),
                subject=subject,
                template=template,
                context=context,
                attachments=[
                    [name, base64.b64encode(content).decode("ascii"), mimetype]
                    for name, content, mimetype in attachments
                ],
                reply_to=list(reply_to or []),
            )
    except IntegrityError:
        return Notice.objects.get(key=key)


# A sender holds its claim this long; a sender that died frees the email when it lapses.
CLAIM = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 12


def _retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), dt.timedelta(hours=6))


def _message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "backcare.local"
    return f"<{digest}@{domain}>"


def deliver_pending(key: str, *, now: dt.datetime | None = None) -> bool:
    """Claim the unsent email ``key`` and send it. True when it went out; False when it was
    sent already, someone else holds it, or sending failed (it is then tried again later)."""
    now = now or timezone.now()
    claimed = (
        Notice.objects.filter(key=key, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    if not claimed:
        logger.info("Notice %s was already sent or is being sent; not sending it again.", key)
        return False
    notice = Notice.objects.get(key=key)
    try:
        message = EmailMultiAlternatives(
            subject=notice.subject,
            body=render_to_string(f"{notice.template}.txt", notice.context),
            to=list(notice.to),
            reply_to=list(notice.reply_to) or None,
            headers={"Message-ID": _message_id(key)},
        )
        with contextlib.suppress(TemplateDoesNotExist):  # the HTML version is optional
            message.attach_alternative(
                render_to_string(f"{notice.template}.html", notice.context), "text/html"
            )
        for name, content, mimetype in notice.attachments:
            message.attach(name, base64.b64decode(content), mimetype)
        message.send()
    except Exception as error:
        Notice.objects.filter(pk=notice.pk).update(
            claimed_until=None,
            next_attempt_at=now + _retry_delay(notice.attempts),
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("Notice %s could not be sent (try %s): %s", key, notice.attempts, error)
        return False
    Notice.objects.filter(pk=notice.pk).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def deliver(
    *,
    key: str,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    appointment_id: int | None = None,
    reply_to: list[str] | None = None,
) -> bool:
    """Record the email ``key`` (if it is new) and send it now. False when it was sent
    already, is being sent, or could not be sent yet (it is then tried again later)."""
    record_notice(
        key=key,
        kind=kind,
        to=to,
        subject=subject,
        template=template,
        context=context,
        attachments=attachments,
        appointment_id=appointment_id,
        reply_to=reply_to,
    )
    return deliver_pending(key)


@task()
def deliver_notice(*, key: str, **legacy: Any) -> bool:
    """The queued half of :func:`send_notice`: send the recorded email ``key``. Tasks queued
    before the outbox held the email carry it themselves (``legacy``): it is recorded first."""
    if legacy and not Notice.objects.filter(key=key).exists():
        record_notice(
            key=key,
            kind=legacy["kind"],
            to=legacy["to"],
            subject=legacy["subject"],
            template=legacy["template"],
            context=legacy["context"],
            attachments=[
                (name, base64.b64decode(content), mimetype)
                for name, content, mimetype in legacy.get("attachments") or []
            ],
            appointment_id=legacy.get("appointment_id"),
            reply_to=legacy.get("reply_to"),
        )
    return deliver_pending(key)


def send_pending(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The safety net (``backcare send_pending_notices``, from cron): send every email that is
    due and unsent — its sender failed, or died holding a claim that has lapsed. Returns how
    many went out and how many are still waiting."""
    now = now or timezone.now()
    due = list(
        Notice.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exclude(template="")
        .filter(attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("key", flat=True)
    )
    sent = sum(1 for key in due if deliver_pending(key, now=now))
    return sent, len(due) - sent


def clinic_reply_to() -> list[str]:
    return [settings.CLINIC_EMAIL] if settings.CLINIC_EMAIL else []
