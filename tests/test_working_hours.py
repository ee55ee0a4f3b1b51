"""Therapists' weekly hours are written through one audited action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from backcare.audit.models import AuditEvent
from backcare.scheduling.actions import add_working_hours
from backcare.scheduling.models import WorkingHours
from tests.conftest import Clinic


def test_hours_with_a_lunch_break_are_saved_and_audited(clinic: Clinic) -> None:
    hours = add_working_hours(
        clinic.owner,
        clinic.tess,
        clinic.location,
        0,
        dt.time(9),
        dt.time(17),
        ((dt.time(12, 30), dt.time(13, 15)),),
    )
    assert [(b.starts, b.ends) for b in hours.breaks.all()] == [(dt.time(12, 30), dt.time(13, 15))]
    event = AuditEvent.objects.get(action="working_hours.added")
    assert event.actor == clinic.owner
    assert event.changes["hours"]["after"] == "09:00-17:00"
    assert event.changes["breaks"]["after"] == ["12:30-13:15"]


def test_a_break_outside_the_hours_is_refused_and_nothing_is_saved(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        add_working_hours(
            clinic.owner,
            clinic.tess,
            clinic.location,
            0,
            dt.time(9),
            dt.time(12),
            ((dt.time(12, 30), dt.time(13)),),
        )
    assert "breaks" in refused.value.message_dict
    assert not WorkingHours.objects.exists()
    assert not AuditEvent.objects.filter(action="working_hours.added").exists()


def test_hours_that_end_before_they_start_are_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationError):
        add_working_hours(clinic.owner, clinic.tess, clinic.location, 0, dt.time(17), dt.time(9))
    assert not WorkingHours.objects.exists()
