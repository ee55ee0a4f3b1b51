"""What the analytics keep of each program, so the owner's page reads one row per program
instead of working through every answer and appointment (SPEC §5 clinic analytics).

:class:`ProgramCourse` is a projection: it holds nothing that is not derived from the program,
its appointments and its answers, and ``backcare.analytics.courses.refresh`` writes it again
whenever the events of one of those arrive (``receivers.py``). ``backcare refresh_analytics``
rebuilds all of it, for data loaded around the actions (a bulk import, the benchmark).
"""

from __future__ import annotations

from django.db import models

from backcare.care.models import Program
from backcare.clinic.models import Location

RESPONDER_CLASSES = ("substantial", "moderate", "minimal", "none", "worse")
MEANINGFUL_CLASSES = ("substantial", "moderate")


class ProgramCourse(models.Model):
    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, primary_key=True, related_name="course"
    )
    place = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """Where its first appointment that was not cancelled is (or was)."""
    baseline = models.FloatField(null=True, blank=True)
    latest = models.FloatField(null=True, blank=True)
    responder_class = models.CharField(max_length=12, blank=True)
    latest_week = models.PositiveSmallIntegerField(null=True, blank=True)
    improved_week = models.PositiveSmallIntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responder_class__in=("", *RESPONDER_CLASSES)),
                name="program_course_class_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Course of program {self.program_id}"
