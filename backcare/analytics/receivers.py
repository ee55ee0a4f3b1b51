"""Refresh a program's course when something it is derived from changes: the program itself,
its appointments (where it takes place), its answers (its pain), a signed note.

The analytics listen to the events the actions publish (``backcare.events``), after commit, so
a course always reads what was committed. Data written around the actions (a bulk import, a
script that saves models itself) publishes nothing: run ``courses.rebuild`` after it
(``backcare refresh_analytics``). Subscribed when ``AnalyticsConfig.ready`` imports this module.
"""

from __future__ import annotations

from backcare import events
from backcare.analytics import courses
from backcare.booking.models import Appointment
from backcare.outcomes.models import Occasion


def _refresh_program_of(appointment: Appointment) -> None:
    if appointment.program_id is not None:
        courses.refresh([appointment.program_id])


@events.subscribe(events.ProgramChanged)
def program_changed(event: events.ProgramChanged) -> None:
    courses.refresh([event.program.pk])


@events.subscribe(events.AppointmentBooked)
def appointment_booked(event: events.AppointmentBooked) -> None:
    if event.appointment.series is None:  # a series is refreshed once, on SeriesBooked
        _refresh_program_of(event.appointment)


@events.subscribe(events.SeriesBooked)
def series_booked(event: events.SeriesBooked) -> None:
    courses.refresh(a.program_id for a in event.appointments if a.program_id is not None)


@events.subscribe(events.AppointmentRescheduled)
def appointment_rescheduled(event: events.AppointmentRescheduled) -> None:
    _refresh_program_of(event.appointment)


@events.subscribe(events.AppointmentCancelled)
def appointment_cancelled(event: events.AppointmentCancelled) -> None:
    _refresh_program_of(event.appointment)


@events.subscribe(events.NoteSigned)
def note_signed(event: events.NoteSigned) -> None:
    if event.note.program_id is not None:
        courses.refresh([event.note.program_id])


@events.subscribe(events.ResponseRecorded)
def response_recorded(event: events.ResponseRecorded) -> None:
    response = event.response
    if response.instrument != courses.MEASURE:
        return
    if response.occasion == Occasion.INTAKE:
        # A new intake answer may move the baseline of any of the client's programs.
        courses.refresh_client(response.client_id)
    elif response.program_id is not None:
        courses.refresh([response.program_id])
