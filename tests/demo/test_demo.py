"""The demo clinic: an Atlanta practice that shows every feature, loadable again and again.

The demo is already loaded (tests/demo/conftest.py); a test that loads it again also proves that
loading is idempotent and quick the second time."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest

from backcare.accounts.models import Role, User
from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import ENDED_STATUSES, Program, ProgramStatus
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.demo import clinic as demo
from backcare.demo import history
from backcare.holds.queries import booking_hold
from backcare.holds.rules import kind_of
from backcare.scheduling.models import WorkingHours
from backcare.waitlist.models import EntryStatus, WaitlistEntry
from tests.demo.conftest import NOON, TODAY

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Location,
            Room,
            Therapist,
            Client,
            Service,
            WorkingHours,
            CareTeamMembership,
            Appointment,
            WaitlistEntry,
        )
    }


def test_the_demo_is_an_atlanta_practice_of_the_promised_size() -> None:
    demo.load(TODAY)
    assert set(Location.objects.values_list("city", flat=True)) == {"Atlanta", "Decatur"}
    assert Location.objects.filter(time_zone="America/New_York").count() == 2
    assert Room.objects.count() == 5
    assert Therapist.objects.count() == 6
    assert Client.objects.count() == 40 + len(history.HISTORY)  # the month's, the history's
    minutes = sorted(Service.objects.values_list("duration_minutes", flat=True))
    assert minutes == [30, 60, 90]


def test_the_demo_loads_on_a_day_whose_history_meets_many_holidays() -> None:
    """Loaded on July 5, 2027 (TODAY), a series of the history could not avoid Memorial Day,
    Juneteenth and Independence Day: the demo stopped with "No free weekly time". A series
    that must meet a holiday now skips it, as the clinic's own series do. The demo's history
    is dated back from the day it loads, so which of its sessions meet a holiday changes with
    the day."""
    clients = {program.client.full_name for program in Program.objects.select_related("client")}
    assert {past.name for past in history.HISTORY} <= clients


def test_demo_therapists_differ_in_techniques_and_weekly_hours() -> None:
    demo.load(TODAY)
    therapists = Therapist.objects.prefetch_related("hours")
    technique_sets = {tuple(sorted(t.techniques)) for t in therapists}
    hours = {
        tuple(sorted((h.weekday, h.starts, h.ends) for h in t.hours.all())) for t in therapists
    }
    assert len(technique_sets) == 6
    assert len(hours) == 6
    assert all(t.hours.exists() for t in therapists)


def test_demo_clients_have_varied_ages_and_each_has_a_therapist() -> None:
    demo.load(TODAY)
    ages = [client.age_on(TODAY) for client in Client.objects.all()]
    assert min(ages) < 25
    assert max(ages) > 70
    assert not Client.objects.filter(care_team__isnull=True).exists()
    assert Client.objects.filter(physician_name="").exists()  # some have no physician yet


def test_loading_the_demo_twice_changes_nothing() -> None:
    demo.load(TODAY)
    first, audit_rows = counts(), AuditEvent.objects.count()
    demo.load(TODAY)
    assert counts() == first
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("login", demo.LOGINS, ids=lambda login: login.role)
def test_every_printed_demo_login_signs_in(login: demo.DemoLogin) -> None:
    demo.load(TODAY)
    # As a sign-in page does: the lockout backend needs the request.
    user = authenticate(HttpRequest(), username=login.email, password=login.password)
    assert user is not None
    expected = {
        "owner": Role.OWNER,
        "front desk": Role.FRONT_DESK,
        "therapist": Role.THERAPIST,
        "client": Role.CLIENT,
    }[login.role]
    assert user.role == expected


def test_the_demo_client_login_opens_their_own_record() -> None:
    demo.load(TODAY)
    client_login = next(login for login in demo.LOGINS if login.role == "client")
    assert Client.objects.get(user__email=client_login.email).email == client_login.email


def test_the_demo_command_prints_one_login_per_role_and_respects_if_empty() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "The demo clinic is ready." in printed
    for login in demo.LOGINS:
        assert login.email in printed
    again = StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert "was not loaded" in again.getvalue()
    assert "owner@backcare.demo" in again.getvalue()


def test_the_demo_is_written_through_audited_actions() -> None:
    demo.load(TODAY)
    assert AuditEvent.objects.filter(action="client.registered").count() == 40 + len(
        history.HISTORY
    )
    assert AuditEvent.objects.filter(action="care_team.added").count() >= 40


def test_demo_clients_cover_every_screening_decision_and_a_recorded_clearance() -> None:
    from backcare.holds.queries import booking_hold
    from backcare.intake.models import Intake
    from backcare.screening.models import Clearance, Decision, Screening

    demo.load(TODAY)
    decisions = set(Screening.objects.values_list("decision", flat=True))
    assert decisions == set(Decision.values)
    cleared = Clearance.objects.get(
        client__screenings__decision=Decision.MEDICAL_CLEARANCE_REQUIRED,
        physician_name="Dr. Priya Natarajan",
    )
    assert booking_hold(cleared.client, TODAY) is None
    waiting = Screening.objects.filter(decision=Decision.MEDICAL_CLEARANCE_REQUIRED).exclude(
        client__clearances__isnull=False
    )
    assert waiting.exists()
    assert all(booking_hold(s.client, TODAY) is not None for s in waiting)
    assert Intake.objects.filter(status=Intake.Status.DRAFT).count() == 1
    portal_client = Client.objects.get(email="alex.rivera@example.com")
    assert booking_hold(portal_client, TODAY) is None


def test_the_demo_has_a_month_of_appointments_around_today_at_both_locations() -> None:
    demo.load(TODAY)
    month_starts = dt.datetime.combine(
        TODAY - dt.timedelta(days=demo.DAYS_BACK), dt.time(), tzinfo=dt.UTC
    )
    appointments = list(
        Appointment.objects.filter(starts__gte=month_starts).select_related("location", "client")
    )
    days = {a.starts.date() for a in appointments}
    assert min(days) <= TODAY - dt.timedelta(days=12)
    assert max(days) >= TODAY + dt.timedelta(days=12)
    assert {a.location.name for a in appointments} == {"Midtown", "Decatur"}
    for place in ("Midtown", "Decatur"):
        here = [a for a in appointments if a.location.name == place]
        assert any(a.starts < NOON for a in here) and any(a.starts > NOON for a in here)
    past = [a for a in appointments if a.ends <= NOON]
    future = [a for a in appointments if a.starts > NOON]
    statuses = {a.status for a in past}
    assert statuses == {
        AppointmentStatus.COMPLETED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
    }
    assert {a.status for a in future} == {AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED}
    assert sum(a.status == AppointmentStatus.COMPLETED for a in past) > len(past) / 2
    (late,) = [a for a in appointments if a.late_cancellation]
    assert late.status == AppointmentStatus.CANCELLED and late.starts < NOON


def test_demo_appointments_go_only_to_clients_screening_lets_us_book() -> None:
    demo.load(TODAY)
    booked_clients = Client.objects.filter(appointments__isnull=False).distinct()
    assert booked_clients.count() > 10
    # A client is held after booking only by what happened at a session (the demo's one
    # possible injury); nobody held by screening was ever booked.
    after_booking = ("possible_injury", "program_paused")
    assert all(kind_of(booking_hold(c, TODAY)) in (None, *after_booking) for c in booked_clients)
    held = [
        c
        for c in Client.objects.all()
        if kind_of(booking_hold(c, TODAY)) not in (None, *after_booking)
    ]
    assert held
    assert not Appointment.objects.filter(client__in=held).exists()


def test_demo_appointments_are_booked_and_attended_through_audited_actions() -> None:
    demo.load(TODAY)
    assert AuditEvent.objects.filter(action="appointment.booked").count() == (
        Appointment.objects.count()
    )
    assert AuditEvent.objects.filter(action="appointment.completed").count() == (
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED).count()
    )
    assert not Appointment.objects.filter(booked_by__isnull=True).exists()


def test_no_demo_therapist_room_or_client_is_double_booked() -> None:
    demo.load(TODAY)
    active = Appointment.objects.exclude(
        status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]
    ).order_by("starts")
    for key in ("therapist_id", "room_id", "client_id"):
        last_end: dict[object, dt.datetime] = {}
        for appointment in active:
            who = getattr(appointment, key)
            end = appointment.ends if key == "client_id" else appointment.blocked_until
            assert who not in last_end or last_end[who] <= appointment.starts, (key, appointment)
            last_end[who] = end


def test_the_demo_portal_client_is_waiting_for_an_earlier_time() -> None:
    demo.load(TODAY)
    entries = WaitlistEntry.objects.filter(status=EntryStatus.ACTIVE)
    assert entries.count() >= 1
    alex = entries.get(client__email="alex.rivera@example.com")
    assert alex.earliest > TODAY
    assert {e.location.name for e in entries} == {"Midtown", "Decatur"}
    assert all(e.client.user_id is not None for e in entries)  # offers are answered signed in


def test_demo_programs_have_signed_notes_a_paused_program_and_open_alerts() -> None:
    from backcare.care.models import ProgramStatus
    from backcare.notes.models import Alert, SessionNote

    demo.load(TODAY)
    notes = SessionNote.objects.all()
    assert notes.exists()
    assert not notes.filter(signed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="note.signed").count() == notes.count()
    injury = Alert.objects.get(kind="possible_injury", status=Alert.Status.OPEN)
    assert injury.program is not None and injury.program.status == ProgramStatus.PAUSED
    assert injury.paused_program and injury.letter_purpose == "possible_injury"
    assert injury.note is not None and injury.note.tissue_response == "no_relaxation"
    not_responding = Alert.objects.filter(kind="not_responding", status=Alert.Status.OPEN)
    assert not_responding.exists()
    assert not_responding.first().letter_purpose == "not_responding"  # type: ignore[union-attr]


def test_demo_clients_have_a_course_of_outcome_answers_to_chart() -> None:
    from backcare.outcomes.models import Response
    from backcare.outcomes.records import current_program, progress

    demo.load(TODAY)
    baselines = Response.objects.filter(occasion="intake")
    assert set(baselines.values_list("instrument", flat=True)) == {"nrs", "peg", "psfs"}
    # Every attended session of a client with a baseline has the pain they gave at check-in.
    check_ins = Response.objects.filter(occasion="check_in", instrument="nrs")
    attended = Appointment.objects.filter(
        status=AppointmentStatus.COMPLETED, client__in=baselines.values("client")
    )
    assert attended.exists()
    assert set(check_ins.values_list("appointment", flat=True)) >= set(
        attended.values_list("pk", flat=True)
    )
    # Clients improve by different amounts, and someone does not improve at all.
    classes = set()
    for client in Client.objects.filter(
        appointments__status=AppointmentStatus.COMPLETED
    ).distinct():
        nrs = next(m for m in progress(client, current_program(client)).measures if m.key == "nrs")
        if nrs.change is not None:
            classes.add(nrs.change.responder_class)
    assert {"substantial", "moderate"} <= classes
    assert classes & {"none", "worse", "minimal"}
    assert AuditEvent.objects.filter(action="outcome.recorded").count() == Response.objects.count()


def test_demo_programs_at_a_reassessment_point_have_its_answers() -> None:
    from backcare.care.models import Program
    from backcare.outcomes.models import Response

    demo.load(TODAY)
    reached = [
        program
        for program in Program.objects.all()
        if any(
            point <= program.appointments.filter(status=AppointmentStatus.COMPLETED).count()
            for point in program.reassessment_sessions
        )
    ]
    assert reached
    for program in reached:
        answered = Response.objects.filter(
            program=program, occasion__in=("reassessment", "discharge")
        )
        assert {"nrs", "peg", "pgic"} <= set(answered.values_list("instrument", flat=True))


def test_demo_has_programs_in_every_status_with_their_sessions() -> None:
    from backcare.care.models import Program, ProgramStatus

    demo.load(TODAY)

    statuses = set(Program.objects.values_list("status", flat=True))
    assert statuses == set(ProgramStatus.values)
    for program in Program.objects.exclude(status=ProgramStatus.DRAFT):
        assert program.started_on is not None
        assert program.status_changes.filter(to_status=ProgramStatus.ACTIVE).exists()
    linked = Program.objects.filter(appointments__isnull=False).distinct()
    assert linked.exists()
    assert all(program.goals.count() >= 3 for program in Program.objects.all())


# --- The history behind the clinic analytics ---------------------------------------------------

YEAR_AGO = TODAY - dt.timedelta(days=365)


def history_programs() -> list[Program]:
    """The history's programs that ended in the last twelve months."""
    return list(
        Program.objects.filter(
            client__email__in=[past.email for past in history.HISTORY],
            status__in=ENDED_STATUSES,
            started_on__gte=YEAR_AGO,
            ended_on__lt=TODAY,
        ).select_related("client", "therapist__user")
    )


def test_the_demo_history_has_ended_programs_at_each_location_under_each_template() -> None:
    from backcare.care.templates import load_templates
    from backcare.outcomes.models import Response

    demo.load(TODAY)
    programs = history_programs()
    assert len(programs) >= 30
    by_location: dict[str, int] = {}
    by_template: dict[str, int] = {}
    for program in programs:
        first = program.appointments.order_by("starts").select_related("location").first()
        assert first is not None and first.ends < NOON
        by_location[first.location.name] = by_location.get(first.location.name, 0) + 1
        by_template[program.template] = by_template.get(program.template, 0) + 1
        started = program.started_on
        assert started is not None
        baseline = Response.objects.filter(
            client=program.client, occasion="intake", instrument="nrs"
        ).get()
        assert baseline.collected_at.date() <= started
        check_ins = Response.objects.filter(program=program, occasion="check_in", instrument="nrs")
        assert check_ins.exists()
        assert all(answer.collected_at.date() > started for answer in check_ins)
    assert set(by_location) == {"Midtown", "Decatur"} and min(by_location.values()) >= 10
    assert set(by_template) == {template.key for template in load_templates().templates}
    assert min(by_template.values()) >= 5
    assert {p.therapist_id for p in programs} == set(Therapist.objects.values_list("pk", flat=True))
    statuses = [p.status for p in programs]
    assert statuses.count(ProgramStatus.COMPLETED) > len(programs) / 2
    assert ProgramStatus.DISCHARGED in statuses and ProgramStatus.REFERRED_OUT in statuses


def test_demo_history_clients_improve_by_different_amounts_at_different_times() -> None:
    from backcare.outcomes.models import Response
    from backcare.outcomes.scoring import responder

    demo.load(TODAY)
    classes, weeks_to_better, never = set(), [], 0
    for program in history_programs():
        baseline = Response.objects.get(client=program.client, occasion="intake", instrument="nrs")
        check_ins = Response.objects.filter(
            program=program, occasion="check_in", instrument="nrs"
        ).order_by("collected_at")
        latest = check_ins.last()
        assert latest is not None
        classes.add(responder("nrs", baseline.score, latest.score).responder_class)
        better = next(
            (c for c in check_ins if responder("nrs", baseline.score, c.score).meaningful), None
        )
        if better is None:
            never += 1
        elif program.started_on is not None:
            weeks_to_better.append((better.collected_at.date() - program.started_on).days / 7)
    assert classes == {"substantial", "moderate", "minimal", "none", "worse"}
    assert min(weeks_to_better) < 2 and max(weeks_to_better) > 6
    assert never >= 5  # censored on the curve


def test_demo_history_completed_programs_have_discharge_answers_and_signed_notes() -> None:
    from backcare.notes.models import Alert, SessionNote
    from backcare.outcomes.models import Response

    demo.load(TODAY)
    programs = history_programs()
    for program in (p for p in programs if p.status == ProgramStatus.COMPLETED):
        discharge = Response.objects.filter(program=program, occasion="discharge")
        assert set(discharge.values_list("instrument", flat=True)) == {"nrs", "peg", "psfs", "pgic"}
    attended = Appointment.objects.filter(
        program__in=programs, status=AppointmentStatus.COMPLETED
    ).count()
    notes = SessionNote.objects.filter(program__in=programs)
    assert notes.count() > attended * 0.8
    assert not notes.filter(signed_at__isnull=True).exists()
    # Signing them opened no alert, so the history emailed no therapist.
    assert not Alert.objects.filter(program__in=programs).exists()


def test_the_demo_history_has_no_shows_and_late_cancellations_in_the_past() -> None:
    demo.load(TODAY)
    before_the_month = Appointment.objects.filter(
        starts__lt=dt.datetime.combine(
            TODAY - dt.timedelta(days=demo.DAYS_BACK), dt.time(), tzinfo=dt.UTC
        )
    )
    assert before_the_month.filter(starts__date__lt=YEAR_AGO + dt.timedelta(days=90)).exists()
    assert not before_the_month.filter(status=AppointmentStatus.BOOKED).exists()
    assert before_the_month.filter(status=AppointmentStatus.NO_SHOW).count() >= 5
    no_shows = before_the_month.filter(status=AppointmentStatus.NO_SHOW)
    assert set(no_shows.values_list("location__name", flat=True)) == {"Midtown", "Decatur"}
    late = before_the_month.filter(late_cancellation=True)
    assert late.count() >= 3
    assert set(late.values_list("location__name", flat=True)) == {"Midtown", "Decatur"}
    for appointment in late:
        assert appointment.status == AppointmentStatus.CANCELLED
        assert (
            appointment.cancelled_at is not None and appointment.cancelled_at < appointment.starts
        )
    early = before_the_month.filter(status=AppointmentStatus.CANCELLED, late_cancellation=False)
    assert early.count() >= 5


def test_loading_the_demo_again_adds_no_history() -> None:
    from backcare.notes.models import SessionNote
    from backcare.outcomes.models import Response

    demo.load(TODAY)
    models = (Client, Program, Appointment, Response, SessionNote, AuditEvent)
    first = [model.objects.count() for model in models]
    demo.load(TODAY)
    assert [model.objects.count() for model in models] == first


def test_the_demo_has_clients_booked_before_answering_the_questionnaire() -> None:
    from backcare.holds.queries import hold_at

    demo.load(TODAY)
    waiting = [
        appointment.client
        for appointment in Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, client__screenings__isnull=True
        ).select_related("client")
    ]
    assert len({client.pk for client in waiting}) == 2
    assert all(kind_of(hold_at(client, "check_in", TODAY)) == "not_screened" for client in waiting)


def test_the_demo_bills_prices_a_package_a_gift_card_payments_and_open_balances() -> None:
    from backcare.billing.models import (
        GiftCard,
        Invoice,
        InvoiceStatus,
        Package,
        Payment,
        Price,
        ProviderNumbers,
    )

    assert Price.objects.values("location").distinct().count() == Location.objects.count()
    package = Package.objects.select_related("client").get()
    assert (package.sessions, package.paid_sessions) == (10, 9)
    assert package.client.email == "alex.rivera@example.com"  # the demo client's portal shows it
    assert GiftCard.objects.count() == 1
    assert Invoice.objects.filter(status=InvoiceStatus.PAID, kind="session").count() > 100
    assert Invoice.objects.filter(status=InvoiceStatus.OPEN).exists()  # the last days' balances
    assert Payment.objects.filter(refund_of__isnull=False).count() == 1
    assert set(Payment.objects.values_list("method", flat=True)) >= {"card", "cash", "hsa_fsa"}
    assert ProviderNumbers.objects.filter(npi="").count() == 0
