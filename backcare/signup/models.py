"""A time held for a visitor of the clinic's booking page while they sign up (SPEC §10).

A held time blocks its therapist (and its room) in availability exactly as an appointment does,
until it expires by itself: nothing needs to run to free it, because every search asks only for
the held times that have not yet expired. It is not an appointment: the booking happens at the
end, through the booking action, once the person has an account and has been screened.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models

from backcare.clinic.models import Client, Location, Room, Service, Therapist

HOLD_FOR = dt.timedelta(minutes=15)


class HeldTime(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    """The held time's name in the visitor's addresses: hard to guess, never a counter."""
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    blocked_until = models.DateTimeField()
    """The end of the session's buffer: what the held time keeps from others, as a booking."""
    expires_at = models.DateTimeField()
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="held_times"
    )
    """Who signed up for it, once they have."""
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=("therapist", "starts")),
            models.Index(fields=("location", "starts")),
            models.Index(fields=("expires_at",)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts"))
                & models.Q(blocked_until__gte=models.F("ends")),
                name="held_time_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.therapist} at {self.starts:%Y-%m-%d %H:%M} UTC (held)"

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at <= now
