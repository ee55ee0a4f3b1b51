"""One way to tell others (backcare/events.py): an event is delivered once the change that
published it commits, never for a change rolled back, to every subscriber even when one fails;
and each event reaches the apps that act on it."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from backcare import events
from backcare.analytics.models import ProgramCourse
from backcare.booking.actions import book_appointment, cancel_appointment
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.actions import book_program_series
from backcare.care.models import Program, ProgramStatus
from backcare.clinic.models import Client
from backcare.notes import actions as notes
from backcare.notes.models import Alert, CheckIn
from backcare.scheduling.actions import update_booking_policy
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist.actions import join_waitlist
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import WaitlistOffer
from tests import factories
from tests.conftest import Clinic
from tests.notes.conftest import check_in_answers, note_values

# Monday 1 June 2026, 08:00 in Atlanta (EDT, UTC-4).
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def local(day: int, hour: int) -> dt.datetime:
    """A wall-clock time in Atlanta in June 2026, as UTC."""
    return dt.datetime(2026, 6, day, hour + 4, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Pinged(events.Event):
    """An event only these tests publish."""

    word: str


Listen = Callable[[type[Any]], list[Any]]


@pytest.fixture
def listen() -> Iterator[Listen]:
    """Subscribe a list to a kind of event: it collects what is delivered."""
    subscribed: list[tuple[type[Any], Callable[[Any], None]]] = []

    def attach(kind: type[Any]) -> list[Any]:
        heard: list[Any] = []
        subscribed.append((kind, events.subscribe(kind)(heard.append)))
        return heard

    yield attach
    for kind, subscriber in subscribed:
        events.unsubscribe(kind, subscriber)


@pytest.fixture
def open_clinic(clinic: Clinic) -> Iterator[Clinic]:
    """Tess works weekdays 09:00-17:00 at Midtown; Alice is screened; the clock is NOW."""
    with time_machine.travel(NOW, tick=False):
        factories.weekly_hours(clinic.tess, clinic.location)
        BookingPolicy.current()
        factories.screened(clinic.alice, [], at=NOW - dt.timedelta(days=8))
        yield clinic


def book(clinic: Clinic, starts: dt.datetime, client: Client | None = None) -> Appointment:
    return book_appointment(
        clinic.front_desk,
        client or clinic.alice,
        clinic.service,
        clinic.tess,
        clinic.location,
        starts,
        now=NOW,
    )


def active_program(clinic: Clinic) -> Program:
    """Alice's active program with Tess, written straight to the table: it has no course yet."""
    screening = clinic.alice.screenings.get()
    return factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=ProgramStatus.ACTIVE,
        started_on=NOW.date(),
        created_by=clinic.tess.user,
        created_at=NOW - dt.timedelta(days=2),
    )


# --- Delivery -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_once_its_transaction_commits(listen: Listen) -> None:
    heard = listen(Pinged)

    with transaction.atomic():
        events.publish(Pinged("booked"))
        assert heard == []  # not while the change could still be rolled back
    assert heard == [Pinged("booked")]

    events.publish(Pinged("outside a transaction"))
    assert heard == [Pinged("booked"), Pinged("outside a transaction")]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_delivered_for_a_change_that_was_rolled_back(listen: Listen) -> None:
    heard = listen(Pinged)

    with contextlib.suppress(RuntimeError), transaction.atomic():
        events.publish(Pinged("undone"))
        raise RuntimeError
    with transaction.atomic():
        events.publish(Pinged("kept"))
        with contextlib.suppress(RuntimeError), transaction.atomic():
            events.publish(Pinged("undone with its savepoint"))
            raise RuntimeError

    assert heard == [Pinged("kept")]


@pytest.mark.django_db(transaction=True)
def test_a_booking_rolled_back_is_announced_to_nobody(open_clinic: Clinic, listen: Listen) -> None:
    booked = listen(events.AppointmentBooked)

    with contextlib.suppress(RuntimeError), transaction.atomic():
        book(open_clinic, local(2, 10))
        raise RuntimeError

    assert not Appointment.objects.exists()
    assert booked == []
    assert mail.outbox == []  # no confirmation for a booking that never was


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_neither_undoes_the_change_nor_stops_the_others(
    open_clinic: Clinic, listen: Listen, caplog: pytest.LogCaptureFixture
) -> None:
    appointment = book(open_clinic, local(2, 10))
    mail.outbox.clear()

    def breaks(event: events.AppointmentCancelled) -> None:
        # Half its work done, then it fails: its own write goes with it.
        Appointment.objects.filter(pk=event.appointment.pk).update(notes="half done")
        raise RuntimeError("the calendar server is down")

    events.subscribe(events.AppointmentCancelled)(breaks)
    try:
        after = listen(events.AppointmentCancelled)  # subscribed after the one that fails
        cancel_appointment(open_clinic.front_desk, appointment, "Away that week", NOW)
    finally:
        events.unsubscribe(events.AppointmentCancelled, breaks)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.notes == ""
    assert [event.appointment for event in after] == [appointment]
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]  # notices too
    assert "A subscriber of AppointmentCancelled failed" in caplog.text
    assert "the calendar server is down" in caplog.text


def test_each_event_reaches_the_apps_that_act_on_it() -> None:
    """The wiring README.md describes ("One way to tell others"), subscribed at start-up."""
    kinds = [kind for kind in events.Event.__subclasses__() if kind.__module__ == events.__name__]
    wired = {
        kind.__name__: sorted({s.__module__.split(".")[1] for s in events.subscribers(kind)})
        for kind in kinds
    }
    assert wired == {
        "AppointmentBooked": ["analytics", "emails"],
        "SeriesBooked": ["analytics", "emails"],
        "AppointmentRescheduled": ["analytics", "emails"],
        "AppointmentCancelled": ["analytics", "billing", "emails"],
        "AppointmentAttended": ["billing"],
        "AppointmentMissed": ["billing"],
        "SlotFreed": ["waitlist"],
        "ProgramChanged": ["analytics"],
        "NoteSigned": ["analytics"],
        "ResponseRecorded": ["analytics"],
        "IntakeSubmitted": ["outcomes"],
        "CheckInRecorded": ["outcomes"],
        "ScreeningRun": ["booking", "emails", "signup"],
        "AlertRaised": ["booking", "emails"],
        "SessionsHeld": ["emails"],
    }


# --- Each event reaches its subscribers -----------------------------------------------------


def test_a_signed_note_refreshes_its_programs_analytics(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    program = active_program(open_clinic)
    session = factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(1, 10),
        program=program,
    )
    with time_machine.travel(local(1, 10) - dt.timedelta(minutes=10), tick=False):
        notes.record_check_in(
            open_clinic.front_desk, session, check_in_answers(nrs=3), source=CheckIn.Source.DESK
        )
    note = notes.start_note(open_clinic.tess.user, session, now=session.ends)
    notes.save_note(open_clinic.tess.user, note, note_values(pre_nrs=3), now=session.ends)
    assert not ProgramCourse.objects.filter(program=program).exists()

    with django_capture_on_commit_callbacks(execute=True):
        notes.sign_note(open_clinic.tess.user, note, now=session.ends)

    course = ProgramCourse.objects.get(program=program)
    assert (course.place, course.latest) == (open_clinic.location, 3)


def test_booking_a_programs_sessions_gives_its_analytics_their_location(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    program = active_program(open_clinic)

    with django_capture_on_commit_callbacks(execute=True):
        report = book_program_series(
            open_clinic.tess.user, program, open_clinic.location, local(2, 10), now=NOW
        )

    assert len(report.booked) == program.sessions_planned
    assert ProgramCourse.objects.get(program=program).place == open_clinic.location


def test_an_alert_of_a_possible_injury_holds_the_clients_booked_sessions(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    update_booking_policy(open_clinic.owner, held_sessions="cancel")
    sessions = [book(open_clinic, local(day, 10)) for day in (2, 9)]
    alert = Alert.objects.create(
        client=open_clinic.alice,
        kind="possible_injury",
        message="Possible injury: the client should consult a doctor.",
        source="The clinic's precaution.",
        opened_at=timezone.now(),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.AlertRaised(alert))

    for session in sessions:
        session.refresh_from_db()
        assert session.status == AppointmentStatus.CANCELLED
    # One email from the hold saying why; the cancellations it made tell nobody again.
    to_alice = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert [message.subject for message in to_alice] == ["Sessions cancelled"]


def test_a_cancellation_offers_the_freed_time_to_the_waitlist(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = book(open_clinic, local(2, 10))
    bob = open_clinic.bob
    factories.screened(bob, [], at=NOW - dt.timedelta(days=3))
    join_waitlist(
        bob.user,
        bob,
        service=open_clinic.service,
        location=open_clinic.location,
        therapist=None,
        earliest=NOW.date(),
        latest=NOW.date() + dt.timedelta(days=14),
        times_of_day=frozenset(TimeOfDay),
        now=NOW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.alice.user, appointment, "Away that week", NOW)

    offer = WaitlistOffer.objects.get(entry__client=bob)
    assert (offer.starts, offer.therapist) == (local(2, 10), open_clinic.tess)
    assert [m for m in mail.outbox if m.to == ["bob@example.com"] and "earlier" in m.subject]


@pytest.mark.django_db(transaction=True)
def test_a_questionnaire_whose_baseline_cannot_be_kept_is_not_sent_half(
    open_clinic: Clinic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The baseline scores are a required subscriber: if they cannot be kept, the questionnaire
    stays a draft and nothing is screened, so the client can send it again."""
    from backcare.intake.models import Intake
    from backcare.outcomes import receivers
    from backcare.screening.models import Screening

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the scores could not be kept")

    monkeypatch.setattr(receivers, "record_intake_baseline", fails)
    client = factories.ClientFactory.create(first_name="Nia")

    with pytest.raises(RuntimeError):
        factories.screened(client, [])

    assert not Intake.objects.filter(client=client, status=Intake.Status.SUBMITTED).exists()
    assert not Screening.objects.filter(client=client).exists()
    assert "A subscriber of IntakeSubmitted failed" in caplog.text
