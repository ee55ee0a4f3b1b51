"""Every URL of Backcare, for every persona, against tests/access_matrix.toml (SPEC §7)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from backcare.care.models import Program
from backcare.intake.actions import start_intake
from backcare.intake.models import Intake
from backcare.notes.models import Alert
from backcare.scheduling.models import BookingPolicy
from backcare.screening import actions
from backcare.screening.models import Screening
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import PERSONAS, Clinic, login_as
from tests.factories import AppointmentFactory, ClosureFactory, TimeOffFactory, screened

MATRIX: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "access_matrix.toml").read_text()
)


def url_patterns() -> Iterator[tuple[str | None, URLPattern]]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str | None, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", pattern
            elif namespace.startswith("admin:"):
                # The admin's unnamed redirects sit behind the same admin gate.
                yield "admin:<unnamed>", pattern
            else:
                yield None, pattern

    yield from walk(get_resolver().url_patterns, "")


def row_for(name: str) -> dict[str, Any] | None:
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return MATRIX["admin:*"]
    return None


@pytest.fixture
def records(clinic: Clinic) -> dict[str, str]:
    """Records behind URLs that name one: Alice's questionnaire, screening, clearance and
    appointment."""
    screening = screened(clinic.alice, ["history_of_cancer"], actor=clinic.owner)
    clearance = actions.record_clearance(
        clinic.owner,
        clinic.alice,
        screening,
        {"physician_name": "Dr. Grace Lee", "cleared_on": timezone.localdate()},
        at=timezone.now(),
        document=SimpleUploadedFile("note.pdf", b"%PDF-1.4 note", "application/pdf"),
    )
    start_intake(clinic.owner, clinic.alice, Intake.Source.STAFF)  # a draft on top
    assert screening.intake is not None
    # Alice's appointment with Tess, three days ahead (outside the cancellation window).
    in_three_days = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    appointment = AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        room=clinic.room,
        starts=in_three_days,
    )
    BookingPolicy.current()  # the clinic's one booking policy, as once anyone has booked
    return {
        "step": "pain",
        "intake_id": str(screening.intake.pk),
        "screening_id": str(screening.pk),
        "clearance_id": str(clearance.pk),
        "appointment_id": str(appointment.pk),
        "entry_id": str(waitlist_entry(clinic).pk),
        "time_off_id": str(TimeOffFactory.create(therapist=clinic.tess).pk),
        "closure_id": str(ClosureFactory.create(location=clinic.location).pk),
        "program_id": str(alice_program(clinic, screening).pk),
        "code": "swedish",  # a technique's education page
        "alert_id": str(notes_alert(clinic).pk),
    }


def notes_alert(clinic: Clinic) -> Alert:
    """An open "not responding" alert about Alice, with its drafted referral letter."""
    return Alert.objects.create(
        client=clinic.alice,
        kind="not_responding",
        message="Not responding at the session 4 reassessment.",
        source="IMMPACT (Dworkin 2008)",
        letter_purpose="not_responding",
        opened_at=timezone.now(),
    )


def alice_program(clinic: Clinic, screening: Screening) -> Program:
    """Alice's active program with Tess, with her intake's baseline measures."""
    now = timezone.now()
    return factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        self_care="Walk for 20 minutes every day.",
        screening=screening,
        status="active",
        started_on=timezone.localdate(),
        created_at=now,
    )


def waitlist_entry(clinic: Clinic) -> WaitlistEntry:
    """Alice waits for an earlier time at her clinic in the coming fortnight."""
    today = timezone.localdate()
    return WaitlistEntry.objects.create(
        client=clinic.alice,
        service=clinic.service,
        location=clinic.location,
        earliest=today,
        latest=today + dt.timedelta(days=14),
    )


def sample_kwargs(
    name: str, pattern: URLPattern, clinic: Clinic, records: dict[str, str]
) -> dict[str, str]:
    wanted = set(pattern.pattern.regex.groupindex)
    values: dict[str, str] = {
        **records,
        "client_id": str(clinic.alice.pk),
        "location_id": str(clinic.location.pk),
        "room_id": str(clinic.room.pk),
        "therapist_id": str(clinic.tess.pk),
        "service_id": str(clinic.service.pk),
        "uidb64": "MA",
        "token": "made-up-token",
        "app_label": "clinic",
        "table": "responders",
        "id": "",  # the user admin's password page: filled below
    }
    if "id" in wanted:
        values["id"] = str(clinic.owner.pk)
    if "content_type_id" in wanted:
        values["content_type_id"] = str(ContentType.objects.get_for_model(clinic.alice).pk)
        values["object_id"] = str(clinic.alice.pk)
    elif "object_id" in wanted:
        # admin:<app>_<model>_<view>: an existing object of that model where there is one.
        model = next(
            model
            for model in admin.site._registry
            if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_")
        )
        first = model._default_manager.order_by("pk").first()
        values["object_id"] = str(first.pk if first is not None else 1)
    return {key: value for key, value in values.items() if key in wanted}


def outcome_matches(expected: Any, response: HttpResponseBase, kwargs: dict[str, str]) -> bool:
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path
    if isinstance(expected, int):
        return bool(status == expected)
    if expected == "login":
        return status == 302 and location == reverse("login")
    if expected == "admin-login":
        return status == 302 and location == reverse("admin:login")
    if expected == "admitted":
        return status == 200 or (
            status == 302 and location not in (reverse("admin:login"), reverse("login"))
        )
    if expected.startswith("redirect:"):
        return status == 302 and location == expected.removeprefix("redirect:").format(**kwargs)
    raise AssertionError(f"unknown expectation {expected!r}")


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = [
        pattern.pattern.describe() if name is None else name
        for name, pattern in url_patterns()
        if name is None or row_for(name) is None
    ]
    assert missing == [], f"add these URLs to tests/access_matrix.toml: {missing}"


def test_every_matrix_row_names_a_real_url() -> None:
    names = {name for name, _ in url_patterns() if name}
    stale = [name for name in MATRIX if name != "admin:*" and name not in names]
    assert stale == []


def test_every_view_goes_through_the_access_policy() -> None:
    unguarded = [
        name
        for name, pattern in url_patterns()
        if name and not name.startswith("admin:") and not hasattr(pattern.callback, "access_action")
    ]
    assert unguarded == [], "wrap these views with policy.requires or policy.public"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_matrix_says(
    clinic: Clinic, records: dict[str, str], persona: str
) -> None:
    http = login_as(clinic.user(persona))
    wrong = []
    for name, pattern in url_patterns():
        if name is None or name == "admin:<unnamed>":
            continue
        row = row_for(name)
        assert row is not None, name
        kwargs = sample_kwargs(name, pattern, clinic, records)
        url = reverse(name, kwargs=kwargs)
        response = http.post(url) if row.get("method") == "post" else http.get(url)
        if not outcome_matches(row[persona], response, kwargs):
            wrong.append(
                f"{name} {url}: expected {row[persona]!r}, got {response.status_code} "
                f"{response.get('Location', '')}"
            )
    assert wrong == [], "\n".join(wrong)
