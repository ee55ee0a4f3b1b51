"""A worker killed with SIGKILL at any point of a batch loses no email, and sends none twice
except in the one window the docs name: the mail server took the email and the worker died
before recording it. Both copies then carry the same Message-ID, made from the email's key.

A real SMTP server (aiosmtpd, in a thread) takes the emails, slowly: it holds one conversation
open until the test has killed the worker, so the kill lands mid-send, at a known step, without
waiting on time. The worker is the real ``backcare worker --batch`` in its own process, on the
test's database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from backcare.notices.models import Notice
from backcare.notices.outbox import message_id, send_notice, send_pending

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
EMAILS = 6
KILLED_AT = 3  # the third email of the batch
WAIT = 60  # seconds: only a safety net for a test that would otherwise hang


class SlowMailServer:
    """An SMTP server that keeps every email it accepts and, once, holds a conversation at the
    step ``hold`` ("MAIL": before it has taken anything; "DATA": after it took the email, before
    it answers "250 OK") until :attr:`release` is set."""

    def __init__(self, hold: str, at: int) -> None:
        self.hold = hold
        self.at = at
        self.received: list[Message] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self._mails = 0

    async def _wait_here(self, step: str, count: int) -> None:
        if step == self.hold and count == self.at:
            self.holding.set()
            await asyncio.to_thread(self.release.wait, WAIT)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self._mails += 1
        await self._wait_here("MAIL", self._mails)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.received.append(email.message_from_bytes(content))
        await self._wait_here("DATA", len(self.received))
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        return Counter(str(message["Message-ID"]) for message in self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server(request: pytest.FixtureRequest) -> Iterator[tuple[SlowMailServer, int]]:
    server = SlowMailServer(hold=request.param, at=KILLED_AT)
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server, port
    finally:
        server.release.set()
        controller.stop()


def database_env() -> dict[str, str]:
    """The test database, for a process started with Backcare's real settings."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_FILE": str(database["NAME"])}
    return {
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "NAME")},
            PORT=database.get("PORT") or 5432,
        )
    }


def start_worker(port: int) -> subprocess.Popen[bytes]:
    keep = {key: value for key, value in os.environ.items() if not key.startswith("SECURE_")}
    for key in ("DATABASE_URL", "SQLITE_FILE", "DJANGO_SETTINGS_MODULE", "DEBUG"):
        keep.pop(key, None)
    env = {
        **keep,
        **database_env(),
        "DJANGO_SETTINGS_MODULE": "backcare.settings",
        "SECRET_KEY": "test-only-secret-key-that-is-long-enough-0123456789",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "backcare", "worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def queue_emails() -> list[str]:
    """Six emails, each queued for the worker as a booking would queue it."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        return [
            send_notice(
                key=f"killed-worker-{number}",
                to=[f"client{number}@example.com"],
                subject="Your appointment is booked",
                template="notices/appointment_cancelled",
                context={"first_name": f"Client {number}", "when": "Monday", "clinic": "Us"},
            )
            for number in range(1, EMAILS + 1)
        ]


def run_to_the_end(port: int) -> None:
    worker = start_worker(port)
    _, errors = worker.communicate(timeout=WAIT)
    assert worker.returncode == 0, errors.decode()


def send_pending_once_claims_lapse(port: int) -> None:
    """What cron's ``backcare send_pending_notices`` does, eleven minutes later: the killed
    worker's claim has lapsed."""
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
    }
    with override_settings(**smtp):
        send_pending(now=timezone.now() + dt.timedelta(minutes=11))


def kill_mid_send(server: SlowMailServer, port: int) -> None:
    worker = start_worker(port)
    try:
        assert server.holding.wait(WAIT), "the worker never reached the held email"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT)
        server.release.set()
    assert worker.returncode == -signal.SIGKILL


@pytest.mark.parametrize("mail_server", ["MAIL"], indirect=True)
def test_a_worker_killed_before_the_server_took_an_email_loses_nothing_and_repeats_nothing(
    mail_server: tuple[SlowMailServer, int],
) -> None:
    server, port = mail_server
    keys = queue_emails()

    kill_mid_send(server, port)
    in_flight = Notice.objects.get(key=keys[KILLED_AT - 1])
    assert in_flight.sent_at is None and in_flight.claimed_until is not None
    assert Notice.objects.filter(sent_at__isnull=False).count() == KILLED_AT - 1

    run_to_the_end(port)  # a new worker sends what the dead one never reached
    send_pending_once_claims_lapse(port)  # and the safety net the one it died holding

    assert not Notice.objects.filter(sent_at__isnull=True).exists()
    assert server.message_ids() == Counter({message_id(key): 1 for key in keys})
    everything_again(port)
    assert len(server.received) == EMAILS


@pytest.mark.parametrize("mail_server", ["DATA"], indirect=True)
def test_a_worker_killed_after_the_server_took_an_email_may_repeat_only_that_one(
    mail_server: tuple[SlowMailServer, int],
) -> None:
    server, port = mail_server
    keys = queue_emails()

    kill_mid_send(server, port)
    assert Notice.objects.get(key=keys[KILLED_AT - 1]).sent_at is None

    run_to_the_end(port)
    send_pending_once_claims_lapse(port)

    assert not Notice.objects.filter(sent_at__isnull=True).exists()
    # The window of at-least-once: the server had the email when the worker died, so it is
    # sent again, under the same Message-ID, which lets a mail system drop the copy.
    expected = {message_id(key): 1 for key in keys}
    expected[message_id(keys[KILLED_AT - 1])] = 2
    assert server.message_ids() == Counter(expected)
    everything_again(port)
    assert len(server.received) == EMAILS + 1


def everything_again(port: int) -> None:
    """Every way an email can be sent, run again much later: nothing more goes out."""
    run_to_the_end(port)
    send_pending_once_claims_lapse(port)
