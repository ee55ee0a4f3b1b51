"""Bulk exports (HL7 Bulk Data Access ``$export``): one row a request, its files private."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from backcare.systems.models import SystemClient


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Who asked: a staff member or a connected system; only they may poll and download.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    system = models.ForeignKey(
        SystemClient, on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    scopes = models.CharField(max_length=1000, blank=True)  # a system's, when it asked
    request_url = models.CharField(max_length=2000)
    patient_level = models.BooleanField(default=False)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    output = models.JSONField(default=list)  # [{"type": …, "count": …, "file": …}]
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    transaction_time = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=True) ^ models.Q(system__isnull=True),
                name="export_job_has_one_requester",
            )
        ]

    def __str__(self) -> str:
        return f"FHIR export {self.id} ({self.status})"
