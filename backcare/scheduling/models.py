"""When therapists work and who is booked with them (SPEC §4).

No two active appointments may overlap for one therapist, one room or one client. On PostgreSQL
the database refuses it with exclusion constraints (:class:`PostgresExclusionConstraint`); on
SQLite, whose transactions are IMMEDIATE (one writer at a time), the booking actions re-check
inside the transaction. See ``backcare/scheduling/actions.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.urls import reverse

from backcare.clinic.models import Client, Location, Room, Service, Therapist


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """A therapist's hours on one weekday at one location, in the location's wall-clock time."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ("therapist", "weekday", "starts")
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="hours_end_after_start"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Break(models.Model):
    hours = models.ForeignKey(WorkingHours, on_delete=models.CASCADE, related_name="breaks")
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ("starts",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="break_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"break {self.starts:%H:%M}–{self.ends:%H:%M}"


class TimeOff(models.Model):
    """A therapist is away: holiday, training, sick leave. Aware datetimes, stored in UTC."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="time_off")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("therapist", "starts")
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=("therapist", "starts"), name="timeoff_therapist_starts")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="timeoff_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} away {self.starts:%Y-%m-%d %H:%M}–{self.ends:%Y-%m-%d %H:%M} UTC"


class Closure(models.Model):
    """Whole local days on which a location (or, with no location, every location) is closed."""

    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        related_name="closures",
        null=True,
        blank=True,
        help_text="Leave empty to close every location.",
    )
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    name = models.CharField(max_length=120, blank=True, help_text="For example Thanksgiving.")

    class Meta:
        ordering = ("starts_on",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        where = self.location.name if self.location is not None else "all locations"
        label = self.name or "Closed"
        if self.starts_on == self.ends_on:
            return f"{label}: {where}, {self.starts_on:%Y-%m-%d}"
        return f"{label}: {where}, {self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d}"

    def days(self) -> list[dt.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + dt.timedelta(days=index) for index in range(count)]


class HeldSessions(models.TextChoices):
    HOLD = "hold", "Keep them on the calendar, flagged, until the hold is lifted"
    CANCEL = "cancel", "Cancel them"


class BookingPolicy(models.Model):
    """The clinic's booking rules: one row, created on first use by :meth:`current`."""

    GRID_MINUTES = 15

    min_notice_minutes = models.PositiveIntegerField(
        "minimum notice (minutes)",
        default=120,
        help_text="Clients cannot book sooner than this; staff can.",
    )
    horizon_days = models.PositiveIntegerField(
        "booking horizon (days)",
        default=60,
        validators=[MinValueValidator(1)],
        help_text="Clients can book this many days ahead; staff further.",
    )
    cancellation_window_hours = models.PositiveIntegerField(
        "cancellation window (hours)",
        default=24,
        help_text="Inside this window only staff can cancel, and it counts as a late cancellation.",
    )
    held_sessions = models.CharField(
        "booked sessions of a client on hold",
        max_length=10,
        choices=HeldSessions.choices,
        default=HeldSessions.HOLD,
        help_text=(
            "When a client is put on hold (for example after a possible injury or a red flag), "
            "their booked sessions are either kept on the calendar, flagged, or cancelled. "
            "Either way the client is emailed."
        ),
    )

    class Meta:
        verbose_name_plural = "booking policy"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="booking_policy_single_row"),
        ]

    def __str__(self) -> str:
        return "Booking policy"

    @classmethod
    def current(cls) -> BookingPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy

    @property
    def grid_minutes(self) -> int:
        """Slots start on the quarter hour of the location's wall clock (SPEC §4): fixed."""
        return self.GRID_MINUTES

    @property
    def grid(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.GRID_MINUTES)

    @property
    def min_notice(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.min_notice_minutes)

    @property
    def horizon(self) -> dt.timedelta:
        return dt.timedelta(days=self.horizon_days)

    @property
    def cancellation_window(self) -> dt.timedelta:
        return dt.timedelta(hours=self.cancellation_window_hours)


class TsTzRange(models.Func):
    """PostgreSQL's ``tstzrange(lower, upper)``: half-open ``[lower, upper)`` by default."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL and is silently absent elsewhere.

    SQLite has no exclusion constraints; there, the booking actions keep the promise by
    re-checking inside an IMMEDIATE transaction. The migration state is the same on both
    databases, so ``makemigrations --check`` is clean on each.
    """

    @staticmethod
    def _is_postgres(schema_editor: BaseDatabaseSchemaEditor | None) -> bool:
        return schema_editor is not None and schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model: Any, schema_editor: BaseDatabaseSchemaEditor | None) -> Any:
        if not self._is_postgres(schema_editor):
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: BaseDatabaseSchemaEditor | None) -> Any:
        if not self._is_postgres(schema_editor):
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: BaseDatabaseSchemaEditor | None) -> Any:
        if not self._is_postgres(schema_editor):
            return None
        return super().remove_sql(model, schema_editor)

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


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
