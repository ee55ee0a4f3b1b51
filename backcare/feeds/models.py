"""A therapist's private calendar feed: a secret address their calendar app subscribes to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from backcare.clinic.models import Therapist


class CalendarFeed(models.Model):
    """Only the SHA-256 of the token is kept: the address is shown once, when it is made, and a
    copy of the database does not let anyone read the therapists' calendars."""

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("therapist",),
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_calendar_feed_per_therapist",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.therapist}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
