"""Every screening Backcare ran, and the medical clearances that answer them (SPEC §3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from backcare.accounts.validators import SingleLine
from backcare.clinic.models import Client
from backcare.intake.models import Intake
from backcare.private_files import private_storage
from backcare.screening import rules


class Decision(models.TextChoices):
    URGENT_REFERRAL = "urgent_referral", "Urgent referral"
    MEDICAL_CLEARANCE_REQUIRED = "medical_clearance_required", "Medical clearance required"
    CLEARED_WITH_PRECAUTIONS = "cleared_with_precautions", "Cleared with precautions"
    CLEARED = "cleared", "Cleared"


# Decisions that hold booking: staff are told, and the client's booked sessions are held.
HOLDING_DECISIONS = frozenset({Decision.URGENT_REFERRAL, Decision.MEDICAL_CLEARANCE_REQUIRED})


class Screening(models.Model):
    """One run of the safety rules, kept with the rule-set version that produced it."""

    class Trigger(models.TextChoices):
        INTAKE = "intake", "Intake submitted"
        CHECK_IN = "check_in", "Check-in"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="screenings")
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    input = models.JSONField()
    """The SPEC §3 input exactly as screened."""
    result = models.JSONField()
    """The SPEC §3 output, plus ``instructions``, ``adult`` and ``booking_message``."""
    decision = models.CharField(max_length=30, choices=Decision.choices)
    ruleset_version = models.CharField(max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("client", "-created_at"), name="screening_latest")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.client} ({self.created_at:%Y-%m-%d})"

    @property
    def outcome(self) -> rules.Screening:
        """The screening as it came out, whatever the rules say today."""
        return rules.Screening.from_record(self.result)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The stored reasons, each with its decision in words (``decision_label``)."""
        return [
            {**reason, "decision_label": Decision(reason["decision"]).label}
            for reason in self.result.get("reasons", ())
        ]

    @property
    def techniques(self) -> dict[str, str]:
        return dict(self.result.get("techniques", {}))

    @property
    def instructions(self) -> dict[str, str]:
        return dict(self.result.get("instructions", {}))

    @property
    def clearance_codes(self) -> list[str]:
        """The reasons a physician must clear before the program starts."""
        return sorted(
            reason["code"]
            for reason in self.reasons
            if reason["decision"] == Decision.MEDICAL_CLEARANCE_REQUIRED
        )

    @property
    def client_messages(self) -> list[str]:
        return [reason["client_message"] for reason in self.reasons if reason["client_message"]]


RESTRICTIONS_MAX = 1000  # a clearance's restrictions, as a person types them


class Clearance(models.Model):
    """A physician's clearance for massage, as recorded by staff. It covers the clearance-level
    reasons of the screening it answers; a later screening with a new such reason blocks again."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="clearances")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="clearances")
    covers = models.JSONField(default=list)
    """The screening codes this clearance answers."""
    physician_name = models.CharField(
        "physician", max_length=120, validators=[SingleLine("physician's name")]
    )
    physician_practice = models.CharField("practice", max_length=160, blank=True)
    cleared_on = models.DateField("date of clearance")
    restrictions = models.TextField(
        blank=True,
        max_length=RESTRICTIONS_MAX,
        help_text="Anything the physician asks the therapist to avoid or adapt.",
    )
    document = models.FileField(
        "signed clearance (PDF or photo)",
        storage=private_storage,
        upload_to="clearances/%Y/%m/",
        blank=True,
    )
    document_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ("-recorded_at", "-pk")

    def __str__(self) -> str:
        return f"Clearance by {self.physician_name} on {self.cleared_on:%Y-%m-%d}"
