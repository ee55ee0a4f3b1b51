"""Every answered outcome questionnaire, with the score it gave (SPEC §5).

The answers are kept exactly as given, beside the score and whatever else the scoring returned
(subscales, category, proration), so a score can always be traced back to what was answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backcare.clinic.models import Client


class Occasion(models.TextChoices):
    INTAKE = "intake", "Intake (baseline)"
    CHECK_IN = "check_in", "Check-in"
    REASSESSMENT = "reassessment", "Reassessment"
    DISCHARGE = "discharge", "Discharge"
    OTHER = "other", "Other"


class Response(models.Model):
    """One instrument answered once by one client."""

    Occasion = Occasion

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="responses")
    instrument = models.CharField(max_length=60)
    """The instrument's id, e.g. ``nrs`` (``backcare/outcomes/instruments/``)."""
    answers = models.JSONField()
    """The answers in item order, verbatim as given."""
    score = models.FloatField()
    details = models.JSONField(default=dict)
    """What the scoring returned beside the score (``Score.to_dict()``)."""
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    program = models.ForeignKey(
        "care.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    collected_at = models.DateTimeField()
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("collected_at", "pk")
        indexes = [
            models.Index(
                fields=("client", "instrument", "collected_at"), name="response_client_instrument"
            ),
            models.Index(fields=("program", "occasion"), name="response_program_occasion"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occasion__in=Occasion.values), name="response_occasion_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.upper()} {self.score:g} for {self.client}"
