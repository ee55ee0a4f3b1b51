"""Documents a client sends the clinic from the portal: the doctor's note a clearance needs.

The note is kept in private files (no URL; served by a view through the access policy, audited).
It does not lift anything by itself: the client's therapist reads it and records the clearance,
the named decision that lifts the hold (SPEC §2a).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backcare.clinic.models import Client
from backcare.private_files import private_storage


class DoctorNote(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="doctor_notes")
    document = models.FileField(storage=private_storage, upload_to="doctor-notes/%Y/%m/")
    document_name = models.CharField(max_length=200)
    message = models.TextField("a message for your therapist", blank=True, max_length=1000)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("-uploaded_at", "-pk")

    def __str__(self) -> str:
        return f"Doctor's note from {self.client} ({self.document_name})"
