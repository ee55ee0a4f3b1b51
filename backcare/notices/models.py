"""A record of every email Backcare has sent, or is about to send."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Notice(models.Model):
    """One email, identified by its ``key``: an outbox row, written in the same transaction as
    the change it tells about, with everything needed to send it.

    The unique key is the promise that an email is made once however often it is asked for. A
    sender claims the row for a while (``claimed_until``) before sending and records
    ``sent_at`` after: a failed send or a sender that died mid-way leaves the row unsent, and
    ``backcare send_pending_notices`` (cron) sends it later — at least once, and never twice
    while a claim stands. The Message-ID comes from the key, so a mail system can drop the
    copy of the rare email whose sender died after the server took it.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    recipient = models.CharField(max_length=500)
    appointment_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What to send (JSON values: rendered by the sender).
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300, blank=True)
    template = models.CharField(max_length=200, blank=True)
    context = models.JSONField(default=dict)
    attachments = models.JSONField(default=list)
    """``[[file name, base64 content, MIME type]]``; an attachment the sender makes before the
    first try (a PDF, ``outbox.Prepared``) is ``[file name, None, MIME type, {"maker": …,
    "args": …}]`` until then."""
    reply_to = models.JSONField(default=list)
    # How sending went.
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    undeliverable_at = models.DateTimeField(null=True, blank=True)
    """Set when sending failed ``EMAIL_MAX_ATTEMPTS`` times: no more tries until the owner
    asks for one (``retry_notice``)."""

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(
                fields=("next_attempt_at",),
                condition=models.Q(sent_at__isnull=True),
                name="notice_unsent_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"
