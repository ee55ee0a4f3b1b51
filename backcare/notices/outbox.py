"""The one way Backcare sends email: :func:`send_notice` puts it on the task queue.

The worker (``backcare worker``) renders and sends it. Each email has a key, and a
:class:`~backcare.notices.models.Notice` row with that key is inserted before anything is
sent, so the same email never leaves twice however often it is enqueued or however many workers
run.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
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
    arguments: dict[str, Any] = {
        "key": key,
        "kind": kind or template.rsplit("/", 1)[-1],
        "to": list(to),
        "subject": subject,
        "template": template,
        "context": context,
        "attachments": [
            [name, base64.b64encode(content).decode("ascii"), mimetype]
            for name, content, mimetype in attachments
        ],
        "appointment_id": appointment_id,
        "reply_to": reply_to if reply_to is not None else clinic_reply_to(),
    }
    transaction.on_commit(lambda: deliver_notice.enqueue(**arguments), robust=True)
    return key


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
    """Claim ``key`` and send the email now. False when someone already claimed it.

    The claim is committed before the email is sent, so a competing worker sees it at once. If
    sending fails the claim is released, so a retry (or ``send_due_reminders``) can send it.
    """
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                key=key,
                kind=kind,
                recipient=", ".join(to)[:500],
                appointment_id=appointment_id,
            )
    except IntegrityError:
        logger.info("Notice %s was already sent or is being sent; not sending it again.", key)
        return False
    try:
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            to=to,
            reply_to=reply_to or None,
        )
        with contextlib.suppress(TemplateDoesNotExist):  # the HTML version is optional
            message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
    except BaseException:
        Notice.objects.filter(pk=notice.pk).delete()
        raise
    notice.sent_at = timezone.now()
    notice.save(update_fields=["sent_at"])
    return True


@task()
def deliver_notice(
    *,
    key: str,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: list[list[str]],
    appointment_id: int | None,
    reply_to: list[str] | None = None,
) -> bool:
    """The queued half of :func:`send_notice`; attachments arrive base64-encoded."""
    return deliver(
        key=key,
        kind=kind,
        to=to,
        subject=subject,
        template=template,
        context=context,
        attachments=[
            (name, base64.b64decode(content), mimetype) for name, content, mimetype in attachments
        ],
        appointment_id=appointment_id,
        reply_to=reply_to,
    )


def clinic_reply_to() -> list[str]:
    return [settings.CLINIC_EMAIL] if settings.CLINIC_EMAIL else []
