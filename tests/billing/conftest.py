"""A clinic that bills: Alice's program with Tess at Midtown at $95 a session, fees of $40
(late cancellation) and $60 (no-show), and helpers that book and attend sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from backcare.billing import actions
from backcare.billing.models import FeeSchedule
from backcare.booking import actions as scheduling
from backcare.booking.models import Appointment
from backcare.care.models import Program
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class Billing:
    clinic: Clinic
    program: Program

    def session(self, days: int = 0, *, program: bool = True) -> Appointment:
        """A booked session of Alice's program ``days`` from NOW (10:00 in Atlanta)."""
        c = self.clinic
        starts = NOW + dt.timedelta(days=days, hours=2)
        return factories.AppointmentFactory.create(
            client=c.alice,
            therapist=c.tess,
            service=c.service,
            location=c.location,
            room=c.room,
            starts=starts,
            program=self.program if program else None,
        )

    def attend(self, appointment: Appointment) -> Appointment:
        return scheduling.complete_appointment(
            self.clinic.front_desk,
            appointment,
            appointment.starts + dt.timedelta(minutes=30),
            not_checked_in_because="Checked in on paper.",
        )


@pytest.fixture
def billing(clinic: Clinic) -> Billing:
    screening = factories.screened(clinic.alice, actor=clinic.owner)
    program = factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status="active",
        started_on=timezone.localdate(),
    )
    BookingPolicy.current()
    FeeSchedule.objects.update_or_create(
        pk=1, defaults={"late_cancellation_cents": 4000, "no_show_cents": 6000}
    )
    actions.set_price(
        clinic.owner,
        clinic.service,
        clinic.location,
        amount_cents=9500,
        tax_rate_bp=0,
        service_code="97124",
    )
    return Billing(clinic, program)
