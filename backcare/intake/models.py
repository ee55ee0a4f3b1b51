"""Intake questionnaires as the client or the front desk filled them in (SPEC §2 step 1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from backcare.clinic.models import Client


class Intake(models.Model):
    """One filling-in of the questionnaire: a draft while it is being answered, then a
    numbered version that is never changed. Updating the health history starts a new draft
    from the last version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Submitted"

    class Source(models.TextChoices):
        PORTAL = "portal", "Client portal"
        STAFF = "staff", "Front desk"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    questionnaire_version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict, blank=True)
    """Question id -> the answer as given (see intake/questionnaire.py)."""
    steps_done = models.JSONField(default=list, blank=True)
    codes = models.JSONField(default=list, blank=True)
    """The screening codes derived from the answers when submitted."""
    screening_input = models.JSONField(null=True, blank=True)
    """The SPEC §3 input the answers produced when submitted (with the age on that day)."""
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    desk_blank = models.BooleanField(default=False)
    """A blank draft the front desk fills in with the client present: started empty by the desk
    and answered by the desk alone since. The only questionnaire the front desk may open
    (``policy.Action.INTAKE_FILL``); anyone else answering a step clears it."""
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-submitted_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("client",),
                condition=models.Q(status="draft"),
                name="intake_one_draft_per_client",
            ),
            models.UniqueConstraint(
                fields=("client", "version"),
                condition=models.Q(version__isnull=False),
                name="intake_version_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", version__isnull=True)
                | models.Q(status="submitted", version__isnull=False, submitted_at__isnull=False),
                name="intake_submitted_has_version",
            ),
        ]

    def __str__(self) -> str:
        if self.version is None:
            return f"Intake draft for {self.client}"
        return f"Intake v{self.version} for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("intake:detail", args=[self.client_id, self.pk])

    def answer(self, question_id: str) -> Any:
        return self.answers.get(question_id)
