"""What scheduling announces, for emails, the waitlist and calendars to act on.

Every signal is sent with ``sender=Appointment`` and only after the transaction that made the
change has committed (``transaction.on_commit``), so a receiver never sees a booking that was
rolled back. Receivers are called robustly: one that fails is logged and does not undo the
booking or stop the other receivers.

=========================  ==================================================================
signal                     keyword arguments
=========================  ==================================================================
appointment_booked         ``appointment``; also sent for each appointment of a series
                           (``appointment.series`` is set), before ``series_booked``
series_booked              ``series`` (UUID), ``appointments`` (list, in date order)
appointment_rescheduled    ``appointment`` (as it is now), ``previous_starts``,
                           ``previous_ends``, ``previous_therapist``, ``previous_room``
appointment_cancelled      ``appointment``, ``late`` (inside the cancellation window),
                           ``held`` (cancelled by a clinical hold, which tells the client)
slot_freed                 ``appointment``, ``starts``, ``ends``, ``therapist``, ``room``,
                           ``location``: the time given up, by a cancellation or by the old
                           time of a rescheduled appointment
=========================  ==================================================================
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

appointment_booked = Signal()
series_booked = Signal()
appointment_rescheduled = Signal()
appointment_cancelled = Signal()
slot_freed = Signal()


def send_on_commit(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` with ``sender=Appointment`` once the current transaction commits."""
    from backcare.scheduling.models import Appointment

    def send() -> None:
        for receiver, error in signal.send_robust(sender=Appointment, **kwargs):
            if isinstance(error, Exception):
                logger.error(
                    "A receiver of a scheduling signal failed: %r", receiver, exc_info=error
                )

    transaction.on_commit(send)
