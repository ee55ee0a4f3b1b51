"""Decisions that lift a clinical hold (SPEC §2a). Append-only: a decision is never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backcare.accounts.validators import SingleLine
from backcare.clinic.models import Client


class HoldRelease(models.Model):
    """A named decision that lifts the causes of a hold it lists, with who made it and why."""

    class Basis(models.TextChoices):
        CLEARANCE = "clearance", "A doctor's clearance"
        PHYSICIAN_REPLY = "physician_reply", "A doctor's reply"
        OWNER_OVERRIDE = "owner_override", "The owner's decision"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="hold_releases")
    covers = models.JSONField(default=list)
    """The keys of the causes lifted (``alert:7``, ``screening:12``, ``program:3:41``)."""
    basis = models.CharField(max_length=20, choices=Basis.choices)
    physician_name = models.CharField(
        "doctor", max_length=120, blank=True, validators=[SingleLine("doctor's name")]
    )
    answered_on = models.DateField("date of the doctor's answer", null=True, blank=True)
    reason = models.TextField("what was decided and why")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField()

    class Meta:
        ordering = ("-released_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="hold_release_has_a_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(basis="owner_override") | ~models.Q(physician_name=""),
                name="hold_release_names_the_doctor",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold lifted for {self.client} ({self.get_basis_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("A hold decision is never changed; record a new one.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
