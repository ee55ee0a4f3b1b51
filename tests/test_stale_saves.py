"""Edit forms refuse a save over someone else's change made since the form was opened: the
page says so, keeps what was typed, and a second save (after reading theirs) replaces it. One
mechanism (backcare/pages.py) for the client's details (at the desk, and the client's own in the
portal, with their reminders), a service, the booking policy, a program's status, the privacy
notice and the session note's draft (tests/notes/test_stale_note.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.care.models import Program, ProgramStatus
from backcare.clinic.actions import update_client, update_privacy_notice, update_service
from backcare.clinic.models import Client, PrivacyNotice, Service
from backcare.scheduling.actions import update_booking_policy
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic, login_as
from tests.html_forms import page_forms
from tests.pages import text

pytestmark = pytest.mark.django_db

CHANGED = "changed by someone else since you opened it"


def opened_form(http: HttpClient, url: str) -> dict[str, Any]:
    """The edit form at ``url`` as it stands when opened (with its hidden version)."""
    page = http.get(url)
    assert page.status_code == 200
    data = edit_form(page.content.decode(), url)
    assert data.get("seen_version"), "the form carries the version it was opened with"
    return data


def edit_form(page: str, url: str) -> dict[str, Any]:
    (form,) = [f for f in page_forms(page, url) if f.method == "post" and f.action == url]
    return form.data()


def refuses_then_saves(
    http: HttpClient,
    url: str,
    mine: dict[str, Any],
    someone_else: Callable[[], object],
    stored: Callable[[], Any],
    theirs: Any,
    typed: str,
) -> None:
    data = {**opened_form(http, url), **mine}
    someone_else()

    refused = http.post(url, data)
    assert refused.status_code == 409
    assert CHANGED in text(refused)
    assert typed in text(refused), "what was typed is kept"
    assert stored() == theirs, "their change stands"

    saved = http.post(url, edit_form(refused.content.decode(), url))
    assert saved.status_code == 302
    assert stored() != theirs


def test_client_details(clinic: Clinic, as_front_desk: HttpClient) -> None:
    alice = clinic.alice
    refuses_then_saves(
        as_front_desk,
        reverse("clinic:client_edit", args=[alice.pk]),
        {"phone": "(404) 555-0111"},
        lambda: update_client(clinic.owner, alice, {"phone": "(404) 555-0222"}),
        lambda: Client.objects.get(pk=alice.pk).phone,
        "(404) 555-0222",
        "(404) 555-0111",
    )
    assert Client.objects.get(pk=alice.pk).phone == "(404) 555-0111"


def test_a_service(clinic: Clinic, as_owner: HttpClient) -> None:
    service = clinic.service
    refuses_then_saves(
        as_owner,
        reverse("clinic:service_edit", args=[service.pk]),
        {"description": "Slow, deep work for the lower back."},
        lambda: update_service(None, service, {"description": "Their words."}),
        lambda: Service.objects.get(pk=service.pk).description,
        "Their words.",
        "Slow, deep work for the lower back.",
    )


def test_the_booking_policy(clinic: Clinic, as_owner: HttpClient) -> None:
    BookingPolicy.current()
    refuses_then_saves(
        as_owner,
        reverse("scheduling:booking_policy"),
        {"horizon_days": "45"},
        lambda: update_booking_policy(None, horizon_days=30),
        lambda: BookingPolicy.current().horizon_days,
        30,
        "45",
    )
    assert BookingPolicy.current().horizon_days == 45


def test_a_programs_status(clinic: Clinic) -> None:
    screening = factories.screened(clinic.alice, [], actor=clinic.tess.user)
    program = factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=ProgramStatus.ACTIVE,
        created_by=clinic.tess.user,
    )
    tess = login_as(clinic.tess.user)
    url = reverse("care:status", args=[program.pk])
    data = {**opened_form(tess, url), "status": "paused", "reason": "Away for two weeks."}
    # Meanwhile the owner changes the program (its self-care advice).
    Program.objects.filter(pk=program.pk).update(self_care="Walk every day.")

    refused = tess.post(url, data)
    assert refused.status_code == 409
    assert CHANGED in text(refused)
    assert "Away for two weeks." in text(refused)
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.ACTIVE

    version = re.search(r'name="seen_version" value="([^"]+)"', refused.content.decode())
    assert version is not None
    saved = tess.post(url, {**data, "seen_version": version.group(1)})
    assert saved.status_code == 302
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.PAUSED


def test_the_clients_own_details_in_the_portal(clinic: Clinic, as_alice: HttpClient) -> None:
    alice = clinic.alice
    refuses_then_saves(
        as_alice,
        reverse("self_service:details"),
        {"phone": "(404) 555-0111"},
        lambda: update_client(clinic.front_desk, alice, {"phone": "(404) 555-0222"}),
        lambda: Client.objects.get(pk=alice.pk).phone,
        "(404) 555-0222",
        "(404) 555-0111",
    )
    assert Client.objects.get(pk=alice.pk).phone == "(404) 555-0111"


def test_the_clients_own_reminders_in_the_portal(clinic: Clinic, as_alice: HttpClient) -> None:
    alice = clinic.alice
    url = reverse("self_service:reminders")
    data = opened_form(as_alice, url)
    assert data["appointment_reminders"] == "on"
    del data["appointment_reminders"]  # Alice turns her reminders off ...
    # ... while the desk records, on her word by phone, that she wants no emails at all.
    update_client(clinic.front_desk, alice, {"contact_by_email": False})

    refused = as_alice.post(url, data)
    assert refused.status_code == 409
    assert CHANGED in text(refused)
    stored = Client.objects.get(pk=alice.pk)
    assert stored.appointment_reminders and not stored.contact_by_email, "the desk's change stands"
    again = edit_form(refused.content.decode(), url)
    assert "appointment_reminders" not in again, "her choice is kept on the page"

    assert as_alice.post(url, again).status_code == 302
    assert not Client.objects.get(pk=alice.pk).appointment_reminders


def test_the_privacy_notice(clinic: Clinic, as_owner: HttpClient) -> None:
    refuses_then_saves(
        as_owner,
        reverse("staff:privacy_edit"),
        {"text": "We keep your records safe."},
        lambda: update_privacy_notice(None, "A colleague's words."),
        lambda: PrivacyNotice.current().text,
        "A colleague's words.",
        "We keep your records safe.",
    )
    assert PrivacyNotice.current().text == "We keep your records safe."
