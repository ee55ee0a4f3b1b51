"""The access matrix (tests/access_matrix.toml) and what it takes to walk it: every URL pattern,
its row, the records its URL parameters name, and whether an answer matches the row. Shared by
the access tests (tests/test_access_matrix.py and its neighbours), the query-count test and the
benchmark's page sweep (bench/pages.py), which all ask the same URLs of the same people."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.documents.actions import upload_doctor_note
from backcare.documents.models import DoctorNote
from backcare.imports.models import ImportRun
from backcare.intake.actions import start_intake
from backcare.intake.models import Intake
from backcare.notes.models import Alert
from backcare.notices.models import Notice
from backcare.scheduling.models import BookingPolicy
from backcare.screening import actions
from backcare.screening.models import Screening
from backcare.signup.models import HeldTime
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import PERSONAS, Clinic
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


def make_records(clinic: Clinic, appointment_starts: dt.datetime | None = None) -> dict[str, str]:
    """Records behind URLs that name one: Alice's questionnaire, screening, clearance and
    appointment. ``appointment_starts``: when Alice's appointment with Tess is (by default three
    days ahead, on the hour); a clinic whose Tess is busy then passes a free time."""
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
    in_three_days = appointment_starts or (
        timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    )
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
        "hours_id": str(
            factories.WorkingHoursFactory.create(therapist=clinic.tess, location=clinic.location).pk
        ),
        "program_id": str(alice_program(clinic, screening).pk),
        "code": "swedish",  # a technique's education page
        "alert_id": str(notes_alert(clinic).pk),
        "held": str(held_time(clinic, in_three_days + dt.timedelta(days=1)).token),
        "note_id": str(doctor_note(clinic).pk),
        **billing_records(clinic),
        "notice_id": str(undeliverable_email().pk),
        "run_id": str(import_run(clinic).pk),
    }


def billing_records(clinic: Clinic) -> dict[str, str]:
    """Alice's gift card invoice, $10.00 of its $50.00 paid in cash; a report to download."""
    from backcare.billing import actions as billing
    from backcare.billing.models import Invoice

    card = billing.issue_gift_card(clinic.front_desk, clinic.alice, clinic.location, 5000)
    invoice = Invoice.objects.get(gift_card=card)
    payment = billing.record_payment(
        clinic.front_desk, invoice, method="cash", amount_cents=1000, key="matrix"
    )
    return {
        "invoice_id": str(invoice.pk),
        "payment_id": str(payment.pk),
        "report": "revenue_by_month",
    }


def held_time(clinic: Clinic, starts: dt.datetime) -> HeldTime:
    """A time Alice held on the clinic's booking page and signed up for."""
    now = timezone.now()
    return HeldTime.objects.create(
        service=clinic.service,
        location=clinic.location,
        therapist=clinic.tess,
        starts=starts,
        ends=starts + dt.timedelta(hours=1),
        blocked_until=starts + dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(minutes=15),
        client=clinic.alice,
        created_at=now,
    )


def doctor_note(clinic: Clinic) -> DoctorNote:
    """The doctor's note Alice sent from the portal."""
    assert clinic.alice.user is not None
    return upload_doctor_note(
        clinic.alice.user,
        clinic.alice,
        SimpleUploadedFile("clearance.pdf", b"%PDF-1.4 note", "application/pdf"),
        message="",
        now=timezone.now(),
    )


def undeliverable_email(key: str = "matrix-undeliverable") -> Notice:
    """An email to Alice that Backcare gave up sending."""
    return Notice.objects.create(
        key=key,
        kind="appointment_booked",
        recipient="alice@example.com",
        to=["alice@example.com"],
        subject="Your appointment is booked",
        template="notices/appointment_booked",
        attempts=12,
        last_error="SMTPRecipientsRefused",
        undeliverable_at=timezone.now(),
    )


def import_run(clinic: Clinic) -> ImportRun:
    """A finished dry run of a client export, uploaded by the owner."""
    return ImportRun.objects.create(
        kind="clients",
        system="jane",
        filename="patients.csv",
        content="First Name,Last Name,Birth Date\n",
        status=ImportRun.Status.DONE,
        created_by=clinic.owner,
        created_at=timezone.now(),
    )


def notes_alert(clinic: Clinic, client: Client | None = None) -> Alert:
    """An open "not responding" alert about Alice (or ``client``), with its drafted referral
    letter."""
    return Alert.objects.create(
        client=client or clinic.alice,
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
        "user_id": str(clinic.tess.user.pk),  # a colleague whose two-step sign-in is reset
        "uidb64": "MA",
        "token": "made-up-token",
        "app_label": "clinic",
        "table": "responders",
        # FHIR: Alice's Patient resource; an export that does not exist.
        "resource_type": "Patient",
        "resource_id": str(clinic.alice.pk),
        "job_id": "00000000-0000-4000-8000-000000000000",
        "filename": "Patient.ndjson",
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


def bob_begins_his_questionnaire(clinic: Clinic) -> None:
    """As the access test's post to start it leaves him: the matrix's review page answers him
    200 after that post."""
    assert clinic.bob.user is not None
    if not Intake.objects.filter(client=clinic.bob).exists():
        start_intake(clinic.bob.user, clinic.bob, Intake.Source.PORTAL)


def pages(clinic: Clinic, records: dict[str, str]) -> list[tuple[str, str, str]]:
    """Every page someone may open: (persona, URL name, URL) for each row read with GET that
    answers 200 to that persona. Actions (rows posted to) and redirects are not pages. Bob
    begins his questionnaire first."""
    bob_begins_his_questionnaire(clinic)
    found = []
    for name, pattern in url_patterns():
        if name is None or name == "admin:<unnamed>":
            continue
        row = row_for(name)
        if row is None or row.get("method") == "post":
            continue
        url = reverse(name, kwargs=sample_kwargs(name, pattern, clinic, records))
        found += [(persona, name, url) for persona in PERSONAS if row.get(persona) == 200]
    return found
