"""Treatment programs, their goals and every change of their status (SPEC §2 step 3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from backcare.clinic.models import Client, Service, Therapist
from backcare.screening.models import Clearance, Screening


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    DISCHARGED = "discharged", "Discharged"
    REFERRED_OUT = "referred_out", "Referred out"


# Where a program may go from each status (SPEC §2 step 3: draft → active → paused →
# completed | discharged | referred_out). Ended programs stay ended.
STATUS_FLOW: dict[str, tuple[str, ...]] = {
    # A draft pauses too: an alert pauses any program that has not ended (SPEC §2a).
    ProgramStatus.DRAFT: (ProgramStatus.ACTIVE, ProgramStatus.PAUSED, ProgramStatus.DISCHARGED),
    ProgramStatus.ACTIVE: (
        ProgramStatus.PAUSED,
        ProgramStatus.COMPLETED,
        ProgramStatus.DISCHARGED,
        ProgramStatus.REFERRED_OUT,
    ),
    ProgramStatus.PAUSED: (
        ProgramStatus.ACTIVE,
        ProgramStatus.DISCHARGED,
        ProgramStatus.REFERRED_OUT,
    ),
    ProgramStatus.COMPLETED: (),
    ProgramStatus.DISCHARGED: (),
    ProgramStatus.REFERRED_OUT: (),
}
ENDED_STATUSES = (ProgramStatus.COMPLETED, ProgramStatus.DISCHARGED, ProgramStatus.REFERRED_OUT)
RUNNING_STATUSES = (ProgramStatus.DRAFT, ProgramStatus.ACTIVE, ProgramStatus.PAUSED)


class Program(models.Model):
    """One client's course of massage, made from a template (``care/templates.json``) and
    limited by the screening that allowed it."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="programs")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="programs")
    template = models.CharField(max_length=60)
    """The key of the template it was made from."""
    title = models.CharField(max_length=200)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="programs")
    sessions_planned = models.PositiveSmallIntegerField(
        "sessions", validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        "sessions a week", validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    reassessment_sessions = models.JSONField(default=list)
    """Session numbers (1-based) at which outcomes are measured again, e.g. ``[4, 10]``."""
    techniques = models.JSONField(default=list)
    """Planned technique codes, only those the screening allows."""
    pressure_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    """The highest pressure (1–5) the screening allows; none means no cap."""
    positioning = models.JSONField(default=list)
    """Positioning instructions carried over from the screening."""
    self_care = models.TextField("self-care and home exercise", blank=True)
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="programs")
    """The screening that allowed the program when it was made or last resumed."""
    status = models.CharField(
        max_length=12, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=("client", "status"), name="program_client_status"),
            models.Index(fields=("therapist", "status"), name="program_therapist_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProgramStatus.values), name="program_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(pressure_cap__isnull=True)
                | models.Q(pressure_cap__gte=1, pressure_cap__lte=5),
                name="program_pressure_cap_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_planned__gte=1, sessions_planned__lte=52),
                name="program_sessions_1_to_52",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_per_week__gte=1, sessions_per_week__lte=2),
                name="program_sessions_a_week_1_to_2",
            ),
            # A client has at most one running program (draft, active or paused).
            models.UniqueConstraint(
                fields=("client",),
                condition=models.Q(status__in=RUNNING_STATUSES),
                name="program_one_running_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("care:program", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES


class Goal(models.Model):
    """A PSFS activity the client wants to do again, scored 0 (unable) to 10 (as before)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goals")
    activity = models.CharField(max_length=200)
    baseline = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    target = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__lte=10), name="goal_target_0_to_10"),
            models.CheckConstraint(
                condition=models.Q(baseline__isnull=True) | models.Q(baseline__lte=10),
                name="goal_baseline_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return self.activity


class StatusChange(models.Model):
    """Every move of a program from one status to another, with the reason given. Resuming a
    paused program names the clearance or carries the therapist's documented decision."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ProgramStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ProgramStatus.choices)
    reason = models.TextField()
    clearance = models.ForeignKey(
        Clearance, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"
