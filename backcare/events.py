"""What happened, for the apps that care: the one way one app tells others (STYLE.md).

An action that changes something other apps care about publishes one of the events below; the
apps that care subscribe to it in their own ``receivers.py`` (imported by their
``AppConfig.ready``), so the publisher never imports its listeners::

    from backcare import events

    @events.subscribe(events.SlotFreed)
    def offer_the_slot(event: events.SlotFreed) -> None: ...

Delivery. :func:`publish` hands the event to subscribers marked ``within_transaction`` at once,
inside the publisher's transaction (each in a savepoint), and to the others once the current
transaction commits (``transaction.on_commit``): nothing is delivered for a change that was
rolled back, and outside a transaction it is delivered at once. Subscribers are called in the
order they subscribed (the order of ``INSTALLED_APPS``), each in its own transaction or
savepoint: one that fails is logged, its own writes are rolled back, and it neither undoes the
change nor stops the others.
An event a subscriber publishes is delivered when that subscriber's transaction commits.

Every event is a frozen dataclass naming what happened, with the objects as they were saved.
Who publishes and who subscribes is listed in README.md ("One way to tell others") and drawn,
from this registry, in docs/architecture.svg.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.db import transaction

if TYPE_CHECKING:
    from backcare.accounts.models import User
    from backcare.booking.models import Appointment
    from backcare.care.models import Program
    from backcare.clinic.models import Client, Location, Room, Therapist
    from backcare.intake.models import Intake
    from backcare.notes.models import Alert, CheckIn, SessionNote
    from backcare.outcomes.models import Response
    from backcare.screening.models import Screening

logger = logging.getLogger(__name__)


class Event:
    """The base of every domain event."""


E = TypeVar("E", bound=Event)
Subscriber = Callable[[Any], None]


# --- Scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentBooked(Event):
    """An appointment was booked. Also published for each appointment of a series
    (``appointment.series`` is set), before :class:`SeriesBooked`."""

    appointment: Appointment


@dataclass(frozen=True)
class SeriesBooked(Event):
    """A series was booked: its booked appointments, in date order."""

    series: uuid.UUID
    appointments: tuple[Appointment, ...]


@dataclass(frozen=True)
class AppointmentRescheduled(Event):
    """An appointment moved: ``appointment`` as it is now, and where and when it was."""

    appointment: Appointment
    previous_starts: dt.datetime
    previous_ends: dt.datetime
    previous_therapist: Therapist
    previous_room: Room | None


@dataclass(frozen=True)
class AppointmentCancelled(Event):
    """An appointment was cancelled. ``late``: inside the cancellation window. ``held``:
    cancelled by a clinical hold, whose own email tells the client."""

    appointment: Appointment
    late: bool
    held: bool


@dataclass(frozen=True)
class AppointmentAttended(Event):
    """The session took place: the appointment was marked completed."""

    appointment: Appointment


@dataclass(frozen=True)
class AppointmentMissed(Event):
    """The client did not come: the appointment was marked a no-show."""

    appointment: Appointment


@dataclass(frozen=True)
class SlotFreed(Event):
    """Time given up that is still ahead: by a cancellation, or the old time of a moved
    appointment."""

    appointment: Appointment
    starts: dt.datetime
    ends: dt.datetime
    therapist: Therapist
    room: Room | None
    location: Location


@dataclass(frozen=True)
class SessionsHeld(Event):
    """A clinical hold reached a client's booked sessions: kept on the calendar, flagged, or
    cancelled (``cancelled``) by the clinic's setting. ``hold_key`` names the cause that started
    it, so the client is told once per cause."""

    client: Client
    sessions: tuple[Appointment, ...]
    cancelled: bool
    hold_key: str
    message: str


# --- Care -----------------------------------------------------------------------------------

ProgramChange = Literal["created", "status_changed", "appointments_attached"]


@dataclass(frozen=True)
class ProgramChanged(Event):
    """A treatment program was created, changed status, or had booked sessions attached."""

    program: Program
    what: ProgramChange


# --- Intake, notes, outcomes, screening -----------------------------------------------------


@dataclass(frozen=True)
class IntakeSubmitted(Event):
    """The client's health questionnaire was sent: ``intake`` is the new version, ``previous``
    the one before (None for the first), ``actor`` who sent it."""

    intake: Intake
    previous: Intake | None
    actor: User | None
    at: dt.datetime


@dataclass(frozen=True)
class CheckInRecorded(Event):
    """The client checked in before a session, with the pain they reported."""

    check_in: CheckIn
    actor: User | None


@dataclass(frozen=True)
class NoteSigned(Event):
    """A session note was signed (which completes its session)."""

    note: SessionNote


@dataclass(frozen=True)
class ResponseRecorded(Event):
    """A client's answers to an outcome instrument were recorded."""

    response: Response


@dataclass(frozen=True)
class ScreeningRun(Event):
    """The safety rules ran (``screening.created_at`` is when). ``notify`` is off when staff
    are not to be emailed about it: records loaded from the past, and check-ins, whose alert
    tells the treating therapist."""

    screening: Screening
    notify: bool
    holding: bool = False
    """The screening's decision holds booking (a red flag, or a doctor's clearance needed)."""


@dataclass(frozen=True)
class AlertRaised(Event):
    """The response monitor opened an alert (``alert.opened_at`` is when)."""

    alert: Alert


# --- Publishing and subscribing -------------------------------------------------------------

_subscribers: dict[type[Event], dict[Subscriber, None]] = {}
_muted: contextvars.ContextVar[frozenset[type[Event]]] = contextvars.ContextVar(
    "muted_events", default=frozenset()
)


_within_transaction: set[Subscriber] = set()
_required: set[Subscriber] = set()


def subscribe(
    kind: type[E], *, within_transaction: bool = False, required: bool = False
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Decorate a function of one ``kind`` of event to have it called with each one.

    ``within_transaction``: call it when the event is published, inside the publisher's
    transaction (in a savepoint: a failure is logged and undoes only its own writes), so that
    what it writes commits with the change or not at all. For subscribers that only write to
    the database — an email into the outbox, a hold on booked sessions — whose effect must not
    be lost if the process stops between the commit and an after-commit delivery.

    ``required`` (with ``within_transaction``): a failure is not only logged but undoes the
    change itself, for records that must exist with it (an intake's baseline scores)."""
    if required and not within_transaction:
        raise ValueError("A required subscriber is called within the publisher's transaction.")

    def register(subscriber: Callable[[E], None]) -> Callable[[E], None]:
        _subscribers.setdefault(kind, {})[subscriber] = None
        if within_transaction:
            _within_transaction.add(subscriber)
        if required:
            _required.add(subscriber)
        return subscriber

    return register


def unsubscribe(kind: type[E], subscriber: Callable[[E], None]) -> None:
    _subscribers.get(kind, {}).pop(subscriber, None)
    _within_transaction.discard(subscriber)
    _required.discard(subscriber)


def subscribers(kind: type[Event]) -> list[Subscriber]:
    return list(_subscribers.get(kind, {}))


def publish(event: Event) -> None:
    """Deliver ``event`` to its subscribers: those marked ``within_transaction`` now, the
    others once the current transaction commits."""
    if type(event) in _muted.get():
        return
    _deliver(event, within_transaction=True)
    transaction.on_commit(functools.partial(_deliver, event), robust=True)


def _deliver(event: Event, *, within_transaction: bool = False) -> None:
    for subscriber in subscribers(type(event)):
        if (subscriber in _within_transaction) != within_transaction:
            continue
        try:
            with transaction.atomic():
                subscriber(event)
        except Exception as error:
            logger.error(
                "A subscriber of %s failed: %r", type(event).__name__, subscriber, exc_info=error
            )
            if subscriber in _required:
                raise


@contextlib.contextmanager
def muted(*kinds: type[Event]) -> Iterator[None]:
    """Publish nothing of these kinds inside the block (nor when its transaction commits in
    it): for loading history, whose confirmations and offers would all leave weeks late."""
    token = _muted.set(_muted.get() | frozenset(kinds))
    try:
        yield
    finally:
        _muted.reset(token)
