"""Reminders 48 and 2 hours before an appointment: on time, still valid, and never twice."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backcare.booking.actions import cancel_appointment, reschedule_appointment
from backcare.emails import reminders
from backcare.emails.reminders import ahead, reminder_times, send_reminder
from backcare.lib.env import ConfigError, env_int_list
from backcare.notices.models import Notice
from tests import factories
from tests.conftest import Clinic
from tests.notices.conftest import NOW, book, calendar_of, local, run_worker, sent_to
from tests.test_settings import run_backcare

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def reminders_sent() -> list[Any]:
    return [message for message in mail.outbox if message.subject.startswith("Reminder:")]


# --- Pure rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours_ahead", "expected"),
    [
        (100, [48, 2]),  # booked days ahead: both
        (30, [2]),  # booked 30 hours ahead: the 48-hour reminder's time has passed
        (2, []),  # booked just in time: the confirmation is the reminder
        (1, []),
    ],
)
def test_reminders_whose_time_has_passed_are_skipped(hours_ahead: int, expected: list[int]) -> None:
    starts = NOW + dt.timedelta(hours=hours_ahead)
    planned = reminder_times(starts, [2, 48], planned_at=NOW)
    assert [hours for hours, _ in planned] == sorted(expected)
    assert all(when == starts - dt.timedelta(hours=hours) for hours, when in planned)


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (48, "in 2 days"),
        (24, "in a day"),
        (2, "in 2 hours"),
        (1, "in an hour"),
        (36, "in 36 hours"),
    ],
)
def test_the_email_says_how_far_off_the_appointment_is(hours: int, words: str) -> None:
    assert ahead(hours) == words


@pytest.mark.parametrize(
    ("value", "expected"), [(None, [48, 2]), ("24", [24]), ("72, 24 ,1", [72, 24, 1])]
)
def test_reminder_hours_are_read_from_the_environment(
    value: str | None, expected: list[int]
) -> None:
    environ = {} if value is None else {"REMINDER_HOURS": value}
    assert env_int_list("REMINDER_HOURS", [48, 2], minimum=1, environ=environ) == expected


@pytest.mark.parametrize("value", ["48,two", "0", "-2"])
def test_malformed_reminder_hours_stop_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="REMINDER_HOURS"):
        env_int_list("REMINDER_HOURS", [48, 2], minimum=1, environ={"REMINDER_HOURS": value})


def test_a_bad_reminder_setting_stops_start_up_with_one_line() -> None:
    result = run_backcare("check", DEBUG="true", REMINDER_HOURS="soon")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "REMINDER_HOURS" in line


def test_the_real_settings_queue_email_in_the_database() -> None:
    import backcare.settings as real

    assert real.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert real.REMINDER_HOURS == [48, 2]


# --- Through the real queue -------------------------------------------------------------------


@pytest.fixture
def booked(
    open_clinic: Clinic, database_queue: None, django_capture_on_commit_callbacks: Any
) -> Iterator[Any]:
    """Alice booked for Monday June 1 at 10:00 in Atlanta, a week ahead; confirmation sent."""
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    run_worker()
    assert [message.subject for message in mail.outbox] == [
        "Your appointment on Monday, June 1 at 10:00 AM (EDT)"
    ]
    mail.outbox.clear()
    yield appointment


@pytest.mark.django_db
def test_booking_queues_reminders_48_and_2_hours_before(booked: Any) -> None:
    queued = DBTaskResult.objects.filter(task_path=send_reminder.module_path).order_by("run_after")
    assert [task.run_after for task in queued] == [
        local(1, 10) - 48 * HOUR,
        local(1, 10) - 2 * HOUR,
    ]
    assert [task.args_kwargs["kwargs"]["hours"] for task in queued] == [48, 2]


@pytest.mark.django_db
def test_reminders_go_out_at_their_times_and_only_once(
    booked: Any, clock: time_machine.Traveller
) -> None:
    starts = local(1, 10)
    clock.move_to(starts - 48 * HOUR - MINUTE)
    run_worker()
    assert reminders_sent() == []

    clock.move_to(starts - 48 * HOUR)
    run_worker()
    (first,) = reminders_sent()
    assert first.to == ["alice@example.com"]
    assert first.subject == "Reminder: your appointment on Monday, June 1 at 10:00 AM (EDT)"
    assert "your appointment is in 2 days" in first.body
    assert calendar_of(first).events[0].start == starts

    clock.move_to(starts - 3 * HOUR)
    run_worker()
    call_command("send_due_reminders", verbosity=0)
    run_worker()
    assert len(reminders_sent()) == 1

    clock.move_to(starts - 2 * HOUR + 5 * MINUTE)
    run_worker()
    call_command("send_due_reminders", verbosity=0)
    run_worker()
    assert [message.body.count("in 2 hours") for message in reminders_sent()] == [0, 1]
    assert Notice.objects.filter(kind="appointment_reminder", sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_worker_that_was_down_sends_only_the_closer_reminder(
    booked: Any, clock: time_machine.Traveller
) -> None:
    clock.move_to(local(1, 10) - 2 * HOUR + MINUTE)  # nothing ran at the 48-hour mark
    run_worker()

    (reminder,) = reminders_sent()
    assert "your appointment is in 2 hours" in reminder.body


@pytest.mark.django_db
def test_a_moved_appointment_gets_fresh_reminders_and_the_old_ones_do_nothing(
    booked: Any,
    open_clinic: Clinic,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reschedule_appointment(open_clinic.front_desk, booked, local(3, 15))
    run_worker()  # the "moved" email
    mail.outbox.clear()

    clock.move_to(local(1, 10) - 2 * HOUR)  # the old 48-hour and 2-hour reminders come due
    run_worker()
    assert reminders_sent() == []

    clock.move_to(local(3, 15) - 48 * HOUR)
    run_worker()
    (reminder,) = reminders_sent()
    assert "Wednesday, June 3 at 3:00 PM (EDT)" in reminder.body


@pytest.mark.django_db
def test_a_cancelled_appointment_gets_no_reminders(
    booked: Any,
    open_clinic: Clinic,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.front_desk, booked)
    run_worker()
    mail.outbox.clear()

    for before in (48 * HOUR, 2 * HOUR):
        clock.move_to(local(1, 10) - before)
        call_command("send_due_reminders", verbosity=0)
        run_worker()
    assert reminders_sent() == []


@pytest.mark.django_db
def test_no_reminders_for_a_client_who_turned_them_off(
    booked: Any, open_clinic: Clinic, clock: time_machine.Traveller
) -> None:
    open_clinic.alice.appointment_reminders = False
    open_clinic.alice.save(update_fields=["appointment_reminders"])

    for before in (48 * HOUR, 2 * HOUR):
        clock.move_to(local(1, 10) - before)
        call_command("send_due_reminders", verbosity=0)
        run_worker()
    assert reminders_sent() == []


@pytest.mark.django_db
def test_send_due_reminders_sends_a_reminder_nobody_queued_and_only_once(
    open_clinic: Clinic, database_queue: None, clock: time_machine.Traveller
) -> None:
    # Written straight to the table: no signal, so no reminder was ever queued.
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(1, 10),
        booked_at=NOW,
    )
    clock.move_to(local(1, 10) - 48 * HOUR - 30 * MINUTE)
    call_command("send_due_reminders", verbosity=0)  # queued to run in 30 minutes
    call_command("send_due_reminders", verbosity=0)  # queued again: cron overlaps
    run_worker()
    assert reminders_sent() == []

    clock.move_to(local(1, 10) - 48 * HOUR + 10 * MINUTE)
    run_worker()
    call_command("send_due_reminders", verbosity=0)
    run_worker()
    assert len(reminders_sent()) == 1
    assert sent_to("alice@example.com") == reminders_sent()


@pytest.mark.django_db
def test_send_due_reminders_works_with_the_immediate_queue(
    open_clinic: Clinic, clock: time_machine.Traveller
) -> None:
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(1, 10),
        booked_at=NOW,
    )
    clock.move_to(local(1, 10) - 2 * HOUR - 30 * MINUTE)
    call_command("send_due_reminders", verbosity=0)  # not due yet, and this queue cannot wait
    assert reminders_sent() == []

    clock.move_to(local(1, 10) - 2 * HOUR + MINUTE)
    call_command("send_due_reminders", verbosity=0)
    call_command("send_due_reminders", verbosity=0)
    assert len(reminders_sent()) == 1


# --- Under real concurrency (PostgreSQL) ------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_over_a_reminder_queued_twice_send_it_once(
    clinic: Clinic, database_queue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=local(1, 10),
        booked_at=NOW,
    )
    for _ in range(2):
        send_reminder.enqueue(
            appointment_id=appointment.pk, hours=48, starts=appointment.starts.isoformat()
        )

    # Each worker takes one of the two tasks; both pass every check, then both try to send at
    # the same moment.
    both_checked = threading.Barrier(2, timeout=10)
    checked = reminders.wants_reminders

    def wants_reminders_then_wait(item: Any) -> bool:
        answer = checked(item)
        both_checked.wait()
        return answer

    monkeypatch.setattr(reminders, "wants_reminders", wants_reminders_then_wait)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            run_worker(worker_id=name, max_tasks=1)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(local(1, 10) - 48 * HOUR + MINUTE, tick=False):
        workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)

    assert errors == []
    finished = DBTaskResult.objects.filter(task_path=send_reminder.module_path)
    assert sorted(task.status for task in finished) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(task.return_value for task in finished) == [False, True]
    assert len({task.worker_ids[0] for task in finished}) == 2  # really two workers
    assert len(reminders_sent()) == 1
    assert Notice.objects.filter(kind="appointment_reminder").count() == 1
