"""Why a booking request was refused: each refusal names the field to change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from backcare.booking.availability import (
    FreeSlot,
)
from backcare.holds.actions import ClientHeld
from backcare.lib.errors import FieldError

# --- Refusals -------------------------------------------------------------------------------


class SchedulingError(FieldError):
    """A scheduling request refused; ``field`` names what to change."""


class BookingHeld(SchedulingError, ClientHeld):
    """A clinical hold shuts booking for this client (:mod:`backcare.holds`, SPEC §2a).

    The message is the hold's staff message for staff and its client message for the client.
    """


class SlotUnavailable(SchedulingError):
    """This time cannot be booked; ``alternatives`` are the nearest free slots, if any."""

    def __init__(
        self, message: str, alternatives: Sequence[FreeSlot] = (), *, field: str = "starts"
    ) -> None:
        super().__init__(field, message)
        self.alternatives: tuple[FreeSlot, ...] = tuple(alternatives)


class SlotTaken(SlotUnavailable):
    """Someone else holds the therapist or the room then, perhaps booked a moment ago."""

    MESSAGE = "That time was just taken — here are the nearest free times."

    def __init__(self, alternatives: Sequence[FreeSlot] = (), *, constraint: str = "") -> None:
        super().__init__(self.MESSAGE, alternatives)
        self.constraint = constraint
        """The exclusion constraint that refused the write, when the database refused it."""


class TooClose(SlotUnavailable):
    """The time itself is free, but not the clean-up time the therapist keeps between sessions
    (the buffer after this one, or after the session before it)."""

    def __init__(self, therapist: str, minutes: int) -> None:
        super().__init__(
            f"That time is too close to another session: {therapist} needs {minutes} minutes "
            "between sessions to get the room ready."
        )
        self.minutes = minutes


class ClientAlreadyBooked(SlotUnavailable):
    """The client has another appointment at that time (with anyone, anywhere)."""


class PublicHoliday(SlotUnavailable):
    """A series date on a public holiday: a series skips them (a single booking may take one)."""

    def __init__(self, day: dt.date, name: str, alternatives: Sequence[FreeSlot] = ()) -> None:
        super().__init__(f"{name} — the series skips public holidays.", alternatives)
        self.day = day
        self.name = name


class CalendarBusy(SchedulingError):
    """The database stayed busy with other bookings for longer than a person should wait."""

    def __init__(self) -> None:
        super().__init__(
            "starts",
            "Many people are booking right now and we couldn't confirm this time. Nothing was "
            "booked: please try again in a moment.",
        )


class CancellationRefused(SchedulingError):
    """Too close to the appointment for the client to cancel or move it themselves."""
