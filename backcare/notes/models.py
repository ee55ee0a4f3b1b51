"""Check-ins, SOAP session notes with their addenda, and the alerts of the response monitor
(SPEC §2 steps 4 and 5).

A signed note never changes (SPEC §7). The model refuses ``save()`` and ``delete()`` of a signed
row, its queryset refuses ``update()`` and ``delete()`` touching one, and the database refuses
UPDATE (and, on PostgreSQL, DELETE) of a signed row through triggers installed by migration
0002. Corrections are addenda, which are append-only in the same way.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from backcare.booking.models import Appointment
from backcare.clinic.models import Client, Therapist
from backcare.notes.monitor import KINDS, TISSUE_RESPONSES
from backcare.screening.models import Screening

NRS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


class SignedNoteIsLocked(Exception):
    """Raised by any attempt to change or remove a signed note or an addendum."""


class CheckIn(models.Model):
    """The client's answers before a session: pain now, the red-flag questions again, changes
    in health or medication. One per appointment."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Client portal"
        DESK = "desk", "Front-desk tablet"

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="check_in_record"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="check_ins")
    program = models.ForeignKey(
        "care.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    nrs = models.PositiveSmallIntegerField("pain now (0–10)", validators=NRS_VALIDATORS)
    red_flag_answers = models.JSONField(default=dict)
    """Question id -> "yes"/"no", for the safety questions of the intake questionnaire."""
    red_flag_codes = models.JSONField(default=list)
    """The screening codes those answers add."""
    health_changed = models.BooleanField("changes in health or medication")
    health_changes = models.TextField("what changed", blank=True)
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session_stopped = models.BooleanField(default=False)
    """The screening at check-in holds care: no session and no note."""
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_in_at = models.DateTimeField()

    class Meta:
        ordering = ("-checked_in_at", "-pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(nrs__lte=10), name="check_in_nrs_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"Check-in for {self.appointment}"


class NoteQuerySet(models.QuerySet["SessionNote"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(signed_at__isnull=False).exists():
            raise SignedNoteIsLocked("A signed note cannot be changed; write an addendum.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(signed_at__isnull=False).exists():
            raise SignedNoteIsLocked("A signed note cannot be deleted.")
        return super().delete()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        if self.filter(pk__in=[obj.pk for obj in objs], signed_at__isnull=False).exists():
            raise SignedNoteIsLocked("A signed note cannot be changed; write an addendum.")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class SessionNote(models.Model):
    """The therapist's SOAP note of one session. A draft until signed; then locked."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="session_note"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="session_notes")
    program = models.ForeignKey(
        "care.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_notes",
    )
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="notes")
    # S
    subjective = models.TextField("client report", blank=True)
    pre_nrs = models.PositiveSmallIntegerField(
        "pain before the session (0–10)", null=True, blank=True, validators=NRS_VALIDATORS
    )
    # O
    findings = models.TextField(blank=True)
    areas = models.JSONField("areas treated", default=list, blank=True)
    fingertip_floor_cm = models.PositiveSmallIntegerField(
        "fingertip-to-floor distance (cm)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    # A
    techniques = models.JSONField(default=list, blank=True)
    """``[{"code", "minutes", "pressure"}]``, only the program's planned techniques."""
    tissue_response = models.CharField(max_length=20, choices=TISSUE_RESPONSES, blank=True)
    post_nrs = models.PositiveSmallIntegerField(
        "pain after the session (0–10)", null=True, blank=True, validators=NRS_VALIDATORS
    )
    adverse_events = models.TextField(blank=True)
    # P
    plan = models.TextField("next steps", blank=True)
    home_care = models.TextField(blank=True)

    created_at = models.DateTimeField()
    saved_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        base_manager_name = "objects"
        indexes = [models.Index(fields=("client", "-signed_at"), name="note_client_signed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="note_signed_with_signer",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True)
                | (
                    ~models.Q(tissue_response="")
                    & models.Q(pre_nrs__isnull=False, post_nrs__isnull=False)
                ),
                name="note_signed_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Session note for {self.appointment}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and (
            getattr(self, "_signed_when_loaded", False)
            or type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        ):
            raise SignedNoteIsLocked("A signed note cannot be changed; write an addendum.")
        super().save(*args, **kwargs)
        self._signed_when_loaded = self.signed_at is not None

    def get_absolute_url(self) -> str:
        return reverse("notes:note", args=[self.appointment_id])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_signed or getattr(self, "_signed_when_loaded", False):
            raise SignedNoteIsLocked("A signed note cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> SessionNote:
        note = super().from_db(db, field_names, values)
        note._signed_when_loaded = note.signed_at is not None
        return note

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class AddendumQuerySet(models.QuerySet["Addendum"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise SignedNoteIsLocked("Addenda cannot be changed; write another one.")

    def delete(self) -> NoReturn:
        raise SignedNoteIsLocked("Addenda cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SignedNoteIsLocked("Addenda cannot be changed; write another one.")


class Addendum(models.Model):
    """A later correction or addition to a signed note, shown under the original."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    objects = AddendumQuerySet.as_manager()

    class Meta:
        ordering = ("written_at", "pk")
        base_manager_name = "objects"
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum of {self.written_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SignedNoteIsLocked("Addenda cannot be changed; write another one.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SignedNoteIsLocked("Addenda cannot be deleted.")


class Alert(models.Model):
    """Something the response monitor saw that a therapist must act on. Open until a therapist
    or the owner acknowledges it with a note of what was done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    program = models.ForeignKey(
        "care.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    note = models.ForeignKey(
        SessionNote, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    message = models.TextField()
    source = models.TextField()
    letter_purpose = models.CharField(max_length=20, blank=True)
    """A referral letter drafted with the alert: ``possible_injury`` or ``not_responding``."""
    paused_program = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField("what was done", blank=True)

    class Meta:
        ordering = ("-opened_at", "-pk")
        indexes = [models.Index(fields=("status", "-opened_at"), name="alert_status_opened")]
        constraints = [
            models.UniqueConstraint(
                fields=("note", "kind"),
                condition=models.Q(note__isnull=False),
                name="alert_once_per_note_and_kind",
            ),
            models.UniqueConstraint(
                fields=("check_in", "kind"),
                condition=models.Q(check_in__isnull=False),
                name="alert_once_per_check_in_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", acknowledged_at__isnull=True)
                | (
                    models.Q(status="acknowledged", acknowledged_at__isnull=False)
                    & ~models.Q(action_taken="")
                ),
                name="alert_acknowledged_with_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("notes:alert", args=[self.pk])

    @property
    def message_names_kind(self) -> bool:
        """The message already begins with what the alert is ("Possible injury: ..."), so a
        heading with the kind would say it twice."""
        return self.message.lower().startswith(self.get_kind_display().lower())

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
