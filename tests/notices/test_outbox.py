"""send_notice: the one way Backcare emails, through the queue, once per key."""

from __future__ import annotations

import datetime as dt
import signal
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from backcare.notices.models import Notice
from backcare.notices.outbox import (
    Prepared,
    attachment_maker,
    deliver_pending,
    send_notice,
    send_pending,
)
from tests.notices.conftest import run_worker

pytestmark = pytest.mark.django_db


def notice(key: str | None = "test-notice-1", **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "key": key,
        "to": ["alice@example.com"],
        "subject": "Your appointment",
        "template": "notices/appointment_cancelled",
        "context": {
            "first_name": "Alice",
            "when": "Monday, June 1 at 10:00 AM (EDT)",
            "service": "Back massage",
            "therapist": "Tess Therapist",
            "location": "Midtown",
            "phone": "",
            "portal": "http://127.0.0.1:8000/portal/",
            "clinic": "Backcare Massage Therapy",
        },
    }
    arguments.update(overrides)
    return send_notice(**arguments)


def test_a_notice_is_sent_once_the_transaction_commits_and_is_recorded(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice()
        assert mail.outbox == []

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your appointment"
    assert "Hello Alice," in message.body
    record = Notice.objects.get(key="test-notice-1")
    assert record.kind == "appointment_cancelled"
    assert record.recipient == "alice@example.com"
    assert record.sent_at is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notice()
                raise RuntimeError("the booking failed")
        except RuntimeError:
            pass

    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_the_same_key_is_sent_only_once(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice("same-key")
        notice("same-key")
    with django_capture_on_commit_callbacks(execute=True):
        notice("same-key")

    assert len(mail.outbox) == 1
    assert Notice.objects.filter(key="same-key").count() == 1


def test_notices_without_a_key_are_each_sent(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice(None)
        notice(None)

    assert len(mail.outbox) == 2
    assert Notice.objects.count() == 2


def test_a_failed_send_stays_in_the_outbox_and_is_sent_later_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice("flaky")
    waiting = Notice.objects.get(key="flaky")
    assert waiting.sent_at is None
    assert waiting.attempts == 1
    assert "down" in waiting.last_error
    assert mail.outbox == []

    # Asking again makes no second email; the safety net sends it once it is due.
    with django_capture_on_commit_callbacks(execute=True):
        notice("flaky")
    assert len(mail.outbox) == 1
    assert send_pending(now=timezone.now() + dt.timedelta(hours=1)) == (0, 0)
    assert len(mail.outbox) == 1
    assert Notice.objects.get(key="flaky").sent_at is not None


def test_an_email_whose_worker_died_mid_send_is_sent_once_its_claim_lapses() -> None:
    notice("interrupted")  # recorded; the worker never ran (as if killed mid-batch)
    Notice.objects.filter(key="interrupted").update(
        claimed_until=timezone.now() + dt.timedelta(minutes=5), attempts=1
    )
    assert send_pending() == (0, 0)  # its claim still stands: nobody else sends it
    assert mail.outbox == []

    later = timezone.now() + dt.timedelta(minutes=11)
    assert send_pending(now=later) == (1, 0)
    assert send_pending(now=later) == (0, 0)
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"].endswith("@backcare.local>")


def test_the_same_email_is_never_sent_twice_by_two_senders() -> None:
    notice("once")
    assert deliver_pending("once") is True
    assert deliver_pending("once") is False
    assert send_pending(now=timezone.now() + dt.timedelta(days=1)) == (0, 0)
    assert len(mail.outbox) == 1


def test_the_context_must_be_plain_json_because_it_travels_through_the_database() -> None:
    with pytest.raises(TypeError, match="JSON"):
        notice(context={"when": object()})


def test_an_address_list_is_required() -> None:
    with pytest.raises(ValueError, match="email addresses"):
        notice(to=[])
    with pytest.raises(ValueError, match="email addresses"):
        notice(to="alice@example.com")


def test_the_clinic_address_is_the_reply_to(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.CLINIC_EMAIL = "desk@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        notice()

    assert mail.outbox[0].reply_to == ["desk@clinic.example"]


def test_the_database_queue_delivers_attachments_intact(
    database_queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    pdf = b"%PDF-1.7\n\x00\xff binary bytes"
    with django_capture_on_commit_callbacks(execute=True):
        notice(attachments=[("letter.pdf", pdf, "application/pdf")])
    assert mail.outbox == []  # queued, waiting for a worker

    run_worker()

    (message,) = mail.outbox
    assert message.attachments[0][0] == "letter.pdf"
    assert message.attachments[0][1] == pdf
    assert message.attachments[0][2] == "application/pdf"


def test_backcare_worker_batch_sends_what_is_queued_and_stops(
    database_queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice()
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with mock.patch.object(db_worker, "close_old_connections"):  # keep the test's connection
            call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)

    assert len(mail.outbox) == 1


# --- Attachments the sender makes (a PDF is not made inside the request) ----------------------

MADE: list[dict[str, Any]] = []


@attachment_maker("tests.letter")
def make_test_letter(*, number: int) -> bytes:
    MADE.append({"number": number})
    return f"%PDF letter {number}".encode()


def test_a_prepared_attachment_is_made_by_the_sender_once_and_sent_the_same_on_a_retry(
    django_capture_on_commit_callbacks: Any,
) -> None:
    MADE.clear()
    letter = Prepared("letter-7.pdf", "application/pdf", "tests.letter", {"number": 7})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notice("prepared", attachments=[letter])
    assert MADE == []  # the request names the file; nobody has made it yet
    assert Notice.objects.get(key="prepared").attachments[0][0] == "letter-7.pdf"

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")):
        for callback in queued:
            callback()
    assert MADE == [{"number": 7}] and mail.outbox == []

    assert send_pending(now=timezone.now() + dt.timedelta(hours=1)) == (1, 0)
    (message,) = mail.outbox
    assert message.attachments == [("letter-7.pdf", b"%PDF letter 7", "application/pdf")]
    assert MADE == [{"number": 7}]  # kept from the first try, not made again


def test_a_prepared_attachment_needs_a_registered_maker_and_plain_arguments() -> None:
    with pytest.raises(ValueError, match="No attachment maker"):
        notice(attachments=[Prepared("a.pdf", "application/pdf", "tests.nobody", {})])
    with pytest.raises(TypeError, match="JSON"):
        notice(attachments=[Prepared("a.pdf", "application/pdf", "tests.letter", {"n": object()})])


def test_a_maker_that_fails_leaves_the_email_to_be_tried_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    letter = Prepared("letter.pdf", "application/pdf", "tests.letter", {"wrong": 1})
    with django_capture_on_commit_callbacks(execute=True):
        notice("unmade", attachments=[letter])
    waiting = Notice.objects.get(key="unmade")
    assert mail.outbox == [] and waiting.sent_at is None and waiting.attempts == 1
    assert "TypeError" in waiting.last_error
