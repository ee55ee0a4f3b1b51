"""The check-in, note and alert pages, as each person sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.notes.models import Alert, CheckIn, SessionNote
from tests.conftest import CLOCK_QUERY, Clinic, audit_row_queries, login_as
from tests.notes.conftest import Course, check_in, check_in_answers, signed_note

# These tests read what a page was given (response.context).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recorded_pages")]


def form_data(answers: dict[str, Any]) -> dict[str, Any]:
    data = dict(answers)
    data["health_changed"] = "yes" if answers["health_changed"] else "no"
    return data


def note_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subjective": "A better week.",
        "pre_nrs": "5",
        "findings": "Tight on the left.",
        "areas": ["lower_back_left"],
        "fingertip_floor_cm": "20",
        "minutes_swedish": "40",
        "pressure_swedish": "2",
        "tissue_response": "relaxed",
        "post_nrs": "4",
        "adverse_events": "",
        "plan": "Same again.",
        "home_care": "Walk daily.",
    }
    data.update(changes)
    return data


def test_alice_checks_in_from_her_phone_on_the_day(
    clinic: Clinic, course: Course, as_alice: HttpClient
) -> None:
    session = course.sessions[0]
    url = reverse("notes:portal_check_in", args=[session.pk])
    with time_machine.travel(session.starts - dt.timedelta(hours=1), tick=False):
        page = as_alice.get(url)
        assert "Do you have numbness or tingling around your bottom" in page.content.decode()
        response = as_alice.post(url, form_data(check_in_answers(nrs=4)))
        assert response.status_code == 302
        done = as_alice.get(url).content.decode()
    assert "You're checked in" in done
    assert CheckIn.objects.get(appointment=session).source == CheckIn.Source.PORTAL


def test_check_in_is_closed_before_the_day(
    clinic: Clinic, course: Course, as_alice: HttpClient
) -> None:
    session = course.sessions[0]
    with time_machine.travel(session.starts - dt.timedelta(days=2), tick=False):
        page = as_alice.get(reverse("notes:portal_check_in", args=[session.pk]))
    assert "Check-in opens on the day" in page.content.decode()


def test_an_unanswered_question_is_named_and_nothing_is_saved(
    clinic: Clinic, course: Course, as_front_desk: HttpClient
) -> None:
    session = course.sessions[0]
    answers = form_data(check_in_answers())
    del answers["fever"]
    with time_machine.travel(session.starts, tick=False):
        response = as_front_desk.post(reverse("notes:desk_check_in", args=[session.pk]), answers)
    assert response.status_code == 400
    assert 'id="id_fever_error"' in response.content.decode() or "fever" in str(
        response.context["form"].errors
    )
    assert not CheckIn.objects.exists()


def test_a_stopped_session_is_calm_for_the_client_and_plain_for_the_front_desk(
    clinic: Clinic, course: Course, as_alice: HttpClient, as_front_desk: HttpClient
) -> None:
    session = course.sessions[0]
    with time_machine.travel(session.starts - dt.timedelta(minutes=5), tick=False):
        as_alice.post(
            reverse("notes:portal_check_in", args=[session.pk]),
            form_data(check_in_answers("bladder_dysfunction")),
        )
        client_page = as_alice.get(reverse("notes:portal_check_in", args=[session.pk]))
        desk_page = as_front_desk.get(reverse("scheduling:appointment", args=[session.pk]))
    shown = client_page.content.decode()
    assert "Today's session can't go ahead" in shown
    assert "a doctor should see you today" in shown
    desk = desk_page.content.decode()
    assert "Session stopped at check-in" in desk
    assert "bladder" not in desk.lower()
    assert "Session note" not in desk


def test_tess_writes_and_signs_a_note_without_javascript(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    session = course.sessions[0]
    check_in(clinic, session)
    save = reverse("notes:note_save", args=[session.pk])
    assert as_tess.post(save, note_form(save="1")).status_code == 302
    assert SessionNote.objects.get().signed_at is None
    assert as_tess.post(save, note_form(sign="1")).status_code == 302
    page = as_tess.get(reverse("notes:note", args=[session.pk])).content.decode()
    assert "Signed by Tess Therapist" in page
    assert "Add the addendum" in page


def test_autosave_answers_with_the_time_it_saved(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    session = course.sessions[0]
    at = dt.datetime(2026, 3, 2, 15, 42, tzinfo=dt.UTC)  # 10:42 in Atlanta
    with time_machine.travel(at, tick=False):
        response = as_tess.post(
            reverse("notes:note_save", args=[session.pk]), note_form(autosave="1", sign="1")
        )
    assert response.json() == {"saved_at": "10:42 AM"}  # 12-hour, as every time the clinic reads
    assert SessionNote.objects.get().signed_at is None  # autosave never signs


def test_pressure_above_the_cap_is_shown_next_to_its_field(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    session = course.sessions[0]
    response = as_tess.post(
        reverse("notes:note_save", args=[session.pk]), note_form(pressure_swedish="4", sign="1")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["pressure_swedish"] == [
        "Pressure 4 is above this client's limit of 2 (set by their safety screening)."
    ]


def test_theo_and_the_front_desk_cannot_read_notes(
    clinic: Clinic, course: Course, as_theo: HttpClient, as_front_desk: HttpClient
) -> None:
    note = signed_note(clinic, course.sessions[0])
    url = reverse("notes:note", args=[note.appointment_id])
    assert as_theo.get(url).status_code == 403
    assert as_front_desk.get(url).status_code == 403
    chart = as_front_desk.get(
        reverse("staff:client_detail", args=[clinic.alice.pk])
    ).content.decode()
    assert "Session notes and alerts" not in chart


def test_reading_a_note_is_audited(clinic: Clinic, course: Course, as_owner: HttpClient) -> None:
    note = signed_note(clinic, course.sessions[0])
    as_owner.get(reverse("notes:note", args=[note.appointment_id]))
    assert AuditEvent.objects.filter(
        action="note.viewed", actor=clinic.owner, object_id=str(note.pk)
    ).exists()


def test_the_note_page_runs_a_fixed_number_of_queries(
    clinic: Clinic, course: Course, as_owner: HttpClient, django_assert_num_queries: Any
) -> None:
    def visit(count: int) -> None:
        # Pain up two points: an alert that shows on the page but does not hold the client.
        note = signed_note(clinic, course.sessions[count], pre_nrs=3, post_nrs=5)
        from backcare.notes.actions import add_addendum

        for number in range(count + 1):
            add_addendum(clinic.tess.user, note, f"Addendum {number}")
        url = reverse("notes:note", args=[note.appointment_id])
        as_owner.get(url)  # warm the session
        with django_assert_num_queries(queries):
            assert as_owner.get(url).status_code == 200

    as_owner.get(reverse("staff:home"))
    # With the client's clinical hold, read in five queries, and the audit row of the read.
    queries = 21 + audit_row_queries() + CLOCK_QUERY
    visit(0)
    visit(3)


def test_the_alert_list_runs_a_fixed_number_of_queries(
    clinic: Clinic, course: Course, as_tess: HttpClient, django_assert_num_queries: Any
) -> None:
    url = reverse("notes:alerts")
    signed_note(clinic, course.sessions[0], adverse_events="Bruise")
    as_tess.get(url)
    with django_assert_num_queries(6 + CLOCK_QUERY):
        assert as_tess.get(url).status_code == 200
    for session in course.sessions[1:4]:
        signed_note(clinic, session, adverse_events="Bruise", pre_nrs=2, post_nrs=5)
    with django_assert_num_queries(6 + CLOCK_QUERY):
        page = as_tess.get(url)
    assert page.content.decode().count("Adverse event") == 4


def test_alerts_show_on_the_home_the_chart_and_are_acknowledged_with_a_note(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    signed_note(clinic, course.sessions[0], tissue_response="no_relaxation")
    alert = Alert.objects.get()
    home = as_tess.get(reverse("staff:home")).content.decode()
    assert "Open alerts" in home and "Possible injury" in home
    chart = as_tess.get(reverse("staff:client_detail", args=[clinic.alice.pk])).content.decode()
    assert "Possible injury" in chart
    refused = as_tess.post(reverse("notes:alert_acknowledge", args=[alert.pk]), {})
    assert refused.status_code == 400
    assert "Please write what was done about this alert." in refused.content.decode()
    done = as_tess.post(
        reverse("notes:alert_acknowledge", args=[alert.pk]),
        {"action_taken": "Phoned Alice; she will see her GP."},
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert "Possible injury" not in as_tess.get(reverse("notes:alerts")).content.decode()


def test_the_drafted_letter_is_a_pdf_with_the_sessions_reasons(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    signed_note(clinic, course.sessions[0], tissue_response="no_relaxation")
    alert = Alert.objects.get()
    response = as_tess.get(reverse("notes:alert_letter", args=[alert.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_my_appointments_offers_check_in_on_the_day_only(clinic: Clinic, course: Course) -> None:
    session = course.sessions[0]
    url = reverse("booking:appointments")
    check_in_url = reverse("notes:portal_check_in", args=[session.pk])
    # Alice signs in on each day (a client is signed out after a while without activity).
    with time_machine.travel(session.starts - dt.timedelta(days=1), tick=False):
        assert check_in_url not in login_as(clinic.alice.user).get(url).content.decode()
    with time_machine.travel(session.starts - dt.timedelta(hours=1), tick=False):
        assert check_in_url in login_as(clinic.alice.user).get(url).content.decode()


def test_the_owner_and_therapists_find_alerts_in_the_navigation(
    clinic: Clinic, as_tess: HttpClient, as_front_desk: HttpClient
) -> None:
    alerts = f'href="{reverse("notes:alerts")}"'
    assert alerts in login_as(clinic.owner).get(reverse("staff:home")).content.decode()
    assert alerts in as_tess.get(reverse("staff:home")).content.decode()
    assert alerts not in as_front_desk.get(reverse("staff:home")).content.decode()
