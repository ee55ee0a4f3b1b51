"""A therapist's access to a client's clinical record follows treatment, not a booking (SPEC §2a,
issue 11 item 5): a check-in, the program they plan or the owner's assignment puts them on the
client's care team; booking, moving or cancelling an appointment does not. Memberships that
booking made before are ended, or kept and relabelled, by clinic migration 0004."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from backcare.audit.models import AuditEvent
from backcare.booking.actions import (
    book_appointment,
    cancel_appointment,
    check_in,
    reschedule_appointment,
)
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import ProgramStatus
from backcare.clinic.models import CareTeamMembership, Client, Therapist
from backcare.notes.actions import record_check_in
from backcare.notes.models import CheckIn, SessionNote
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic, login_as
from tests.notes.conftest import check_in_answers

UTC = dt.UTC
NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=UTC)  # Monday 25 May 2026, 08:00 in Atlanta
MONDAY_10 = dt.datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # Monday 1 June, 10:00 in Atlanta
MONDAY_14 = dt.datetime(2026, 6, 1, 18, 0, tzinfo=UTC)

migration = importlib.import_module("backcare.clinic.migrations.0004_care_team_follows_treatment")


@pytest.fixture
def open_clinic(clinic: Clinic) -> Iterator[Clinic]:
    """Tess and Theo work Monday to Friday 09:00-17:00 at Midtown; it is a week before."""
    for therapist in (clinic.tess, clinic.theo):
        factories.weekly_hours(therapist, clinic.location)
    BookingPolicy.current()
    with time_machine.travel(NOW, tick=False):
        yield clinic


def book(clinic: Clinic, therapist: Therapist, starts: dt.datetime = MONDAY_10) -> Appointment:
    """The front desk books Bob, whom nobody treats yet."""
    return book_appointment(
        clinic.front_desk,
        clinic.bob,
        clinic.service,
        therapist,
        clinic.location,
        starts,
        now=NOW,
    )


def on_team(client: Client, therapist: Therapist) -> bool:
    return client.care_team.filter(therapist=therapist, ended_at__isnull=True).exists()


def chart_pages(client: Client) -> list[str]:
    """The client's chart and a clinical page of it (the screening)."""
    return [client.get_absolute_url(), reverse("screening:client", args=[client.pk])]


def assert_refused(http: HttpClient, client: Client) -> None:
    for url in chart_pages(client):
        assert http.get(url).status_code in (403, 404), url


# --- Booking gives no access ------------------------------------------------------------------


def test_booking_does_not_put_the_therapist_on_the_care_team(open_clinic: Clinic) -> None:
    book(open_clinic, open_clinic.tess)

    assert not CareTeamMembership.objects.filter(client=open_clinic.bob).exists()
    assert not AuditEvent.objects.filter(action="care_team.added").exists()
    assert_refused(login_as(open_clinic.tess.user), open_clinic.bob)


def test_a_therapist_whose_only_tie_is_a_cancelled_appointment_cannot_open_the_chart(
    open_clinic: Clinic,
) -> None:
    appointment = book(open_clinic, open_clinic.tess)
    cancel_appointment(open_clinic.front_desk, appointment, "Changed plans", now=NOW)

    assert not on_team(open_clinic.bob, open_clinic.tess)
    assert_refused(login_as(open_clinic.tess.user), open_clinic.bob)


def test_neither_therapist_of_a_moved_appointment_opens_the_chart(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, open_clinic.tess)
    reschedule_appointment(
        open_clinic.front_desk, appointment, MONDAY_14, therapist=open_clinic.theo, now=NOW
    )

    assert not CareTeamMembership.objects.filter(client=open_clinic.bob).exists()
    for therapist in (open_clinic.tess, open_clinic.theo):
        assert_refused(login_as(therapist.user), open_clinic.bob)


# --- Treatment does -----------------------------------------------------------------------------


def test_check_in_puts_the_therapist_on_the_care_team(open_clinic: Clinic) -> None:
    factories.screened(open_clinic.bob, [], actor=open_clinic.owner)
    appointment = book(open_clinic, open_clinic.theo)
    assert not on_team(open_clinic.bob, open_clinic.theo)

    check_in(open_clinic.front_desk, appointment, MONDAY_10 - dt.timedelta(minutes=10))

    membership = CareTeamMembership.objects.get(
        client=open_clinic.bob, therapist=open_clinic.theo, ended_at__isnull=True
    )
    assert membership.reason == CareTeamMembership.Reason.TREATED
    assert membership.get_reason_display() == "Treated the client"
    event = AuditEvent.objects.get(action="care_team.added")
    assert event.actor == open_clinic.front_desk
    assert event.client == open_clinic.bob
    assert event.changes["reason"]["after"] == "treated"
    as_theo = login_as(open_clinic.theo.user)
    for url in chart_pages(open_clinic.bob):
        assert as_theo.get(url).status_code == 200, url
    # Tess, who has no session with Bob, still does not see him.
    assert_refused(login_as(open_clinic.tess.user), open_clinic.bob)


@pytest.mark.parametrize("source", [CheckIn.Source.DESK, CheckIn.Source.PORTAL])
def test_the_desk_and_portal_check_ins_put_the_therapist_on_the_care_team(
    open_clinic: Clinic, source: CheckIn.Source
) -> None:
    factories.screened(open_clinic.bob, [], actor=open_clinic.owner)
    appointment = book(open_clinic, open_clinic.theo)
    actor = open_clinic.front_desk if source == CheckIn.Source.DESK else open_clinic.bob.user

    record_check_in(
        actor,
        appointment,
        check_in_answers(),
        source=source,
        now=MONDAY_10 - dt.timedelta(minutes=5),
    )

    membership = CareTeamMembership.objects.get(
        client=open_clinic.bob, therapist=open_clinic.theo, ended_at__isnull=True
    )
    assert membership.reason == CareTeamMembership.Reason.TREATED


def test_check_in_keeps_an_existing_membership_as_it_is(open_clinic: Clinic) -> None:
    factories.screened(open_clinic.bob, [], actor=open_clinic.owner)
    assigned = factories.treat(open_clinic.theo, open_clinic.bob)
    appointment = book(open_clinic, open_clinic.theo)

    check_in(open_clinic.front_desk, appointment, MONDAY_10)

    assert list(CareTeamMembership.objects.filter(client=open_clinic.bob)) == [assigned]
    assert not AuditEvent.objects.filter(action="care_team.added").exists()


# --- The migration of memberships booking made ------------------------------------------------


def booked_membership(client: Client, therapist: Therapist, **values: Any) -> CareTeamMembership:
    return CareTeamMembership.objects.create(
        client=client,
        therapist=therapist,
        reason=CareTeamMembership.Reason.BOOKED,
        added_at=timezone.now() - dt.timedelta(days=30),
        **values,
    )


def appointment(
    clinic: Clinic, client: Client, therapist: Therapist, status: AppointmentStatus, week: int = 0
) -> Appointment:
    return factories.AppointmentFactory.create(
        client=client,
        therapist=therapist,
        service=clinic.service,
        location=clinic.location,
        starts=MONDAY_10 + dt.timedelta(weeks=week),
        status=status,
    )


def _models_as_the_migration_sees_them() -> Any:
    """The models as they were when the migration ran (the appointment still in scheduling)."""
    loader = MigrationLoader(connection)
    return loader.project_state(("clinic", "0004_care_team_follows_treatment")).apps


def test_the_migration_ends_booked_access_without_treatment_and_relabels_the_rest(
    clinic: Clinic,
) -> None:
    tess, theo = clinic.tess, clinic.theo
    tara = factories.TherapistFactory.create()
    carol, dave, erin = (factories.ClientFactory.create() for _ in range(3))
    now = timezone.now()
    # Only a cancelled appointment, a no-show, or a session still to come: no treatment.
    cancelled = booked_membership(clinic.bob, tess)
    appointment(clinic, clinic.bob, tess, AppointmentStatus.CANCELLED)
    no_show = booked_membership(erin, tess)
    appointment(clinic, erin, tess, AppointmentStatus.NO_SHOW)
    to_come = booked_membership(erin, theo)
    appointment(clinic, erin, theo, AppointmentStatus.BOOKED, week=1)
    # Treated: a completed or a checked-in session, a check-in record, a session note.
    completed = booked_membership(clinic.bob, theo)
    appointment(clinic, clinic.bob, theo, AppointmentStatus.COMPLETED)
    checked_in = booked_membership(carol, tess)
    appointment(clinic, carol, tess, AppointmentStatus.CHECKED_IN)
    with_check_in = booked_membership(carol, theo)
    CheckIn.objects.create(
        appointment=appointment(clinic, carol, theo, AppointmentStatus.CANCELLED, week=1),
        client=carol,
        source=CheckIn.Source.DESK,
        nrs=4,
        health_changed=False,
        checked_in_at=now,
    )
    with_note = booked_membership(dave, tess)
    SessionNote.objects.create(
        appointment=appointment(clinic, dave, tess, AppointmentStatus.NO_SHOW),
        client=dave,
        therapist=tess,
        created_at=now,
        saved_at=now,
    )
    # Plans the client's program, with no session yet.
    planner = booked_membership(dave, theo)
    factories.ProgramFactory.create(  # the chronic low back pain template, as a draft
        client=dave,
        therapist=theo,
        service=clinic.service,
        screening=factories.screened(dave, [], actor=clinic.owner),
        status=ProgramStatus.DRAFT,
        created_at=now,
    )
    # Left alone: other reasons, and memberships already ended.
    assigned = clinic.alice.care_team.get(therapist=tess)
    ended_before = booked_membership(carol, tara, ended_at=now - dt.timedelta(days=3))
    audit_rows = AuditEvent.objects.count()

    apps = _models_as_the_migration_sees_them()
    counts = migration.follow_treatment(apps)

    assert counts == {"ended": 3, "treated": 4, "program": 1}
    for membership in (cancelled, no_show, to_come):
        membership.refresh_from_db()
        assert membership.ended_at is not None
        assert membership.reason == CareTeamMembership.Reason.BOOKED
    for membership in (completed, checked_in, with_check_in, with_note):
        membership.refresh_from_db()
        assert membership.ended_at is None
        assert membership.reason == CareTeamMembership.Reason.TREATED
    planner.refresh_from_db()
    assert (planner.reason, planner.ended_at) == (CareTeamMembership.Reason.PROGRAM, None)
    assigned_before, ended_at = assigned.reason, ended_before.ended_at
    assigned.refresh_from_db()
    ended_before.refresh_from_db()
    assert (assigned.reason, assigned.ended_at) == (assigned_before, None)
    assert ended_before.ended_at == ended_at
    assert ended_before.reason == CareTeamMembership.Reason.BOOKED
    assert AuditEvent.objects.count() == audit_rows  # the migration writes no audit rows
    assert not CareTeamMembership.objects.filter(
        reason=CareTeamMembership.Reason.BOOKED, ended_at__isnull=True
    ).exists()
    # The chart closes to Tess, whose only tie to Bob was a cancelled appointment.
    assert_refused(login_as(tess.user), clinic.bob)
    assert login_as(theo.user).get(clinic.bob.get_absolute_url()).status_code == 200
    # Running it again changes nothing.
    assert migration.follow_treatment(_models_as_the_migration_sees_them()) == {
        "ended": 0,
        "treated": 0,
        "program": 0,
    }
