"""The waitlist (SPEC §4): clients who asked for an earlier time, and the offers of freed slots.

An entry waits for a slot at one location, with one therapist or anyone, on local dates from
``earliest`` to ``latest`` and at the times of day ticked. When an appointment is cancelled or
moved, the first matching entry gets an offer (``backcare.waitlist.actions``); an offer is
reached by a secret link, of which only the SHA-256 is stored, and lapses at ``expires_at``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backcare.booking.models import Appointment
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.waitlist.matching import TimeOfDay


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "Waiting"
    OFFERED = "offered", "Offered a time"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Left the waitlist"
    EXPIRED = "expired", "Dates passed"


OPEN_ENTRY_STATUSES = (EntryStatus.ACTIVE, EntryStatus.OFFERED)


class WaitlistEntry(models.Model):
    Status = EntryStatus

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="waitlist_entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Leave empty for any therapist.",
    )
    earliest = models.DateField("from", help_text="The first day that would suit.")
    latest = models.DateField("until", help_text="The last day that would suit.")
    mornings = models.BooleanField("mornings (before noon)", default=True)
    afternoons = models.BooleanField("afternoons (noon to 5 PM)", default=True)
    evenings = models.BooleanField("evenings (from 5 PM)", default=True)
    status = models.CharField(
        max_length=20, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The appointment an accepted offer booked.",
    )

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(
                fields=("location", "status", "created_at"), name="waitlist_open_by_place"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest__gte=models.F("earliest")),
                name="waitlist_latest_on_or_after_earliest",
            ),
            models.CheckConstraint(
                condition=models.Q(mornings=True)
                | models.Q(afternoons=True)
                | models.Q(evenings=True),
                name="waitlist_some_time_of_day",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EntryStatus.values), name="waitlist_status_known"
            ),
            # One open wish per client, service and location: asking twice changes nothing.
            models.UniqueConstraint(
                fields=("client", "service", "location"),
                condition=models.Q(status__in=[s.value for s in OPEN_ENTRY_STATUSES]),
                name="waitlist_one_open_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} waiting for {self.service} at {self.location}"

    def get_absolute_url(self) -> str:
        return reverse("waitlist:portal_list")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENTRY_STATUSES

    def times_of_day(self) -> frozenset[TimeOfDay]:
        chosen = (
            (self.mornings, TimeOfDay.MORNING),
            (self.afternoons, TimeOfDay.AFTERNOON),
            (self.evenings, TimeOfDay.EVENING),
        )
        return frozenset(part for wanted, part in chosen if wanted)

    def times_of_day_display(self) -> str:
        parts = [part.value for part in TimeOfDay if part in self.times_of_day()]
        if len(parts) == len(TimeOfDay):
            return "any time of day"
        return " or ".join(f"{part}s" for part in parts)


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Lapsed"
    DECLINED = "declined", "Declined"
    TAKEN = "taken", "Taken by someone else first"


class WaitlistOffer(models.Model):
    """A freed slot offered to one entry. The slot is not held: whoever books it first has it."""

    Status = OfferStatus

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "pk")
        indexes = [
            models.Index(fields=("status", "expires_at"), name="waitlist_offer_due"),
            models.Index(fields=("therapist", "starts"), name="waitlist_offer_slot"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="waitlist_offer_end_after"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OfferStatus.values),
                name="waitlist_offer_status_known",
            ),
            # A slot is offered to one client at a time, and a client holds one offer at a time.
            models.UniqueConstraint(
                fields=("therapist", "starts"),
                condition=models.Q(status=OfferStatus.PENDING),
                name="waitlist_one_pending_offer_per_slot",
            ),
            models.UniqueConstraint(
                fields=("entry",),
                condition=models.Q(status=OfferStatus.PENDING),
                name="waitlist_one_pending_offer_per_entry",
            ),
        ]

    def __str__(self) -> str:
        local = self.starts.astimezone(self.entry.location.zone)
        return f"Offer of {local:%Y-%m-%d %H:%M} to {self.entry.client}"
