"""An email that keeps failing is tried with a growing delay, then marked undeliverable and
shown to the owner, who can try it again (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from backcare.audit.models import AuditEvent
from backcare.notices.models import Notice
from backcare.notices.outbox import deliver_pending, send_pending
from tests.conftest import Clinic
from tests.notices.test_outbox import notice
from tests.pages import text

pytestmark = pytest.mark.django_db

SMTP_DOWN = mock.patch(
    "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("connection refused")
)


def fail_until_given_up(settings: Any, key: str = "doomed") -> Notice:
    """Send ``key`` with the mail server down, each try as soon as it is due."""
    settings.EMAIL_MAX_ATTEMPTS = 4
    notice(key)
    now = timezone.now()
    delays = []
    with SMTP_DOWN:
        assert deliver_pending(key, now=now) is False
        for _ in range(10):
            waiting = Notice.objects.get(key=key)
            if waiting.undeliverable_at is not None:
                break
            delays.append(waiting.next_attempt_at - now)
            now = waiting.next_attempt_at
            assert send_pending(now=now - dt.timedelta(seconds=1)) == (0, 0)  # not due yet
            send_pending(now=now)
    assert delays == [dt.timedelta(minutes=minutes) for minutes in (1, 2, 4)]
    return Notice.objects.get(key=key)


def test_a_failing_email_is_retried_with_growing_delays_then_marked_undeliverable(
    settings: Any,
) -> None:
    doomed = fail_until_given_up(settings)

    assert doomed.attempts == 4
    assert doomed.undeliverable_at is not None
    assert doomed.sent_at is None
    assert "connection refused" in doomed.last_error
    # Once given up, the safety net leaves it alone, whenever it runs.
    assert send_pending(now=timezone.now() + dt.timedelta(days=30)) == (0, 0)
    assert deliver_pending("doomed") is False
    assert mail.outbox == []


def test_an_email_whose_last_try_died_mid_send_is_marked_undeliverable(settings: Any) -> None:
    settings.EMAIL_MAX_ATTEMPTS = 2
    notice("died")
    Notice.objects.filter(key="died").update(
        attempts=2, claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert send_pending() == (0, 0)  # its claim still stands
    assert Notice.objects.get(key="died").undeliverable_at is None

    send_pending(now=timezone.now() + dt.timedelta(minutes=11))
    died = Notice.objects.get(key="died")
    assert died.undeliverable_at is not None
    assert "stopped before it could record" in died.last_error
    assert mail.outbox == []


def test_the_owner_sees_undeliverable_emails_on_the_home_page_and_tries_again(
    clinic: Clinic, as_owner: HttpClient, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    fail_until_given_up(settings)
    home = text(as_owner.get(reverse("staff:home")))
    assert "1 email could not be sent after repeated tries." in home

    page = text(as_owner.get(reverse("staff:undeliverable_emails")))
    assert "alice@example.com" in page
    assert "OSError: connection refused" in page
    assert "Try again" in page

    doomed = Notice.objects.get(key="doomed")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_owner.post(reverse("staff:email_retry", args=[doomed.pk]), follow=True)
    assert "will try the email to alice@example.com again now" in text(response)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    sent = Notice.objects.get(key="doomed")
    assert sent.sent_at is not None
    assert sent.undeliverable_at is None
    assert sent.attempts == 1
    event = AuditEvent.objects.get(action="email.retried")
    assert event.actor == clinic.owner
    assert event.changes["attempts"] == {"before": 4, "after": 0}
    assert "could not be sent after repeated tries" not in text(as_owner.get(reverse("staff:home")))

    # Trying again an email that went out meanwhile sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = as_owner.post(reverse("staff:email_retry", args=[doomed.pk]), follow=True)
    assert "no longer waiting" in text(again)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="email.retried").count() == 1


def test_only_the_owner_sees_the_list_or_tries_again(
    clinic: Clinic, as_front_desk: HttpClient, as_tess: HttpClient, settings: Any
) -> None:
    doomed = fail_until_given_up(settings)
    for http in (as_front_desk, as_tess):
        assert "could not be sent" not in text(http.get(reverse("staff:home")))
        assert http.get(reverse("staff:undeliverable_emails")).status_code == 403
        assert http.post(reverse("staff:email_retry", args=[doomed.pk])).status_code == 403
    assert Notice.objects.get(key="doomed").undeliverable_at is not None
