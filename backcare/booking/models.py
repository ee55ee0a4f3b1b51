"""Who is booked with whom, when and where (SPEC §4).

No two active appointments may overlap for one therapist, one room or one client. On PostgreSQL
the database refuses it with exclusion constraints (:class:`PostgresExclusionConstraint`); on
SQLite, whose transactions are IMMEDIATE (one writer at a time), the booking actions re-check
inside the transaction. See ``backcare/booking/actions/``.

The table keeps its first name (``scheduling_appointment``): the model moved here from the
scheduling app without touching the data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.urls import reverse

from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.scheduling.models import PostgresExclusionConstraint, TsTzRange


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# A cancelled or missed appointment frees its time; every other status holds it.
ACTIVE_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)
_ACTIVE = models.Q(status__in=[status.value for status in ACTIVE_STATUSES])


class Appointment(models.Model):
    """A client booked with a therapist for a service, at a location and maybe in a room.

    ``starts`` and ``ends`` are UTC; ``blocked_until`` is ``ends`` plus the service's buffer
    after, stored so that the database can refuse overlaps with it. The therapist and the room
    are busy until ``blocked_until``; the client only until ``ends``.
    """

    Status = AppointmentStatus

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="The end plus the service's buffer after.")
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    late_cancellation = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    booked_at = models.DateTimeField()
    updated_at = models.DateTimeField("last changed", auto_now=True, db_index=True)
    """When the appointment last changed (booked, moved, checked in, completed, missed,
    cancelled): what connected systems' incremental reads go by. Every write names it in
    ``update_fields``; a queryset ``update()`` sets it itself."""
    series = models.UUIDField(
        null=True, blank=True, help_text="Shared by the appointments of a series booked at once."
    )
    notes = models.TextField(blank=True)
    program = models.ForeignKey(
        "care.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="The care program this session belongs to, if any.",
    )

    class Meta:
        db_table = "scheduling_appointment"
        ordering = ("starts",)
        indexes = [
            models.Index(fields=("therapist", "starts"), name="appointment_therapist_starts"),
            models.Index(fields=("location", "starts"), name="appointment_location_starts"),
            models.Index(fields=("client", "starts"), name="appointment_client_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="appointment_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gte=models.F("ends")),
                name="appointment_blocked_until_after_end",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AppointmentStatus.values),
                name="appointment_status_known",
            ),
            PostgresExclusionConstraint(
                name="appointment_therapist_no_overlap",
                expressions=[
                    (TsTzRange("starts", "blocked_until"), RangeOperators.OVERLAPS),
                    ("therapist", RangeOperators.EQUAL),
                ],
                condition=_ACTIVE,
            ),
            PostgresExclusionConstraint(
                name="appointment_room_no_overlap",
                expressions=[
                    (TsTzRange("starts", "blocked_until"), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=_ACTIVE & models.Q(room__isnull=False),
            ),
            PostgresExclusionConstraint(
                name="appointment_client_no_overlap",
                expressions=[
                    (TsTzRange("starts", "ends"), RangeOperators.OVERLAPS),
                    ("client", RangeOperators.EQUAL),
                ],
                condition=_ACTIVE,
            ),
        ]

    def __str__(self) -> str:
        local = self.starts.astimezone(self.location.zone)
        return f"{self.service} for {self.client} on {local:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("scheduling:appointment", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def local_starts(self) -> dt.datetime:
        return self.starts.astimezone(self.location.zone)
