"""A therapist's private calendar feed (SPEC §4) that leaves the system with little in it (§7)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from django.test import Client as HttpClient

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.feeds.models import CalendarFeed
from tests import factories
from tests.conftest import Clinic
from tests.notices.conftest import NOW, local, wall_clock

pytestmark = pytest.mark.django_db

PAGE = "/staff/calendar-feed/"


def make_feed(http: HttpClient) -> str:
    """Press "Make my calendar address"; the feed's path, as shown once on the page."""
    response = http.post(PAGE + "new/")
    assert response.status_code == 200
    match = re.search(r'value="http://127\.0\.0\.1:8000(/calendar/[\w-]+\.ics)"', response.text)
    assert match is not None, response.text
    return match.group(1)


def appointment(clinic: Clinic, starts: dt.datetime, **fields: object) -> Appointment:
    values: dict[str, object] = {
        "client": clinic.alice,
        "therapist": clinic.tess,
        "service": clinic.service,
        "location": clinic.location,
        "room": clinic.room,
        "starts": starts,
        "booked_at": NOW,
    }
    values.update(fields)
    return factories.AppointmentFactory.create(**values)


def events(http: HttpClient, path: str) -> list[icalendar.Event]:
    response = http.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(icalendar.Calendar.from_ical(response.content).events)


def test_a_therapist_makes_a_feed_whose_address_is_shown_once_and_stored_hashed(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    path = make_feed(as_tess)
    token = path.removeprefix("/calendar/").removesuffix(".ics")

    feed = CalendarFeed.objects.get(therapist=clinic.tess)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in as_tess.get(PAGE).text
    event = AuditEvent.objects.get(action="calendar_feed.created")
    assert event.actor == clinic.tess.user
    assert event.object_id == str(feed.pk)


def test_the_feed_holds_the_token_therapists_active_appointments_in_the_window(
    clinic: Clinic, as_tess: HttpClient, clock: object
) -> None:
    mine = appointment(clinic, local(1, 10))
    appointment(clinic, local(1, 14), therapist=clinic.theo, client=clinic.bob)  # Theo's
    appointment(clinic, local(2, 10), status=AppointmentStatus.CANCELLED)
    done = appointment(clinic, NOW - dt.timedelta(days=29), status=AppointmentStatus.COMPLETED)
    appointment(clinic, NOW - dt.timedelta(days=31))  # too long ago
    appointment(clinic, NOW + dt.timedelta(days=181))  # too far ahead
    path = make_feed(as_tess)

    found = events(HttpClient(), path)  # a calendar app: nobody signed in

    uids = sorted(str(event["UID"]) for event in found)
    assert uids == sorted(f"appointment-{item.pk}@127.0.0.1" for item in (mine, done))


def test_the_feed_names_the_client_by_first_name_and_last_initial_only(
    clinic: Clinic, as_tess: HttpClient, clock: object
) -> None:
    appointment(clinic, local(1, 10))
    path = make_feed(as_tess)

    response = HttpClient().get(path)
    (event,) = icalendar.Calendar.from_ical(response.content).events

    assert str(event["SUMMARY"]) == "Alice A. — Back massage — 60 minutes"
    assert "Midtown, Magnolia" in str(event["LOCATION"])
    body = response.content.decode()
    for private in ("Anders", "alice@example.com", "555-0100", "1975"):
        assert private not in body


def test_the_feed_shows_times_in_the_locations_zone(
    clinic: Clinic, as_tess: HttpClient, clock: object
) -> None:
    appointment(clinic, local(1, 10))
    path = make_feed(as_tess)

    calendar = icalendar.Calendar.from_ical(HttpClient().get(path).content)
    (event,) = calendar.events
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert wall_clock(event) == "2026-06-01 10:00 -0400"


def test_a_revoked_feed_answers_404_and_the_revocation_is_audited(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    path = make_feed(as_tess)
    feed = CalendarFeed.objects.get(therapist=clinic.tess)

    response = as_tess.post(PAGE + "revoke/", {"feed": feed.pk})

    assert response.status_code == 302
    assert HttpClient().get(path).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert AuditEvent.objects.filter(
        action="calendar_feed.revoked", actor=clinic.tess.user
    ).exists()


def test_making_a_new_address_turns_off_the_old_one(clinic: Clinic, as_tess: HttpClient) -> None:
    old = make_feed(as_tess)
    new = make_feed(as_tess)

    assert HttpClient().get(old).status_code == 404
    assert HttpClient().get(new).status_code == 200
    assert CalendarFeed.objects.filter(therapist=clinic.tess, revoked_at__isnull=True).count() == 1


def test_an_unknown_token_answers_404(clinic: Clinic) -> None:
    assert HttpClient().get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_feed_stops_when_the_therapist_is_made_inactive(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    path = make_feed(as_tess)
    clinic.tess.active = False
    clinic.tess.save(update_fields=["active"])

    assert HttpClient().get(path).status_code == 404


def test_a_colleague_cannot_revoke_someone_elses_feed_but_the_owner_can(
    clinic: Clinic, as_tess: HttpClient, as_theo: HttpClient, as_owner: HttpClient
) -> None:
    path = make_feed(as_tess)
    feed = CalendarFeed.objects.get(therapist=clinic.tess)

    assert as_theo.post(PAGE + "revoke/", {"feed": feed.pk}).status_code == 404
    assert HttpClient().get(path).status_code == 200
    assert "Tess Therapist" in as_owner.get(PAGE).text
    assert "Tess Therapist" not in as_theo.get(PAGE).text

    assert as_owner.post(PAGE + "revoke/", {"feed": feed.pk}).status_code == 302
    assert HttpClient().get(path).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoked", actor=clinic.owner).exists()


def test_front_desk_and_clients_cannot_manage_feeds(
    clinic: Clinic, as_front_desk: HttpClient, as_alice: HttpClient
) -> None:
    for http in (as_front_desk, as_alice):
        assert http.get(PAGE).status_code == 403
        assert http.post(PAGE + "new/").status_code == 403
    assert not CalendarFeed.objects.exists()
