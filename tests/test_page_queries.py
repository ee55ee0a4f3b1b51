"""Every page runs as many queries on a clinic with several times the data: a page that asks
once per row it lists grows slow as the clinic grows (the page sweep of ``make bench`` times
the same pages on 100,000 appointments)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backcare.billing import actions as billing
from backcare.billing.models import Invoice, ProviderNumbers
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.documents.actions import upload_doctor_note
from backcare.waitlist.models import WaitlistEntry
from bench.data import attended
from tests import factories
from tests.conftest import PERSONAS, Clinic, login_as
from tests.factories import AppointmentFactory
from tests.matrix import import_run, make_records, notes_alert, pages, undeliverable_email

GROWTH = 4
"""The large clinic has this many more of each kind of row the pages list than the small one,
which has one of each more than the access matrix's clinic."""

# Pages whose queries still grow with the data, and why (docs/performance.md has the plan).
EXCEPTIONS: dict[str, str] = {}


def queries(http: HttpClient, url: str) -> int:
    """The queries of one load of ``url``, after a first load has warmed what is kept; the
    session's own save (when a page changes what the session holds) is not the page's."""
    http.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return sum(1 for one in captured.captured_queries if '"django_session"' not in one["sql"])


def sessions(clinic: Clinic, client_index: int, days: range, status: str) -> list[Appointment]:
    """Sessions of one client with Tess in Midtown's Magnolia room, one a day at 13:00 UTC
    (clients apart by an hour and a half, so nobody is double-booked)."""
    client = (clinic.alice, clinic.bob)[client_index] if client_index < 2 else None
    made = []
    for offset in days:
        day = timezone.localdate() + dt.timedelta(days=offset)
        starts = dt.datetime.combine(day, dt.time(13), tzinfo=dt.UTC) + dt.timedelta(
            minutes=90 * client_index
        )
        made.append(
            AppointmentFactory.create(
                client=client or factories.ClientFactory.create(),
                therapist=clinic.tess,
                service=clinic.service,
                location=clinic.location,
                room=clinic.room,
                starts=starts,
                status=status,
            )
        )
    return made


def grow(clinic: Clinic, times: int, done_before: int = 0) -> None:
    """``times`` more of each kind of row the pages list (after ``done_before`` already
    added): clients in Tess's care with alerts and waitlist entries, Alice's and Bob's past
    sessions (checked in, noted, with their pain and audit rows) and coming ones, gift cards
    and payments, doctor's notes, undeliverable emails, imports, therapists, locations,
    rooms, services, time off, closures and working hours."""
    past = range(-6 - done_before - times, -6 - done_before)
    coming = range(8 + done_before, 8 + done_before + times)
    for index in range(2 + times):
        done = sessions(clinic, index, past, AppointmentStatus.COMPLETED)
        attended(Appointment.objects.filter(pk__in=[one.pk for one in done]))
        sessions(clinic, index, coming, AppointmentStatus.BOOKED)
    for client in factories.ClientFactory.create_batch(times):
        factories.treat(clinic.tess, client)
        notes_alert(clinic, client)
        WaitlistEntry.objects.create(
            client=client,
            service=clinic.service,
            location=clinic.location,
            earliest=timezone.localdate(),
            latest=timezone.localdate() + dt.timedelta(days=14),
        )
    assert clinic.alice.user is not None
    for number in range(done_before, done_before + times):
        card = billing.issue_gift_card(clinic.front_desk, clinic.alice, clinic.location, 5000)
        billing.record_payment(
            clinic.front_desk,
            Invoice.objects.get(gift_card=card),
            method="cash",
            amount_cents=1000,
            key=f"grow-{number}",
        )
        upload_doctor_note(
            clinic.alice.user,
            clinic.alice,
            SimpleUploadedFile(f"note-{number}.pdf", b"%PDF-1.4 note", "application/pdf"),
            message="",
            now=timezone.now(),
        )
        undeliverable_email(key=f"grow-{number}")
        import_run(clinic)
        therapist = factories.TherapistFactory.create()
        # Named after Midtown: the pages that start at the first location still show it.
        location = factories.LocationFactory.create(name=f"Westside {number}")
        # Their NPIs, which the FHIR Location and Practitioner carry.
        ProviderNumbers.objects.create(location=location, npi="1234567893")
        ProviderNumbers.objects.create(therapist=therapist, npi="1245319599")
        factories.RoomFactory.create(location=location)
        factories.RoomFactory.create(location=clinic.location)
        factories.ServiceFactory.create()
        factories.weekly_hours(therapist, clinic.location, weekdays=[number % 7])
        factories.TimeOffFactory.create(therapist=clinic.tess)
        factories.ClosureFactory.create(
            location=clinic.location, starts_on=dt.date(2026, 12, 1) + dt.timedelta(days=number)
        )


# Whether a page's queries grow with its rows is the ORM's doing, alike on either database (a
# PostgreSQL audit row's lock is one query more each time, whatever the size). On PostgreSQL
# tests/test_fuzz_inputs.py still opens these pages as every persona who may open them (all but
# the password page).
@pytest.mark.same_on_every_database
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_runs_as_many_queries_with_several_times_the_data(
    clinic: Clinic, persona: str
) -> None:
    records = make_records(clinic)
    grow(clinic, 1)  # one of each: a page's count may change from none to some, not after
    http = login_as(clinic.user(persona))
    urls = {name: url for who, name, url in pages(clinic, records) if who == persona}
    small = {name: queries(http, url) for name, url in urls.items()}
    grow(clinic, GROWTH, done_before=1)
    large = {name: queries(http, url) for name, url in urls.items()}
    grew = {
        name: f"{small[name]} queries, then {large[name]} with {GROWTH + 1} times the rows"
        for name in urls
        if large[name] != small[name] and name not in EXCEPTIONS
    }
    assert grew == {}
