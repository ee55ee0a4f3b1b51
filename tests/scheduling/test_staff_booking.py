"""Staff book, move, cancel and attend appointments, book a series, and the owner keeps hours,
time off, closures and the booking policy (issue 4 items 1, 3 and 6): through the pages, with
named people, a frozen clock and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking.actions import SlotTaken
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.scheduling.models import BookingPolicy, Closure, TimeOff, WorkingHours
from tests import factories
from tests.conftest import Clinic, login_as
from tests.pages import field_error, form_alert, input_value, text
from tests.scheduling.clinic_week import MONDAY, NOW, appointment
from tests.scheduling.clinic_week import on as local

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


def booking(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client": clinic.alice.pk,
        "service": clinic.service.pk,
        "location": clinic.location.pk,
        "therapist": clinic.tess.pk,
        "date": "2026-06-01",
        "time": "10:00",
        "notes": "",
    }
    data.update(changes)
    return data


CREATE = "/staff/appointments/new/"


def url(name: str, *args: Any) -> str:
    return reverse(f"scheduling:{name}", args=args)


# --- Booking one appointment ------------------------------------------------------------------


def test_the_front_desk_books_from_a_free_time_and_the_booking_is_audited(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    query = (
        f"?location={open_clinic.location.pk}&therapist={open_clinic.tess.pk}"
        "&date=2026-06-01&time=10:00"
    )
    form = as_front_desk.get(url("appointment_create") + query)
    assert form.status_code == 200
    assert input_value(form, "date") == "2026-06-01"
    assert input_value(form, "time") == "10:00"

    response = as_front_desk.post(url("appointment_create"), booking(open_clinic))

    booked = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == booked.get_absolute_url()
    assert booked.starts == local(MONDAY, 10)
    assert booked.room == open_clinic.room  # chosen for them
    assert booked.booked_by == open_clinic.front_desk
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.actor == open_clinic.front_desk
    assert event.object_id == str(booked.pk)


def test_the_client_search_narrows_the_list_of_clients(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    page = text(as_front_desk.get(url("appointment_create") + "?q=bak"))

    assert "Baker, Bob" in page
    assert "Anders, Alice" not in page


def test_a_held_client_is_explained_to_the_front_desk_without_clinical_reasons(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    teen = factories.ClientFactory.create(first_name="Tia", date_of_birth=dt.date(2010, 3, 1))

    form = text(as_front_desk.get(url("appointment_create") + f"?client={teen.pk}"))
    assert "Not bookable." in form
    assert "programs are for adults" in form

    response = as_front_desk.post(url("appointment_create"), booking(open_clinic, client=teen.pk))

    assert response.status_code == 400
    assert "programs are for adults" in text(response)
    assert not Appointment.objects.exists()


def test_a_taken_time_offers_the_nearest_free_times_and_one_click_books_one(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    appointment(open_clinic, local(MONDAY, 10), client=open_clinic.bob)

    response = as_front_desk.post(url("appointment_create"), booking(open_clinic))

    assert response.status_code == 400
    label, message = field_error(response, "time")
    assert label == "Time:"
    assert message == SlotTaken.MESSAGE
    page = text(response)
    assert "The nearest free times" in page
    assert 'name="slot" value="2026-06-01T11:15|' in page  # Tess after Bob's buffer
    assert input_value(response, "date") == "2026-06-01"  # nothing typed is lost

    picked = booking(open_clinic, slot=f"2026-06-01T11:15|{open_clinic.tess.pk}")
    assert as_front_desk.post(url("appointment_create"), picked).status_code == 302
    assert Appointment.objects.get(client=open_clinic.alice).starts == local(MONDAY, 11, 15)


@pytest.mark.parametrize(
    ("hour", "minute", "why"),
    [
        (11, 0, "during the clean-up after Bob's 10:00 session"),
        (9, 0, "this session's own clean-up would run into Bob's 10:00 session"),
    ],
)
def test_a_time_inside_the_clean_up_between_sessions_says_so_not_just_taken(
    open_clinic: Clinic, as_front_desk: HttpClient, hour: int, minute: int, why: str
) -> None:
    appointment(open_clinic, local(MONDAY, 10), client=open_clinic.bob)  # 10:00-11:00, +15

    response = as_front_desk.post(
        url("appointment_create"), booking(open_clinic, time=f"{hour:02d}:{minute:02d}")
    )

    assert response.status_code == 400
    _, message = field_error(response, "time")
    assert message == (
        "That time is too close to another session: Tess Therapist needs 15 minutes between "
        "sessions to get the room ready."
    ), why
    assert "just taken" not in text(response)
    assert "The nearest free times" in text(response)
    assert not Appointment.objects.filter(client=open_clinic.alice).exists()


def test_a_time_the_clocks_skip_is_refused_naming_the_time(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    response = as_front_desk.post(
        url("appointment_create"), booking(open_clinic, date="2026-03-08", time="02:30")
    )

    assert response.status_code == 400
    assert "does not exist" in field_error(response, "time")[1]


def test_missing_fields_are_named_and_nothing_is_booked(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    response = as_front_desk.post(url("appointment_create"), booking(open_clinic, therapist=""))

    assert response.status_code == 400
    assert field_error(response, "therapist") == ("Therapist:", "This field is required.")
    assert "Nothing has been saved" in form_alert(response)
    assert not Appointment.objects.exists()


def test_therapists_and_clients_cannot_book_through_the_staff_pages(
    open_clinic: Clinic, as_tess: HttpClient, as_alice: HttpClient
) -> None:
    assert as_tess.post(url("appointment_create"), booking(open_clinic)).status_code == 403
    assert as_alice.post(url("appointment_create"), booking(open_clinic)).status_code == 404
    assert not Appointment.objects.exists()


def test_the_client_page_offers_booking_to_the_desk_only(
    open_clinic: Clinic, as_front_desk: HttpClient, as_tess: HttpClient
) -> None:
    chart = reverse("staff:client_detail", args=[open_clinic.alice.pk])
    book = f"{url('appointment_create')}?client={open_clinic.alice.pk}"

    assert book in as_front_desk.get(chart).content.decode()
    assert url("client_series", open_clinic.alice.pk) in as_front_desk.get(chart).content.decode()
    assert book not in as_tess.get(chart).content.decode()


# --- Moving -----------------------------------------------------------------------------------


def test_the_front_desk_moves_an_appointment_to_another_time_and_therapist(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    moved = appointment(open_clinic, local(MONDAY, 10))

    response = as_front_desk.post(
        url("appointment_move", moved.pk),
        {"date": "2026-06-02", "time": "14:00", "therapist": open_clinic.theo.pk},
    )

    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.starts, moved.therapist) == (
        local(MONDAY + dt.timedelta(days=1), 14),
        open_clinic.theo,
    )
    event = AuditEvent.objects.get(action="appointment.rescheduled")
    assert event.actor == open_clinic.front_desk
    assert event.changes["starts"]["after"] == local(MONDAY + dt.timedelta(days=1), 14).isoformat()
    history = text(as_front_desk.get(moved.get_absolute_url()))
    assert "Fran Desk moved the appointment of Alice Anders" in history
    assert "from Monday, June 1 at 10:00 AM to Tuesday, June 2 at 2:00 PM" in history
    assert "from Tess Therapist to Theo Colleague" in history


def test_a_move_onto_a_taken_time_shows_the_alternatives_and_changes_nothing(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    moved = appointment(open_clinic, local(MONDAY, 10))
    appointment(open_clinic, local(MONDAY, 14), client=open_clinic.bob, room=None)

    response = as_front_desk.post(
        url("appointment_move", moved.pk),
        {"date": "2026-06-01", "time": "14:30", "therapist": open_clinic.tess.pk},
    )

    assert response.status_code == 400
    assert field_error(response, "time")[1] == SlotTaken.MESSAGE
    assert 'name="slot"' in text(response)
    assert "now Monday, June 1 at 10:00 AM" in text(response)
    moved.refresh_from_db()
    assert moved.starts == local(MONDAY, 10)
    assert not AuditEvent.objects.filter(action="appointment.rescheduled").exists()


def test_a_move_from_the_calendar_dialog_answers_with_a_calendar_reload(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    moved = appointment(open_clinic, local(MONDAY, 10))

    dialog = as_front_desk.get(url("appointment_move", moved.pk), headers={"HX-Request": "true"})
    assert "<html" not in text(dialog)
    assert 'hx-post="' + url("appointment_move", moved.pk) in text(dialog)

    response = as_front_desk.post(
        url("appointment_move", moved.pk),
        {"date": "2026-06-01", "time": "15:00", "therapist": open_clinic.tess.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["calendar-changed"]["message"].startswith("Moved Alice Anders to Monday")


def test_a_colleague_who_does_not_treat_the_client_cannot_see_or_move_the_appointment(
    open_clinic: Clinic, as_theo: HttpClient, as_tess: HttpClient
) -> None:
    moved = appointment(open_clinic, local(MONDAY, 10))
    as_bob = login_as(open_clinic.bob.user)

    assert as_theo.get(moved.get_absolute_url()).status_code == 403
    assert as_tess.get(moved.get_absolute_url()).status_code == 200  # her own appointment
    assert as_tess.get(url("appointment_move", moved.pk)).status_code == 403
    assert as_bob.get(moved.get_absolute_url()).status_code == 404


# --- Cancelling and attending -----------------------------------------------------------------


def test_a_cancellation_needs_a_reason_and_inside_the_window_is_flagged_late(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    soon = appointment(open_clinic, NOW + dt.timedelta(hours=5))

    form = as_front_desk.get(url("appointment_cancel", soon.pk))
    assert "late cancellation" in text(form)
    refused = as_front_desk.post(url("appointment_cancel", soon.pk), {"reason": ""})
    assert refused.status_code == 400
    assert field_error(refused, "reason") == ("Reason:", "This field is required.")

    response = as_front_desk.post(url("appointment_cancel", soon.pk), {"reason": "Called: unwell"})

    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.CANCELLED
    assert soon.late_cancellation
    assert soon.cancel_reason == "Called: unwell"
    event = AuditEvent.objects.get(action="appointment.cancelled")
    assert event.actor == open_clinic.front_desk
    page = text(as_front_desk.get(soon.get_absolute_url()))
    assert "late cancellation" in page and "reason: Called: unwell" in page


def test_a_cancellation_from_the_calendar_dialog_answers_with_a_calendar_reload(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    later = appointment(open_clinic, local(MONDAY, 10))
    calendar = reverse("scheduling:location_calendar", args=[open_clinic.location.pk])
    assert url("appointment_cancel", later.pk) in text(
        as_front_desk.get(calendar + "?date=2026-06-01")
    )

    response = as_front_desk.post(
        url("appointment_cancel", later.pk),
        {"reason": "Moving away"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    message = json.loads(response["HX-Trigger"])["calendar-changed"]["message"]
    assert message == "Cancelled Alice Anders's appointment."
    later.refresh_from_db()
    assert (later.status, later.late_cancellation) == (AppointmentStatus.CANCELLED, False)


def test_check_in_then_complete_and_a_refusal_is_explained(
    open_clinic: Clinic, as_front_desk: HttpClient, as_tess: HttpClient
) -> None:
    today = appointment(open_clinic, NOW + dt.timedelta(hours=2))
    later = appointment(open_clinic, NOW + dt.timedelta(days=3), client=open_clinic.bob)
    factories.screened(open_clinic.alice, [])  # nobody is checked in unscreened

    assert as_front_desk.post(url("appointment_check_in", today.pk)).status_code == 302
    today.refresh_from_db()
    assert today.status == AppointmentStatus.CHECKED_IN

    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=5), tick=False):
        assert as_tess.post(url("appointment_complete", today.pk)).status_code == 302
    today.refresh_from_db()
    assert today.status == AppointmentStatus.COMPLETED
    actions = list(
        AuditEvent.objects.filter(object_id=str(today.pk), action__startswith="appointment.")
        .order_by("at", "id")
        .values_list("action", "actor__email")
    )
    assert actions == [
        ("appointment.checked_in", "fran@example.com"),
        ("appointment.completed", "tess@example.com"),
    ]

    response = as_front_desk.post(url("appointment_no_show", later.pk), follow=True)
    assert "has not started yet" in text(response)
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED


def test_the_appointment_page_offers_only_what_can_be_done_now(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    booked = appointment(open_clinic, NOW + dt.timedelta(days=1))

    page = text(as_front_desk.get(booked.get_absolute_url()))

    assert "Check in" in page and "Move" in page and "Cancel" in page
    assert "Mark as a no-show" not in page  # not started yet
    assert "Mark as completed" not in page  # not checked in


# --- A series ---------------------------------------------------------------------------------


def series(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": clinic.service.pk,
        "location": clinic.location.pk,
        "therapist": clinic.tess.pk,
        "date": "2026-06-01",
        "time": "10:00",
        "count": 4,
        "per_week": 1,
        "days_between": 3,
        "do": "check",
    }
    data.update(changes)
    return data


def test_a_series_is_checked_date_by_date_then_the_free_dates_are_booked(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    alice = open_clinic.alice
    appointment(open_clinic, local(dt.date(2026, 6, 15), 10), client=open_clinic.bob)
    page = url("client_series", alice.pk)

    checked = as_front_desk.post(page, series(open_clinic))

    assert checked.status_code == 200
    report = text(checked)
    assert "nothing booked yet" in report
    assert report.count(">Free</td>") == 3
    assert f"<strong>No:</strong> {SlotTaken.MESSAGE}" in report  # June 15: Bob has 10:00
    assert "date=2026-06-15&amp;time=11:15" in checked.content.decode()  # an alternative
    assert "Book the 3 free dates" in report
    assert not Appointment.objects.filter(client=alice).exists()

    booked = as_front_desk.post(page, series(open_clinic, do="book"))

    assert booked.status_code == 200
    starts = sorted(Appointment.objects.filter(client=alice).values_list("starts", flat=True))
    assert starts == [local(dt.date(2026, 6, day), 10) for day in (1, 8, 22)]
    assert "Booked 3 sessions for Alice Anders. 1 date(s) need another time" in text(booked)
    assert AuditEvent.objects.filter(action="appointment.series_booked").count() == 1


def test_a_series_with_a_bad_count_is_refused_naming_it(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    response = as_front_desk.post(
        url("client_series", open_clinic.alice.pk), series(open_clinic, count=60)
    )

    assert response.status_code == 400
    assert field_error(response, "count")[0] == "Sessions:"


# --- The owner's settings ---------------------------------------------------------------------


def test_the_owner_adds_working_hours_with_breaks(
    open_clinic: Clinic, as_owner: HttpClient
) -> None:
    page = url("therapist_hours", open_clinic.theo.pk)
    open_clinic.theo.locations.add(open_clinic.location)

    response = as_owner.post(
        page,
        {
            "location": open_clinic.location.pk,
            "weekday": 5,
            "starts": "10:00",
            "ends": "14:00",
            "breaks": "12:00-12:30",
        },
    )

    assert response.status_code == 302
    saturday = WorkingHours.objects.get(therapist=open_clinic.theo, weekday=5)
    assert [(b.starts, b.ends) for b in saturday.breaks.all()] == [(dt.time(12), dt.time(12, 30))]
    assert AuditEvent.objects.get(action="working_hours.added").actor == open_clinic.owner


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "09:00"}, "ends", "The hours must end after they start."),
        ({"breaks": "lunch"}, "breaks", "“lunch” is not a break: write it as 12:30-13:15."),
        (
            {"breaks": "16:00-17:00"},
            "breaks",
            "The break 4:00 PM–5:00 PM must lie inside the hours 10:00 AM–2:00 PM.",
        ),
    ],
)
def test_bad_hours_are_refused_naming_the_field_and_keeping_the_input(
    open_clinic: Clinic, as_owner: HttpClient, changes: dict[str, str], field: str, message: str
) -> None:
    data = {
        "location": open_clinic.location.pk,
        "weekday": 5,
        "starts": "10:00",
        "ends": "14:00",
        "breaks": "",
        **changes,
    }

    response = as_owner.post(url("therapist_hours", open_clinic.tess.pk), data)

    assert response.status_code == 400
    assert field_error(response, field)[1] == message
    assert input_value(response, "starts") == "10:00"
    assert not WorkingHours.objects.filter(weekday=5).exists()


def test_the_owner_adds_and_removes_time_off(open_clinic: Clinic, as_owner: HttpClient) -> None:
    response = as_owner.post(
        url("time_off"),
        {
            "therapist": open_clinic.tess.pk,
            "first_day": "2026-06-08",
            "last_day": "2026-06-09",
            "reason": "Training course",
        },
    )

    assert response.status_code == 302
    away = TimeOff.objects.get()
    assert (away.starts, away.ends) == (
        local(dt.date(2026, 6, 8), 0),
        local(dt.date(2026, 6, 10), 0),
    )
    assert "Training course" in text(as_owner.get(url("time_off")))

    assert as_owner.post(url("time_off_remove", away.pk)).status_code == 302
    assert not TimeOff.objects.exists()
    assert [e.action for e in AuditEvent.objects.order_by("id") if "time_off" in e.action] == [
        "time_off.added",
        "time_off.removed",
    ]


def test_time_off_that_ends_before_it_starts_is_refused_naming_the_last_day(
    open_clinic: Clinic, as_owner: HttpClient
) -> None:
    response = as_owner.post(
        url("time_off"),
        {"therapist": open_clinic.tess.pk, "first_day": "2026-06-08", "last_day": "2026-06-01"},
    )

    assert response.status_code == 400
    assert field_error(response, "last_day")[1] == "The time off must end after it starts."
    assert input_value(response, "first_day") == "2026-06-08"


def test_the_owner_closes_every_location_for_a_holiday_and_reopens(
    open_clinic: Clinic, as_owner: HttpClient
) -> None:
    response = as_owner.post(
        url("closures"),
        {
            "location": "",
            "starts_on": "2026-11-26",
            "ends_on": "2026-11-27",
            "name": "Thanksgiving",
        },
    )

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.location is None
    assert "Thanksgiving: all locations, 2026-11-26 to 2026-11-27" in text(
        as_owner.get(url("closures"))
    )
    refused = as_owner.post(url("closures"), {"starts_on": "2026-11-27", "ends_on": "2026-11-26"})
    assert refused.status_code == 400
    assert field_error(refused, "ends_on") == (
        "Last day:",
        "The last day cannot be before the first day.",
    )

    assert as_owner.post(url("closure_remove", closure.pk)).status_code == 302
    assert not Closure.objects.exists()


def test_the_owner_sets_the_booking_policy_and_a_bad_value_is_named(
    open_clinic: Clinic, as_owner: HttpClient
) -> None:
    page = url("booking_policy")
    data = {
        "min_notice_minutes": 60,
        "horizon_days": 90,
        "cancellation_window_hours": 48,
        "held_sessions": "hold",
        "clock": 12,
    }

    assert as_owner.post(page, data).status_code == 302
    policy = BookingPolicy.current()
    assert (policy.min_notice_minutes, policy.horizon_days, policy.cancellation_window_hours) == (
        60,
        90,
        48,
    )
    assert AuditEvent.objects.get(action="booking_policy.updated").actor == open_clinic.owner

    refused = as_owner.post(page, {**data, "horizon_days": 0})
    assert refused.status_code == 400
    assert field_error(refused, "horizon_days")[0] == "Booking horizon (days):"
    assert BookingPolicy.current().horizon_days == 90


def test_the_front_desk_cannot_change_the_owners_settings(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    for name in ("hours", "time_off", "closures", "booking_policy"):
        assert as_front_desk.get(url(name)).status_code == 403
    assert as_front_desk.get(url("therapist_hours", open_clinic.tess.pk)).status_code == 403
