"""Refresh a program's course whenever something it is derived from is saved.

Model signals rather than calls in each action: programs, appointments and answers are written
by many actions (and by factories and imports), and a course that missed one would quietly
make the owner's numbers wrong. Bulk writes that skip ``save()`` must call
``courses.rebuild`` (``backcare refresh_analytics``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from backcare.analytics import courses
from backcare.care.models import Program
from backcare.outcomes.models import Occasion, Response
from backcare.scheduling.models import Appointment


@receiver(post_save, sender=Program, dispatch_uid="analytics.program_saved")
def program_saved(sender: type[Program], instance: Program, **kwargs: Any) -> None:
    courses.refresh([instance.pk])


@receiver(post_save, sender=Appointment, dispatch_uid="analytics.appointment_saved")
def appointment_saved(sender: type[Appointment], instance: Appointment, **kwargs: Any) -> None:
    if instance.program_id is not None:
        courses.refresh([instance.program_id])


@receiver(post_save, sender=Response, dispatch_uid="analytics.response_saved")
def response_saved(sender: type[Response], instance: Response, **kwargs: Any) -> None:
    if instance.instrument != courses.MEASURE:
        return
    if instance.occasion == Occasion.INTAKE:
        courses.refresh_client(instance.client_id)
    elif instance.program_id is not None:
        courses.refresh([instance.program_id])
