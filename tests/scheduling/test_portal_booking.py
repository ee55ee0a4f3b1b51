"""Clients book, move and cancel their own sessions in the portal (issue 4 item 5, SPEC §4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django import forms
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking.actions import book_appointment
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Room, Service, Therapist
from backcare.holds.rules import HOLDS
from backcare.portal.booking import (
    DayTimes,
    TimeChoice,
    clock_change,
    one_per_time,
    zone_name,
)
from backcare.portal.booking_forms import Catalogue, TimesForm, practises, service_label
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic, login_as
from tests.pages import field_error, text
from tests.scheduling.clinic_week import NOW, local

UTC = dt.UTC
# Monday 25 May 2026, 08:00 in Atlanta (EDT, UTC-4).


def param(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


@pytest.fixture
def alice(open_clinic: Clinic) -> HttpClient:
    return login_as(open_clinic.alice.user)


@pytest.fixture
def bob(open_clinic: Clinic) -> HttpClient:
    return login_as(open_clinic.bob.user)


def times_url(clinic: Clinic, **query: Any) -> str:
    values = {"service": clinic.service.pk, "location": clinic.location.pk, **query}
    return reverse("booking:start") + "?" + "&".join(f"{k}={v}" for k, v in values.items())


def choice(
    clinic: Clinic, starts: dt.datetime, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "service": clinic.service.pk,
        "location": clinic.location.pk,
        "therapist": clinic.tess.pk,
        "starts": param(starts),
        **(overrides or {}),
    }


def time_links(response: Any) -> list[dict[str, str]]:
    """The free times on a page, as the query of each link to the confirm page."""
    found = []
    for href in re.findall(r'href="([^"]*/confirm/\?[^"]*)"', response.content.decode()):
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        found.append({key: values[0] for key, values in query.items()})
    return found


def book_for(clinic: Clinic, client: Any, starts: dt.datetime, **kwargs: Any) -> Appointment:
    options: dict[str, Any] = {
        "service": clinic.service,
        "therapist": clinic.tess,
        "location": clinic.location,
        "now": NOW,
    }
    options.update(kwargs)
    return book_appointment(clinic.front_desk, client, starts=starts, **options)


# --- Pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "name"),
    [
        ("America/New_York", "Eastern Time"),
        ("America/Chicago", "Central Time"),
        ("America/Los_Angeles", "Pacific Time"),
        ("Europe/Lisbon", "Lisbon time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
    ],
)
def test_zones_are_named_the_way_clients_say_them(time_zone: str, name: str) -> None:
    assert zone_name(time_zone) == name


@pytest.mark.parametrize(
    ("service_techniques", "therapist_techniques", "gives"),
    [
        (["swedish", "deep_tissue", "sports"], ["swedish"], True),
        (["lymphatic_drainage"], ["swedish", "deep_tissue"], False),
        ([], ["swedish"], True),
        (["swedish"], [], False),
    ],
)
def test_a_therapist_gives_a_service_when_they_practise_one_of_its_techniques(
    service_techniques: list[str], therapist_techniques: list[str], gives: bool
) -> None:
    service = Service(name="Back massage", duration_minutes=60, techniques=service_techniques)
    therapist = Therapist(techniques=therapist_techniques)
    assert practises(therapist, service) is gives


def test_a_service_is_named_with_its_length_once() -> None:
    assert service_label(Service(name="Back massage", duration_minutes=60)) == (
        "Back massage (60 minutes)"
    )
    assert service_label(Service(name="Back massage — 30 minutes", duration_minutes=30)) == (
        "Back massage — 30 minutes"
    )


def test_each_free_time_is_offered_once_with_the_preferred_therapist() -> None:
    from backcare.booking.availability import FreeSlot

    nine = dt.datetime(2026, 6, 1, 13, tzinfo=UTC)
    ten = nine + dt.timedelta(hours=1)
    slots = [
        FreeSlot(nine, ten, 1, 1),
        FreeSlot(nine, ten, 2, 1),
        FreeSlot(ten, ten + dt.timedelta(hours=1), 1, 1),
    ]
    assert [(s.start, s.therapist_id) for s in one_per_time(slots, [2])] == [(nine, 2), (ten, 1)]
    assert [(s.start, s.therapist_id) for s in one_per_time(slots, [])] == [(nine, 1), (ten, 1)]


def test_the_clock_change_is_announced_in_the_week_it_happens(clinic: Clinic) -> None:
    autumn = [dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(7)]
    assert clock_change(clinic.location, autumn) == (
        "Clocks go back one hour on Sunday, November 1; the times shown allow for it."
    )
    spring = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(7)]
    assert "forward one hour on Sunday, March 8" in clock_change(clinic.location, spring)
    assert clock_change(clinic.location, autumn[:6]) == ""


# --- Book a session: free times -------------------------------------------------------------


def test_free_times_are_grouped_by_day_in_the_locations_zone_and_the_zone_is_named(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    response = alice.get(times_url(open_clinic, week="2026-06-03"))

    assert response.status_code == 200
    page = text(response)
    assert "Free times, Week of Monday, June 1" in page
    assert "Times are in Eastern Time, the local time at Midtown." in page
    for day in ("Monday, June 1", "Friday, June 5", "Saturday, June 6", "Sunday, June 7"):
        assert f"<h3>{day}</h3>" in page
    links = time_links(response)
    starts = [link["starts"] for link in links]
    assert starts[0] == param(local(1, 9))  # 9:00 AM local, 13:00 UTC
    assert '<span class="visually-hidden">Monday, June 1, </span>9:00 AM' in page
    # 60 minutes and a 15-minute buffer must fit before lunch (12:30-13:15) and the 17:00 close.
    monday = [s for s in starts if s.startswith("2026-06-01")]
    assert param(local(1, 11, 15)) in monday and param(local(1, 11, 30)) not in monday
    assert param(local(1, 13, 15)) in monday
    assert monday[-1] == param(local(1, 15, 45))
    assert all(link["service"] == str(open_clinic.service.pk) for link in links)


def test_the_first_page_shows_the_first_bookable_week_with_the_minimum_notice(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    response = alice.get(reverse("booking:start"))

    assert response.status_code == 200
    page = text(response)
    assert "Week of Monday, May 25" in page
    starts = [link["starts"] for link in time_links(response)]
    # Now is 08:00; two hours' notice makes 10:00 the first time today.
    assert starts[0] == param(local(25, 10, month=5))
    assert "← Previous week" not in page
    assert "Next week →" in page


def test_any_therapist_offers_each_time_once_preferring_the_clients_own_therapist(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    Room.objects.create(location=open_clinic.location, name="Willow")
    response = alice.get(times_url(open_clinic, week="2026-06-01", therapist=""))

    links = time_links(response)
    nine = [link for link in links if link["starts"] == param(local(1, 9))]
    assert len(nine) == 1
    assert nine[0]["therapist"] == str(open_clinic.tess.pk)  # Tess treats Alice


def test_only_therapists_who_practise_the_services_techniques_are_offered(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    drainage = factories.ServiceFactory.create(
        name="Lymphatic drainage", techniques=["lymphatic_drainage"]
    )
    open_clinic.theo.techniques = ["swedish", "lymphatic_drainage"]
    open_clinic.theo.save()

    response = alice.get(times_url(open_clinic, service=drainage.pk, week="2026-06-01"))
    assert {link["therapist"] for link in time_links(response)} == {str(open_clinic.theo.pk)}
    # Tess is listed for booking.js, but hidden and not choosable for this service.
    assert re.search(
        rf'<option value="{open_clinic.tess.pk}"[^>]*\bhidden\b[^>]*>Tess Therapist</option>',
        response.content.decode(),
    )

    refused = alice.get(times_url(open_clinic, service=drainage.pk, therapist=open_clinic.tess.pk))
    assert refused.status_code == 400
    assert field_error(refused, "therapist") == (
        "Therapist:",
        "Tess Therapist does not give Lymphatic drainage at Midtown. "
        "Choose another therapist or Any therapist.",
    )


def test_week_navigation_stays_inside_the_booking_horizon(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    # The horizon is 60 days: 08:00 on Friday, July 24, in the week of Monday, July 20.
    last = alice.get(times_url(open_clinic, week="2026-07-22"))
    assert last.status_code == 200
    page = text(last)
    assert "Next week →" not in page
    assert "You can book up to 60 days ahead online." in page
    assert "← Previous week" in page
    starts = [link["starts"] for link in time_links(last)]
    assert starts[-1] == param(local(23, 15, 45, month=7))  # nothing on the 24th before 08:00

    beyond = alice.get(times_url(open_clinic, week="2026-07-27"))
    assert beyond.status_code == 400
    assert field_error(beyond, "week") == (
        "Week of:",
        "You can book up to 60 days ahead online. Choose an earlier week.",
    )
    past = alice.get(times_url(open_clinic, week="2026-05-17"))
    assert past.status_code == 400
    assert field_error(past, "week")[1] == "That week has passed. Choose this week or a later one."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"service": "999"},
            "service",
            "That is not one of our services. Choose one from the list.",
        ),
        ({"service": "massage"}, "service", "That is not one of our services."),
        ({"location": "0"}, "location", "That is not one of our locations."),
        ({"therapist": "999"}, "therapist", "That is not one of our therapists."),
        ({"week": "next tuesday"}, "week", "Enter a date, for example 2026-06-01."),
    ],
)
def test_bad_search_input_is_refused_naming_the_field(
    open_clinic: Clinic, alice: HttpClient, query: dict[str, str], field: str, message: str
) -> None:
    response = alice.get(times_url(open_clinic, **query))

    assert response.status_code == 400
    assert message in field_error(response, field)[1]
    assert time_links(response) == []


def test_a_slot_after_the_autumn_clock_change_shows_its_local_time(open_clinic: Clinic) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 28, 12, tzinfo=UTC), tick=False):
        alice = login_as(open_clinic.alice.user)
        before = alice.get(times_url(open_clinic, week="2026-10-26"))
        after = alice.get(times_url(open_clinic, week="2026-11-02"))

    # Friday, October 30 is still EDT (UTC-4); Monday, November 2 is EST (UTC-5).
    assert "Clocks go back one hour on Sunday, November 1" in text(before)
    friday = [link for link in time_links(before) if link["starts"].startswith("2026-10-30")]
    assert friday[0]["starts"] == "2026-10-30T13:00Z"
    monday = [link for link in time_links(after) if link["starts"].startswith("2026-11-02")]
    assert monday[0]["starts"] == "2026-11-02T14:00Z"  # 9:00 AM EST
    page = text(after)
    assert "Times are in Eastern Time" in page
    assert '<span class="visually-hidden">Monday, November 2, </span>9:00 AM' in page
    assert "2:00 PM" in page  # the 14:00 local start, not the UTC hour of the first one
    assert "Clocks go" not in page

    with time_machine.travel(dt.datetime(2026, 10, 28, 12, tzinfo=UTC), tick=False):
        confirm = alice.get(
            reverse("booking:confirm"),
            choice(open_clinic, dt.datetime(2026, 11, 2, 14, tzinfo=UTC)),
        )
    assert "Monday, November 2 at 9:00 AM (EST)" in text(confirm)


def test_the_search_page_makes_the_same_queries_for_one_or_many_appointments(
    open_clinic: Clinic, alice: HttpClient, django_assert_num_queries: Any
) -> None:
    url = times_url(open_clinic, week="2026-06-01")
    book_for(open_clinic, open_clinic.bob, local(1, 10))
    # With Alice's clinical hold (5 queries, 2 before) and the idle stamp in her session (3:
    # clients too are signed out after a while without activity).
    with django_assert_num_queries(23):
        assert alice.get(url).status_code == 200

    rooms = [Room.objects.create(location=open_clinic.location, name=f"Room {n}") for n in (2, 3)]
    for day in range(1, 6):
        for hour in (12, 14, 16):  # Bob has 10:00 on Monday with Tess
            for therapist, room in ((open_clinic.tess, rooms[0]), (open_clinic.theo, rooms[1])):
                factories.AppointmentFactory.create(
                    therapist=therapist,
                    service=open_clinic.service,
                    location=open_clinic.location,
                    room=room,
                    starts=local(day, hour) + dt.timedelta(days=7 if hour == 16 else 0),
                )
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.theo,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(2, 10),
    )
    assert Appointment.objects.count() > 30
    # With Alice's clinical hold (5 queries, 2 before) and the idle stamp in her session (3:
    # clients too are signed out after a while without activity).
    with django_assert_num_queries(23):
        assert alice.get(url).status_code == 200


# --- Confirm and book -----------------------------------------------------------------------


def test_a_client_confirms_a_time_books_it_and_sees_the_details(
    open_clinic: Clinic, alice: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    picked = choice(open_clinic, local(1, 10))
    confirm = alice.get(reverse("booking:confirm"), picked)
    assert confirm.status_code == 200
    page = text(confirm)
    for shown in (
        "Confirm your booking",
        "Monday, June 1 at 10:00 AM (EDT)",
        "Eastern Time, local time at Midtown",
        "Back massage — 60 minutes",
        "Tess Therapist",
        "1100 Peachtree St NE, Atlanta, GA 30309",
        "$95.00",
    ):
        assert shown in page
    assert not Appointment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(reverse("booking:confirm"), picked)

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("booking:appointment", args=[appointment.pk]) + "?done=booked"
    )
    assert appointment.client == open_clinic.alice
    assert appointment.therapist == open_clinic.tess
    assert appointment.starts == local(1, 10)
    assert appointment.booked_by == open_clinic.alice.user
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.actor == open_clinic.alice.user
    assert event.client == open_clinic.alice
    # The notices app sends the confirmation; the page does not send mail itself.
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]

    success = alice.get(response["Location"])
    page = text(success)
    assert "You're booked" in page
    assert "Monday, June 1 at 10:00 AM (EDT)" in page
    assert "We're emailing you a confirmation with a calendar file attached" in page
    assert reverse("booking:calendar", args=[appointment.pk]) in page


def test_the_calendar_file_is_in_the_locations_zone(open_clinic: Clinic, alice: HttpClient) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(1, 10))

    response = alice.get(reverse("booking:calendar", args=[appointment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "DTSTART;TZID=America/New_York:20260601T100000" in body
    assert "BEGIN:VTIMEZONE" in body


def test_the_race_loser_is_offered_the_nearest_free_times_as_buttons(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    picked = choice(open_clinic, local(1, 10))
    assert alice.get(reverse("booking:confirm"), picked).status_code == 200
    book_for(open_clinic, open_clinic.bob, local(1, 10))  # Bob gets there first

    lost = alice.post(reverse("booking:confirm"), picked)

    assert lost.status_code == 409
    page = text(lost)
    assert "That time was just taken — here are the nearest free times." in page
    buttons = re.findall(r'<button type="submit" class="primary">([^<]*)</button>', page)
    assert buttons, "the nearest free times are offered as buttons"
    assert all("with Tess Therapist" in label for label in buttons)
    assert buttons[0] == "Monday, June 1 at 11:15 AM (EDT) with Tess Therapist"
    assert Appointment.objects.filter(client=open_clinic.alice).count() == 0

    main = page.split("<main", 1)[1]
    forms = re.findall(r'<form method="post" action="([^"]*)">(.*?)</form>', main, re.S)
    action, inputs = forms[0]
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', inputs))
    taken = alice.post(action, values)
    assert taken.status_code == 302
    assert Appointment.objects.get(client=open_clinic.alice).starts == local(1, 11, 15)


def test_a_time_inside_the_clean_up_after_another_session_is_explained_to_the_client(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    book_for(open_clinic, open_clinic.bob, local(1, 10))  # 10:00-11:00, cleared up by 11:15
    picked = choice(open_clinic, local(1, 11))

    refused = alice.post(reverse("booking:confirm"), picked)

    assert refused.status_code == 400
    page = text(refused)
    assert (
        "That time is too close to another session: Tess Therapist needs 15 minutes between "
        "sessions to get the room ready."
    ) in page
    assert "just taken" not in page
    assert "The nearest free times" in page
    assert "Monday, June 1 at 11:15 AM (EDT) with Tess Therapist" in page
    assert not Appointment.objects.filter(client=open_clinic.alice).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service": "999"}, "Service: That is not one of our services."),
        ({"location": "x"}, "Location: That is not one of our locations."),
        ({"therapist": ""}, "Therapist: Choose a therapist."),
        ({"starts": "2026-06-01T14:05Z"}, "Time: Appointments start on the quarter hour"),
        ({"starts": "2026-05-18T14:00Z"}, "Time: That time has already passed."),
        ({"starts": "2026-06-01T14:00"}, "Time: That is not a time we recognise."),
        ({"starts": "tomorrow"}, "Time: That is not a time we recognise."),
        ({"starts": ""}, "Time: Choose a time."),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    open_clinic: Clinic, alice: HttpClient, overrides: dict[str, str], message: str
) -> None:
    picked = choice(open_clinic, local(1, 10), overrides)

    for response in (
        alice.get(reverse("booking:confirm"), picked),
        alice.post(reverse("booking:confirm"), picked),
    ):
        assert response.status_code == 400
        page = " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())
        assert message in page
        assert "Nothing has been booked." in page
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="appointment.").exists()


def test_the_action_refuses_what_the_form_cannot_know_naming_the_field(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    soon = alice.post(reverse("booking:confirm"), choice(open_clinic, local(25, 9, month=5)))
    assert soon.status_code == 400
    assert "Time: Online bookings need at least 2 hours' notice." in " ".join(
        re.sub(r"<[^>]+>", " ", text(soon)).split()
    )
    closed = alice.post(reverse("booking:confirm"), choice(open_clinic, local(6, 10)))
    assert closed.status_code == 400
    assert "outside Tess Therapist's working hours" in text(closed)
    assert not Appointment.objects.exists()


def test_a_client_is_told_they_already_have_an_appointment_then(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    Room.objects.create(location=open_clinic.location, name="Willow")
    book_for(open_clinic, open_clinic.alice, local(1, 10), therapist=open_clinic.theo)

    response = alice.post(reverse("booking:confirm"), choice(open_clinic, local(1, 10)))

    assert response.status_code == 400
    assert "You already have an appointment at that time." in text(response)
    assert Appointment.objects.count() == 1


# --- The screening hold ---------------------------------------------------------------------


def _hold(clinic: Clinic, kind: str) -> None:
    if kind == "urgent_referral":
        factories.screened(clinic.alice, ["saddle_numbness"])
    elif kind == "medical_clearance_required":
        factories.screened(clinic.alice, ["history_of_cancer"])
    else:
        clinic.alice.date_of_birth = dt.date(2010, 3, 1)
        clinic.alice.save()


@pytest.mark.parametrize("kind", ["urgent_referral", "medical_clearance_required", "minor"])
def test_a_held_client_sees_why_on_every_booking_page_and_no_form(
    open_clinic: Clinic, alice: HttpClient, kind: str
) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(3, 10))
    _hold(open_clinic, kind)
    hold = HOLDS[kind]
    next_steps = reverse("portal:home" if kind == "minor" else "intake:portal_result")

    for url in (
        times_url(open_clinic, week="2026-06-01"),
        reverse("booking:start"),
        reverse("booking:confirm")
        + "?"
        + "&".join(f"{k}={v}" for k, v in choice(open_clinic, local(1, 10)).items()),
        reverse("booking:reschedule", args=[appointment.pk]),
        reverse("booking:reschedule_confirm", args=[appointment.pk])
        + f"?therapist={open_clinic.tess.pk}&starts={param(local(4, 10))}",
    ):
        response = alice.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert hold.client_message in page, url
        assert f'href="{next_steps}"' in page, url
        assert "<form method" not in page.split("<main", 1)[1], url
        assert time_links(response) == [], url


@pytest.mark.parametrize("kind", ["urgent_referral", "medical_clearance_required", "minor"])
def test_posting_anyway_is_refused_by_the_action_and_shown_not_a_500(
    open_clinic: Clinic, alice: HttpClient, kind: str
) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(3, 10))
    _hold(open_clinic, kind)

    booked = alice.post(reverse("booking:confirm"), choice(open_clinic, local(1, 10)))
    moved = alice.post(
        reverse("booking:reschedule_confirm", args=[appointment.pk]),
        {"therapist": open_clinic.tess.pk, "starts": param(local(4, 10))},
    )

    for response, unchanged in (
        (booked, "Nothing has been booked."),
        (moved, "Your appointment has not changed."),
    ):
        assert response.status_code == 403
        page = text(response)
        assert HOLDS[kind].client_message in page
        assert unchanged in page
    assert list(Appointment.objects.values_list("starts", flat=True)) == [local(3, 10)]


def test_a_recorded_clearance_lifts_the_hold(open_clinic: Clinic, alice: HttpClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backcare.screening.actions import record_clearance

    screening = factories.screened(open_clinic.alice, ["history_of_cancer"])
    assert alice.get(reverse("booking:start")).status_code == 200
    assert HOLDS["medical_clearance_required"].client_message in text(
        alice.get(reverse("booking:start"))
    )
    record_clearance(
        open_clinic.owner,
        open_clinic.alice,
        screening,
        {"physician_name": "Dr. Grace Lee", "cleared_on": NOW.date()},
        at=NOW,
        document=SimpleUploadedFile("note.pdf", b"%PDF-1.4 note", "application/pdf"),
    )

    assert time_links(alice.get(times_url(open_clinic, week="2026-06-01")))


# --- My appointments, moving and cancelling -------------------------------------------------


def test_my_appointments_lists_what_is_coming_and_what_has_been(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    coming = book_for(open_clinic, open_clinic.alice, local(3, 10))
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(18, 10, month=5),
        status=AppointmentStatus.COMPLETED,
    )
    factories.AppointmentFactory.create(
        client=open_clinic.alice,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        starts=local(10, 10),
        status=AppointmentStatus.CANCELLED,
    )
    factories.AppointmentFactory.create(client=open_clinic.bob, starts=local(4, 10))

    response = alice.get(reverse("booking:appointments"))

    assert response.status_code == 200
    page = text(response)
    upcoming, past = page.split("Past and cancelled")
    assert "Wednesday, June 3 at 10:00 AM (EDT)" in upcoming
    assert reverse("booking:reschedule", args=[coming.pk]) in upcoming
    assert reverse("booking:cancel", args=[coming.pk]) in upcoming
    assert "Monday, May 18 at 10:00 AM (EDT)" in past and "Completed" in past
    assert "Wednesday, June 10 at 10:00 AM (EDT)" in past and "Cancelled" in past
    assert "Thursday, June 4" not in page  # Bob's


def test_a_client_moves_an_appointment_through_the_same_free_times(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(3, 10))

    times = alice.get(reverse("booking:reschedule", args=[appointment.pk]))
    assert times.status_code == 200
    page = text(times)
    assert "Choose a new time" in page
    assert "Week of Monday, June 1" in page  # the appointment's own week
    assert "is booked for Wednesday, June 3 at 10:00 AM (EDT)" in page
    new_time = reverse("booking:reschedule_confirm", args=[appointment.pk])
    assert f"{new_time}?therapist={open_clinic.tess.pk}&amp;starts=2026-06-04T14%3A00Z" in (
        times.content.decode()
    )

    query: dict[str, Any] = {"therapist": open_clinic.tess.pk, "starts": param(local(4, 10))}
    confirm = alice.get(new_time, query)
    assert confirm.status_code == 200
    assert "Move your appointment?" in text(confirm)
    assert "Thursday, June 4 at 10:00 AM (EDT)" in text(confirm)

    moved = alice.post(new_time, query)

    assert moved.status_code == 302
    assert moved["Location"].endswith("?done=moved")
    appointment.refresh_from_db()
    assert appointment.starts == local(4, 10)
    event = AuditEvent.objects.get(action="appointment.rescheduled")
    assert event.actor == open_clinic.alice.user
    assert "Your appointment is moved" in text(alice.get(moved["Location"]))


def test_a_client_cancels_after_confirming(open_clinic: Clinic, alice: HttpClient) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(3, 10))
    url = reverse("booking:cancel", args=[appointment.pk])

    page = text(alice.get(url))
    assert "Cancel your appointment?" in page
    assert "Yes, cancel it" in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED

    response = alice.post(url, {"reason": "Away for work"})

    assert response.status_code == 302
    assert response["Location"] == reverse("booking:appointments")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not appointment.late_cancellation
    assert appointment.cancel_reason == "Away for work"
    event = AuditEvent.objects.get(action="appointment.cancelled")
    assert event.actor == open_clinic.alice.user
    listing = text(alice.get(response["Location"]))
    assert "Your appointment on Wednesday, June 3 at 10:00 AM (EDT) is cancelled." in listing


def test_inside_the_cancellation_window_the_client_is_told_to_call(
    open_clinic: Clinic, alice: HttpClient
) -> None:
    open_clinic.location.phone = "(404) 555-0199"
    open_clinic.location.save()
    tomorrow = book_for(open_clinic, open_clinic.alice, local(26, 9, month=5))  # 25 h away
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):  # now 22 h away
        cancel_url = reverse("booking:cancel", args=[tomorrow.pk])
        page = alice.get(cancel_url)
        refused = alice.post(cancel_url)
        move_page = alice.get(reverse("booking:reschedule", args=[tomorrow.pk]))
        move_refused = alice.post(
            reverse("booking:reschedule_confirm", args=[tomorrow.pk]),
            {"therapist": open_clinic.tess.pk, "starts": param(local(4, 10))},
        )
        listing = alice.get(reverse("booking:appointments"))

    told = (
        "This appointment is less than 24 hours away, so it can no longer be cancelled online. "
        "Please call the clinic to cancel."
    )
    assert page.status_code == 200
    assert told in text(page)
    assert "(404) 555-0199" in text(page)
    assert "Yes, cancel it" not in text(page)
    assert refused.status_code == 403
    assert told in text(refused)
    assert move_page.status_code == 200
    assert "so it can no longer be moved online. Please call the clinic." in text(move_page)
    assert move_refused.status_code == 403
    assert "can no longer be moved online" in text(move_refused)
    assert told in text(listing)
    tomorrow.refresh_from_db()
    assert tomorrow.status == AppointmentStatus.BOOKED
    assert tomorrow.starts == local(26, 9, month=5)


def test_bob_can_neither_see_nor_change_alices_appointments(
    open_clinic: Clinic, bob: HttpClient
) -> None:
    appointment = book_for(open_clinic, open_clinic.alice, local(3, 10))
    pk = appointment.pk

    for name in ("appointment", "reschedule", "reschedule_confirm", "cancel", "calendar"):
        assert bob.get(reverse(f"booking:{name}", args=[pk])).status_code == 404, name
    assert bob.post(reverse("booking:cancel", args=[pk])).status_code == 404
    assert (
        bob.post(
            reverse("booking:reschedule_confirm", args=[pk]),
            {"therapist": open_clinic.tess.pk, "starts": param(local(4, 10))},
        ).status_code
        == 404
    )
    assert "June 3" not in text(bob.get(reverse("booking:appointments")))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.starts == local(3, 10)
    assert not AuditEvent.objects.filter(
        action__in=["appointment.cancelled", "appointment.rescheduled"]
    ).exists()


def test_staff_are_sent_to_their_own_pages(open_clinic: Clinic) -> None:
    for user in (open_clinic.front_desk, open_clinic.tess.user, open_clinic.owner):
        assert login_as(user).get(reverse("booking:start")).status_code == 403


def test_the_portal_links_to_booking(open_clinic: Clinic, alice: HttpClient) -> None:
    page = alice.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("booking:start")}"' in page
    assert f'href="{reverse("booking:appointments")}"' in page


@pytest.mark.parametrize(
    ("query", "theo_hidden"),
    [
        pytest.param({"therapist": ""}, True, id="anyone"),
        pytest.param({"therapist": "tess"}, True, id="one-therapist"),
        pytest.param({"service": "x", "location": "<b>"}, False, id="errors-marked-invalid"),
    ],
)
def test_the_selects_write_exactly_what_djangos_select_template_writes(
    open_clinic: Clinic, query: dict[str, str], theo_hidden: bool
) -> None:
    """The booking form's selects are written in Python for speed; the markup must not change.

    Theo works only elsewhere, so his option is hidden while Midtown is the chosen location.
    """
    elsewhere = factories.LocationFactory.create(name="Elsewhere & Co")
    Therapist.objects.get(pk=open_clinic.theo.pk).locations.set([elsewhere])
    data = {"service": str(open_clinic.service.pk), "location": str(open_clinic.location.pk)}
    data.update(query)
    if data.get("therapist") == "tess":
        data["therapist"] = str(open_clinic.tess.pk)
    form = TimesForm(data, catalogue=Catalogue.load(), policy=BookingPolicy.current(), now=NOW)
    form.is_valid()
    for name in ("service", "location", "therapist"):
        field = form[name]
        attrs = {"id": field.auto_id, **({"aria-invalid": "true"} if field.errors else {})}
        ours = field.field.widget.render(field.html_name, field.value(), attrs, form.renderer)
        djangos = forms.Select.render(
            field.field.widget, field.html_name, field.value(), attrs, form.renderer
        )
        assert ours == djangos, name
    assert "Elsewhere &amp; Co" in str(form["location"])
    theo = rf'<option value="{open_clinic.theo.pk}"[^>]*\bhidden\b'
    assert bool(re.search(theo, str(form["therapist"]))) is theo_hidden


def test_a_days_times_are_links_with_the_day_named_for_screen_readers() -> None:
    day = DayTimes(
        "Monday, June 1", [TimeChoice("9:00 AM", "/portal/book/confirm/?a=1&b=<2>")], None
    )
    assert day.links() == (
        '<li><a class="button" href="/portal/book/confirm/?a=1&amp;b=&lt;2&gt;">'
        '<span class="visually-hidden">Monday, June 1, </span>9:00 AM</a></li>'
    )
