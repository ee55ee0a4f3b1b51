"""The care pages: the chart's programs, starting a program, its page, its status form, booking
its series; the client's own program; the technique pages. Outsiders are refused and the front
desk never sees a program's clinical content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment
from backcare.care.actions import change_program_status
from backcare.care.models import Program, ProgramStatus
from tests import factories
from tests.care.conftest import NOW, program_in
from tests.conftest import CLOCK_QUERY, Clinic, audit_row_queries, login_as

NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def start_form(clinic: Clinic, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "template": "chronic_low_back_pain",
        "service": clinic.service.pk,
        "techniques": ["swedish", "myofascial_release"],
        "self_care": "Walk every day.",
        "goal_1": "Sitting through a film",
        "baseline_1": "4",
        "target_1": "8",
        "goal_2": "Gardening",
        "baseline_2": "3",
        "target_2": "7",
        "goal_3": "Lifting the laundry basket",
        "baseline_3": "",
        "target_3": "8",
    }
    data.update(changes)
    return data


# --- The client's chart ----------------------------------------------------------------------


def test_the_chart_offers_to_start_a_program_once_screening_allows(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    chart = clinic.alice.get_absolute_url()
    assert "Start a program" not in as_tess.get(chart).content.decode()

    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    page = as_tess.get(chart).content.decode()
    assert "Start a program" in page
    assert reverse("care:start", args=[clinic.alice.pk]) in page


def test_the_chart_does_not_offer_a_program_while_screening_holds(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=1))

    assert "Start a program" not in as_tess.get(clinic.alice.get_absolute_url()).content.decode()


def test_the_front_desk_sees_only_that_a_program_exists(
    clinic: Clinic, as_front_desk: HttpClient, as_tess: HttpClient
) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    desk = as_front_desk.get(clinic.alice.get_absolute_url()).content.decode()
    tess = as_tess.get(clinic.alice.get_absolute_url()).content.decode()

    assert "A care program" in desk and "active" in desk
    assert program.title not in desk
    assert program.get_absolute_url() not in desk
    assert "Start a program" not in desk
    assert program.title in tess
    assert as_front_desk.get(program.get_absolute_url()).status_code == 403


# --- Starting a program ----------------------------------------------------------------------


def test_tess_starts_a_program_from_the_form(clinic: Clinic, as_tess: HttpClient) -> None:
    factories.screened(clinic.alice, ["asthma"], at=NOW - dt.timedelta(days=1))
    url = reverse("care:start", args=[clinic.alice.pk])

    form = as_tess.get(url).content.decode()
    assert "Screening says avoid:" in form and "No essential oils" in form
    assert "Sitting through a film" in form  # her own goals, from her questionnaire
    assert "NICE NG59" in form
    response = as_tess.post(url, start_form(clinic))

    program = Program.objects.get()
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url()
    assert program.therapist == clinic.tess
    assert [goal.baseline for goal in program.goals.all()] == [4, 3, None]


def test_an_avoided_technique_is_refused_next_to_the_techniques(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.screened(clinic.alice, ["asthma"], at=NOW - dt.timedelta(days=1))

    response = as_tess.post(
        reverse("care:start", args=[clinic.alice.pk]),
        start_form(clinic, techniques=["swedish", "aromatherapy"], self_care="My own words."),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "screening says to avoid aromatherapy massage" in page
    assert "My own words." in page  # nothing typed is lost
    assert not Program.objects.exists()


def test_too_few_goals_are_refused_and_kept(clinic: Clinic, as_tess: HttpClient) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    response = as_tess.post(
        reverse("care:start", args=[clinic.alice.pk]),
        start_form(clinic, goal_3="", target_3=""),
    )

    assert response.status_code == 400
    assert "Please name 3 to 5 activities" in response.content.decode()
    assert "Gardening" in response.content.decode()


def test_the_start_page_explains_a_hold(clinic: Clinic, as_tess: HttpClient) -> None:
    factories.screened(clinic.alice, ["saddle_numbness"], at=NOW - dt.timedelta(days=1))

    page = as_tess.get(reverse("care:start", args=[clinic.alice.pk])).content.decode()

    assert "A program can't start yet." in page
    assert "Plan the program" not in page


@pytest.mark.parametrize("persona", ["as_theo", "as_front_desk"])
def test_others_cannot_start_alice_s_program(
    clinic: Clinic, persona: str, request: pytest.FixtureRequest
) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))
    http: HttpClient = request.getfixturevalue(persona)

    url = reverse("care:start", args=[clinic.alice.pk])
    assert http.get(url).status_code == 403
    assert http.post(url, start_form(clinic)).status_code == 403
    assert not Program.objects.exists()


# --- The program page ------------------------------------------------------------------------


def test_the_program_page_shows_the_plan_and_its_history(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    program = program_in(clinic, ProgramStatus.DRAFT)
    change_program_status(clinic.tess.user, program, "active", "First session today.", now=NOW)

    page = as_tess.get(program.get_absolute_url()).content.decode()

    assert "Swedish massage" in page
    assert "session 4 and session 10" in page
    assert "First session today." in page
    assert "Tess Therapist" in page
    assert AuditEvent.objects.filter(action="program.viewed", client=clinic.alice).exists()


def test_the_program_page_runs_a_fixed_number_of_queries(
    clinic: Clinic, as_tess: HttpClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    def grow(n: int) -> None:
        for i in range(n):
            program.goals.create(activity=f"Activity {program.goals.count()}", target=7, position=i)
            factories.AppointmentFactory.create(
                client=clinic.alice,
                therapist=clinic.tess,
                service=clinic.service,
                location=clinic.location,
                room=clinic.room,
                starts=NOW + dt.timedelta(days=7 * (Appointment.objects.count() + 1)),
                program=program,
            )
            program.status_changes.create(
                from_status="active", to_status="active", reason="Note", changed_at=NOW
            )

    grow(1)
    as_tess.get(program.get_absolute_url())
    with django_assert_num_queries(16 + audit_row_queries() + CLOCK_QUERY) as first:
        as_tess.get(program.get_absolute_url())
    grow(4)
    with django_assert_num_queries(len(first.captured_queries)):
        as_tess.get(program.get_absolute_url())


def test_theo_and_other_clients_are_refused_the_program(
    clinic: Clinic, as_theo: HttpClient
) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)
    bob = login_as(clinic.bob.user)

    assert as_theo.get(program.get_absolute_url()).status_code == 403
    assert bob.get(program.get_absolute_url()).status_code == 404
    assert bob.get(reverse("care:portal_program", args=[program.pk])).status_code == 404


# --- Status -----------------------------------------------------------------------------------


def test_the_status_form_pauses_with_a_reason(clinic: Clinic, as_tess: HttpClient) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)
    url = reverse("care:status", args=[program.pk])

    refused = as_tess.post(url, {"status": "paused", "reason": ""})
    assert refused.status_code == 400
    response = as_tess.post(url, {"status": "paused", "reason": "Flare-up after gardening."})

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == ProgramStatus.PAUSED
    assert program.status_changes.get().reason == "Flare-up after gardening."


def test_resuming_offers_the_client_s_clearances(clinic: Clinic, as_tess: HttpClient) -> None:
    from backcare.screening.actions import record_clearance

    program = program_in(clinic, ProgramStatus.PAUSED)
    held = factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=2))
    clearance = record_clearance(
        clinic.tess.user,
        clinic.alice,
        held,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=1),
    )
    url = reverse("care:status", args=[program.pk])

    assert "Dr. Miriam Okafor" in as_tess.get(url).content.decode()
    as_tess.post(url, {"status": "active", "reason": "Cleared.", "clearance": clearance.pk})

    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    assert program.status_changes.get().clearance == clearance


def test_resuming_while_screening_holds_shows_why(clinic: Clinic, as_tess: HttpClient) -> None:
    program = program_in(clinic, ProgramStatus.PAUSED)
    factories.screened(clinic.alice, ["saddle_numbness"], at=NOW - dt.timedelta(hours=1))

    response = as_tess.post(
        reverse("care:status", args=[program.pk]), {"status": "active", "reason": "Feels fine."}
    )

    assert response.status_code == 400
    assert "see a doctor first" in response.content.decode()


# --- Booking the series -----------------------------------------------------------------------


def test_booking_the_series_checks_then_books_linked_sessions(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.weekly_hours(clinic.tess, clinic.location)
    program = program_in(clinic, ProgramStatus.ACTIVE)
    url = reverse("care:book", args=[program.pk])
    # Ten Wednesdays clear of public holidays in Georgia, which a series skips.
    form = {"location": clinic.location.pk, "date": "2026-12-02", "time": "10:00"}

    checked = as_tess.post(url, {**form, "do": "check"})
    assert checked.status_code == 200
    assert "Book the 10 free dates" in checked.content.decode()
    assert not Appointment.objects.exists()

    booked = as_tess.post(url, {**form, "do": "book"})

    assert booked.status_code == 200
    appointments = list(Appointment.objects.order_by("starts"))
    assert len(appointments) == 10
    assert {a.program_id for a in appointments} == {program.pk}
    assert appointments[0].starts == dt.datetime(2026, 12, 2, 10, tzinfo=NY)
    assert "Every session of this program is booked." in as_tess.get(url).content.decode()


# --- The portal and the technique pages --------------------------------------------------------


def test_alice_reads_her_own_program_in_the_portal(clinic: Clinic, as_alice: HttpClient) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)
    program.self_care = "Walk for 20 minutes every day."
    program.save()
    program.goals.create(activity="Gardening", target=7, position=0)

    home = as_alice.get(reverse("portal:home")).content.decode()
    page = as_alice.get(reverse("care:portal_program", args=[program.pk])).content.decode()

    assert reverse("care:portal_program", args=[program.pk]) in home
    assert "Walk for 20 minutes every day." in page
    assert "Gardening" in page
    assert reverse("care:technique", args=["swedish"]) in page
    assert "<form" not in page.split("<main", 1)[-1]


def test_clients_read_techniques_without_the_screening_rules(
    clinic: Clinic, as_alice: HttpClient, as_tess: HttpClient
) -> None:
    url = reverse("care:technique", args=["deep_tissue"])

    client_page = as_alice.get(url).content.decode()
    staff_page = as_tess.get(url).content.decode()

    assert "Range of motion" in client_page
    assert "What restricts it" not in client_page
    assert "anticoagulants" in staff_page and "osteoporosis" in staff_page
    assert as_alice.get(reverse("care:technique", args=["reiki"])).status_code == 404
    assert "Manual lymphatic drainage" in as_alice.get(reverse("care:techniques")).content.decode()
