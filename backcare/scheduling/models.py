"""When therapists work and when the clinic is open (SPEC §4): working hours and breaks, time
off, closures and the booking policy.

Appointments live in ``backcare.booking``; the range function and the PostgreSQL-only exclusion
constraint below are the database tools its models use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from backcare.clinic.models import Location, Therapist
from backcare.scheduling import clock as clinic_clock


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


class Clock(models.IntegerChoices):
    TWELVE_HOUR = 12, "12-hour (3:00 PM)"
    TWENTY_FOUR_HOUR = 24, "24-hour (15:00)"


class BookingPolicy(models.Model):
    """The clinic's booking rules, and its clock: one row, created on first use by
    :meth:`current`."""

    GRID_MINUTES = 15

    min_notice_minutes = models.PositiveIntegerField(
        "minimum notice (minutes)",
        default=120,
        help_text="Clients cannot book sooner than this; staff can.",
    )
    horizon_days = models.PositiveIntegerField(
        "booking horizon (days)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
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

    clock = models.PositiveSmallIntegerField(
        "time format",
        choices=Clock.choices,
        default=Clock.TWELVE_HOUR,
        help_text="How every time is written: on the pages, in emails and in letters.",
    )

    class Meta:
        verbose_name_plural = "booking policy"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="booking_policy_single_row"),
            models.CheckConstraint(
                condition=models.Q(held_sessions__in=HeldSessions.values),
                name="booking_policy_held_sessions_known",
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, horizon_days__lte=3660),
                name="booking_policy_horizon_1_day_to_10_years",
            ),
            models.CheckConstraint(
                condition=models.Q(min_notice_minutes__gte=0, cancellation_window_hours__gte=0),
                name="booking_policy_notice_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(clock__in=Clock.values), name="booking_policy_clock_known"
            ),
        ]

    def __str__(self) -> str:
        return "Booking policy"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        clinic_clock.forget()

    @classmethod
    def current(cls) -> BookingPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        clinic_clock.remember(policy.clock)  # the page's times need not read it again
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
