"""An import run: one uploaded export, its dry run or real run, its progress and report."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        CLIENTS = "clients", "Clients"
        APPOINTMENTS = "appointments", "Future appointments"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Stopped with errors"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    system = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    content = models.TextField()
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        what = "Dry run" if self.dry_run else "Import"
        return f"{what} of {self.get_kind_display().lower()} from {self.filename}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or self.status == self.Status.FAILED:
            return 100
        return min(99, (100 * self.processed) // self.total) if self.total else 0
