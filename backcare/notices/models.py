"""A record of every email Backcare has sent, or is about to send."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Notice(models.Model):
    """One email, identified by its ``key``.

    The unique key is the promise that an email goes out at most once: whoever inserts the row
    sends, and anyone else who tries (a second worker, a task enqueued twice, the safety-net
    command) fails on the constraint and sends nothing. ``sent_at`` stays empty while the email
    is on its way, and for good if the process died between claiming and sending.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    recipient = models.CharField(max_length=500)
    appointment_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"
