"""Named write actions for appointments (SPEC §4), by verb family: booking (one appointment or
a series), moving, cancelling and attendance; the refusals they raise are in ``errors``.

Integrity. A therapist, a room or a client is never double-booked, even under concurrent
requests. Every booking action re-checks the time inside its transaction with the same engine
that shows free times (:mod:`backcare.booking.availability`), then writes:

* on SQLite, transactions are IMMEDIATE (settings.py): the write lock is taken at BEGIN, so
  bookings run one after another and the re-check sees every earlier booking;
* on PostgreSQL, bookings run side by side and two may pass the re-check together; the
  exclusion constraints on ``Appointment`` let only one insert through. The loser's exclusion
  violation is caught in a savepoint and becomes :class:`SlotTaken` with the nearest free
  times: an ``IntegrityError`` never escapes.

Refusals are :class:`SchedulingError` (a :class:`~backcare.lib.errors.FieldError`), naming the
field to change. Events (:mod:`backcare.events`: booked, rescheduled, cancelled, slot freed)
are delivered after commit.
"""

from backcare.booking.actions.attendance import check_in, complete_appointment, mark_no_show
from backcare.booking.actions.booking import (
    MAX_SERIES,
    SeriesDate,
    SeriesReport,
    book_appointment,
    book_series,
    series_starts,
)
from backcare.booking.actions.cancelling import (
    cancel_appointment,
    cancel_sessions_during_closure,
    cancel_sessions_during_time_off,
    closure_reason,
    time_off_reason,
)
from backcare.booking.actions.common import lock_calendar, settles_contention
from backcare.booking.actions.errors import (
    BookingHeld,
    CalendarBusy,
    CancellationRefused,
    ClientAlreadyBooked,
    PublicHoliday,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
    TooClose,
)
from backcare.booking.actions.holding import hold_future_sessions
from backcare.booking.actions.moving import reschedule_appointment

__all__ = [
    "MAX_SERIES",
    "BookingHeld",
    "CalendarBusy",
    "CancellationRefused",
    "ClientAlreadyBooked",
    "PublicHoliday",
    "SchedulingError",
    "SeriesDate",
    "SeriesReport",
    "SlotTaken",
    "SlotUnavailable",
    "TooClose",
    "book_appointment",
    "book_series",
    "cancel_appointment",
    "cancel_sessions_during_closure",
    "cancel_sessions_during_time_off",
    "check_in",
    "closure_reason",
    "complete_appointment",
    "hold_future_sessions",
    "lock_calendar",
    "mark_no_show",
    "reschedule_appointment",
    "series_starts",
    "settles_contention",
    "time_off_reason",
]
