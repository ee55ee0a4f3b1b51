"""The today pages: a therapist's sessions, the front desk's arrivals, the client's next visit.
Each shows the day as it is, refreshes itself (an htmx poll gets its part alone), and runs the
same number of queries on a busy day as on a quiet one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Location
from backcare.notes.models import CheckIn, SessionNote
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import Clinic, login_as

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

# Monday 1 June 2026, 10:30 in the clinic (EDT, UTC-4).
NOW = dt.datetime(2026, 6, 1, 14, 30, tzinfo=dt.UTC)
HOME = reverse("staff:home")
PORTAL = reverse("portal:home")


def local(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour + 4, minute, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def book(
    clinic: Clinic, client: object, hour: int, minute: int = 0, day: int = 1, **fields: object
) -> Appointment:
    values: dict[str, object] = {
        "client": client,
        "therapist": clinic.tess,
        "service": clinic.service,
        "location": clinic.location,
        "starts": local(hour, minute, day),
    }
    values.update(fields)
    return factories.AppointmentFactory.create(**values)


def text(response: Response) -> str:
    """The page's HTML as sent (entities kept: the tests read links' query strings)."""
    return response.content.decode()


def test_a_therapist_sees_todays_sessions_in_order_with_their_state(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.screened(clinic.alice, [])
    later = book(clinic, clinic.alice, 15)
    earlier = book(clinic, clinic.bob, 9)
    CheckIn.objects.create(
        appointment=earlier,
        client=clinic.bob,
        source=CheckIn.Source.DESK,
        nrs=4,
        health_changed=False,
        checked_in_at=local(8, 55),
    )
    book(clinic, clinic.alice, 11, day=2)  # tomorrow: not today
    book(clinic, clinic.bob, 13, therapist=clinic.theo)  # a colleague's: not hers

    page = text(as_tess.get(HOME))

    assert page.index("Bob Baker") < page.index("Alice Anders")
    assert page.count("today-row") == 2
    assert "9:00 AM" in page and "3:00 PM" in page
    assert "Checked in" in page and "Not checked in yet" in page
    assert "Questionnaire" in page or "On hold" in page  # Bob has not answered it
    assert reverse("notes:note", args=[later.pk]) in page
    assert "Write the note" in page


def test_a_signed_note_and_a_late_client_show_as_such(clinic: Clinic, as_tess: HttpClient) -> None:
    factories.screened(clinic.alice, [])
    late = book(clinic, clinic.alice, 10)
    SessionNote.objects.create(
        appointment=book(clinic, clinic.alice, 8, status=AppointmentStatus.COMPLETED),
        client=clinic.alice,
        therapist=clinic.tess,
        created_at=local(9),
        saved_at=local(9),
        signed_at=local(9),
        signed_by=clinic.tess.user,
        tissue_response="relaxed",
        pre_nrs=5,
        post_nrs=3,
    )

    page = text(as_tess.get(HOME))

    assert "Note signed" in page and "Read the note" in page
    assert "Late, not checked in" in page
    assert reverse("notes:note", args=[late.pk]) in page


def test_the_front_desk_sees_arrivals_late_held_and_a_time_to_fill(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    factories.screened(clinic.alice, [])
    on_time = book(clinic, clinic.alice, 11)
    book(clinic, clinic.bob, 9, therapist=clinic.theo)  # late, and held: no questionnaire
    carol = factories.ClientFactory.create(first_name="Carol", last_name="Cole")
    book(
        clinic,
        carol,
        14,
        status=AppointmentStatus.CANCELLED,
        late_cancellation=True,
        cancelled_at=NOW,
    )
    dana = factories.ClientFactory.create(first_name="Dana", last_name="Diaz")
    WaitlistEntry.objects.create(
        client=dana,
        service=clinic.service,
        location=clinic.location,
        earliest=dt.date(2026, 6, 1),
        latest=dt.date(2026, 6, 5),
    )

    page = text(as_front_desk.get(HOME))

    assert "Arrivals today" in page
    assert page.index("Bob Baker") < page.index("Alice Anders")
    assert ">Late<" in page
    assert "On hold" in page
    check_in = reverse("notes:desk_check_in", args=[on_time.pk])
    assert check_in in page
    assert "Times to fill" in page and "2:00 PM" in page
    assert "freed when Carol Cole cancelled" in page
    assert "Book Dana Diaz" in page
    assert f"client={dana.pk}&amp;service={clinic.service.pk}" in page


def test_the_home_refreshes_its_day_alone(clinic: Clinic, as_front_desk: HttpClient) -> None:
    book(clinic, clinic.alice, 11)
    part = text(as_front_desk.get(HOME, headers={"HX-Request": "true"}))

    assert part.lstrip().startswith('<div id="today"')
    assert 'hx-trigger="every 30s"' in part
    assert "<html" not in part and "Alice Anders" in part


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def _fill(clinic: Clinic, count: int, first: int = 0) -> None:
    """`count` sessions for Tess back to back from 5:00 AM (a session and its buffer take 75
    minutes, so none overlaps another: PostgreSQL refuses overlapping bookings)."""
    for number in range(first, first + count):
        client = factories.ClientFactory.create(first_name=f"Client{number}")
        factories.screened(client, [])
        starts = local(5) + dt.timedelta(minutes=75 * number)
        appointment = book(clinic, client, 0, starts=starts)
        if number % 2:
            CheckIn.objects.create(
                appointment=appointment,
                client=client,
                source=CheckIn.Source.DESK,
                nrs=3,
                health_changed=False,
                checked_in_at=local(8),
            )
        factories.treat(clinic.tess, client)
        if number % 3 == 0:
            book(
                clinic,
                client,
                16,
                number % 4 * 15,
                status=AppointmentStatus.CANCELLED,
                cancelled_at=NOW,
            )
            WaitlistEntry.objects.create(
                client=client,
                service=clinic.service,
                location=clinic.location,
                earliest=dt.date(2026, 6, 1),
                latest=dt.date(2026, 6, 2),
            )


@pytest.mark.parametrize("persona", ["therapist_a", "front_desk", "owner"])
def test_the_staff_home_runs_the_same_queries_on_a_busy_day(clinic: Clinic, persona: str) -> None:
    http = login_as(clinic.user(persona))
    _fill(clinic, 2)
    quiet = _queries(http, HOME)
    _fill(clinic, 12, first=2)
    busy = _queries(http, HOME)

    assert busy == quiet
    assert text(http.get(HOME)).count("today-row") == 14


# --- The client's home --------------------------------------------------------------------------


def test_the_portal_home_shows_the_next_visit_and_check_in_on_its_day(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    factories.screened(clinic.alice, [])
    visit = book(clinic, clinic.alice, 15)
    book(clinic, clinic.alice, 15, day=8)

    page = text(as_alice.get(PORTAL))

    assert "Your next visit" in page
    assert "Monday, June 1 at 3:00 PM" in page
    assert reverse("notes:portal_check_in", args=[visit.pk]) in page
    assert "Check in now" in page


def test_check_in_is_not_offered_before_the_day(clinic: Clinic, as_alice: HttpClient) -> None:
    factories.screened(clinic.alice, [])
    book(clinic, clinic.alice, 15, day=3)

    page = text(as_alice.get(PORTAL))

    assert "Wednesday, June 3 at 3:00 PM" in page
    assert "Check-in opens on the day of your visit." in page
    assert "Check in now" not in page


def test_a_held_client_is_not_offered_booking_on_the_home(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    factories.screened(clinic.alice, [])
    factories.possible_injury(clinic.alice, NOW)

    page = text(as_alice.get(PORTAL))

    main = page.split('id="main"')[1]
    assert "What to do next" in main
    assert "Your next steps" in main
    assert "Book a session" not in main
    assert f'href="{reverse("booking:start")}"' not in main


def _nav(response: Response) -> str:
    return text(response).split('<nav aria-label="Main">')[1].split("</nav>")[0]


@pytest.mark.parametrize(
    "page", [PORTAL, reverse("booking:appointments"), reverse("waitlist:portal_list")]
)
def test_a_held_client_is_offered_her_next_step_not_booking_in_the_navigation(
    clinic: Clinic, as_alice: HttpClient, page: str
) -> None:
    factories.screened(clinic.alice, [])
    factories.possible_injury(clinic.alice, NOW)

    response = as_alice.get(page)

    nav = _nav(response)
    assert "Book a session" not in nav
    assert f'href="{reverse("booking:start")}"' not in text(response)
    assert "What to do next" in nav
    assert f'href="{reverse("intake:portal_result")}"' in nav
    assert as_alice.get(reverse("intake:portal_result")).status_code == 200


def test_a_client_who_may_book_finds_booking_in_the_navigation(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    factories.screened(clinic.alice, [])

    nav = _nav(as_alice.get(reverse("booking:appointments")))

    assert f'href="{reverse("booking:start")}"' in nav and "Book a session" in nav
    assert "What to do next" not in nav


def test_the_portal_home_refreshes_its_day_alone(clinic: Clinic, as_alice: HttpClient) -> None:
    factories.screened(clinic.alice, [])
    book(clinic, clinic.alice, 15)

    part = text(as_alice.get(PORTAL, headers={"HX-Request": "true"}))

    assert part.lstrip().startswith('<div id="today"')
    assert "<html" not in part and "3:00 PM" in part


def test_the_portal_home_runs_the_same_queries_for_a_long_history(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    program = factories.running_program(
        clinic.alice, clinic.tess, clinic.service, started_on=dt.date(2026, 5, 1)
    )
    book(clinic, clinic.alice, 15, day=3, program=program)
    quiet = _queries(as_alice, PORTAL)
    for day in range(2, 10):
        book(
            clinic,
            clinic.alice,
            9,
            day=day,
            starts=local(9, 0, 1) - dt.timedelta(days=day),
            program=program,
            status=AppointmentStatus.COMPLETED,
        )
    busy = _queries(as_alice, PORTAL)

    assert busy == quiet
    assert "8 of 10 sessions done" in text(as_alice.get(PORTAL))


def test_a_therapist_gets_no_link_she_may_not_open(clinic: Clinic, as_tess: HttpClient) -> None:
    factories.screened(clinic.bob, [])
    session = book(clinic, clinic.bob, 11)  # Bob is not on Tess's care team

    page = text(as_tess.get(HOME))

    assert "Bob Baker" in page and "not on your care team" in page
    assert reverse("notes:note", args=[session.pk]) not in page
    assert reverse("staff:client_detail", args=[clinic.bob.pk]) not in page


# --- The desk's location ------------------------------------------------------------------------


def _decatur() -> Location:
    return factories.LocationFactory.create(name="Decatur")


def test_the_desk_lists_one_locations_arrivals_and_keeps_the_choice(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    decatur = _decatur()
    book(clinic, clinic.alice, 10)
    book(clinic, clinic.bob, 11, therapist=clinic.theo, location=decatur, room=None)

    everyone = text(as_front_desk.get(HOME))
    assert "Alice Anders" in everyone and "Bob Baker" in everyone
    assert 'aria-current="page">All locations<' in everyone

    there = text(as_front_desk.get(HOME, {"at": decatur.pk}))
    assert "Bob Baker" in there and "Alice Anders" not in there
    assert 'aria-current="page">Decatur<' in there

    kept = as_front_desk.get(HOME)  # the next visit, and the page's own refresh
    assert "Alice Anders" not in text(kept) and "Bob Baker" in text(kept)
    refresh = text(as_front_desk.get(HOME, headers={"HX-Request": "true"}))
    assert f'hx-get="{HOME}?at={decatur.pk}"' in refresh and "Alice Anders" not in refresh

    again = text(as_front_desk.get(HOME, {"at": "all"}))
    assert "Alice Anders" in again and "Bob Baker" in again


def test_a_place_that_is_not_one_of_the_clinics_is_refused_naming_the_field(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    _decatur()
    book(clinic, clinic.alice, 10)
    as_front_desk.get(HOME, {"at": clinic.location.pk})

    refused = as_front_desk.get(HOME, {"at": "99999999999999999999"})

    assert refused.status_code == 400
    assert "Location: choose one of the clinic&#x27;s locations, or all of them." in text(refused)
    assert "Alice Anders" in text(refused), "the last choice still stands"


def test_a_clinic_with_one_location_offers_no_choice(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    assert "Arrivals at" not in text(as_front_desk.get(HOME))


# --- A location in another time zone -----------------------------------------------------------


def _in_los_angeles(clinic: Clinic, hour: int, day: int, client: object) -> Appointment:
    """An appointment at the clinic's Los Angeles location, at ``hour`` on June ``day`` there."""
    los_angeles = Location.objects.get_or_create(
        name="Santa Monica",
        defaults={
            "address_line1": "100 Ocean Ave",
            "city": "Santa Monica",
            "state": "CA",
            "postal_code": "90401",
            "time_zone": "America/Los_Angeles",
        },
    )[0]
    starts = dt.datetime(2026, 6, day, hour, tzinfo=ZoneInfo("America/Los_Angeles"))
    return book(clinic, client, 0, location=los_angeles, room=None, starts=starts)


@pytest.mark.parametrize("persona", ["tess", "front_desk"])
def test_today_is_the_locations_day_in_its_own_time_zone(clinic: Clinic, persona: str) -> None:
    """At 7:30 in the morning in Los Angeles (10:30 in Atlanta, the clinic's zone), the day
    there is June 1 until 3 AM Atlanta time on June 2."""
    factories.screened(clinic.alice, [])
    factories.screened(clinic.bob, [])
    _in_los_angeles(clinic, 9, 1, clinic.alice)  # 9:00 AM there, noon in Atlanta
    _in_los_angeles(clinic, 22, 1, clinic.bob)  # 10:00 PM on June 1 there: June 2 in Atlanta
    yesterday = book(
        clinic,
        clinic.bob,
        0,
        location=Location.objects.get(name="Santa Monica"),
        room=None,
        starts=dt.datetime(2026, 5, 31, 22, tzinfo=ZoneInfo("America/Los_Angeles")),
    )  # May 31 there, though June 1 (1:00 AM) in Atlanta
    http = login_as(clinic.front_desk if persona == "front_desk" else clinic.tess.user)

    page = text(http.get(HOME))

    assert "9:00 AM" in page and "12:00 PM" not in page
    assert "10:00 PM" in page
    assert "1:00 AM" not in page
    assert reverse("notes:note", args=[yesterday.pk]) not in page
    assert yesterday.get_absolute_url() not in page
