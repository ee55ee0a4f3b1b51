"""The staff calendar (issue 4 item 6): the grid's pure layout, the day and week views of a
location and of a therapist, who sees what on them, DST days, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.scheduling.slots import Interval
from backcare.scheduling.timetable import (
    Column,
    Shade,
    WallTime,
    day_rows,
    lay_out,
    merge_rows,
    shade_of,
)
from tests import factories
from tests.conftest import CLOCK_QUERY, Clinic, login_as
from tests.pages import text
from tests.scheduling.clinic_week import MONDAY, NOW, appointment, open_weekdays
from tests.scheduling.clinic_week import on as local

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC

# The clock stands at NOW for every test here, the pure ones too.
pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


# --- The grid, pure ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (dt.date(2026, 6, 1), 24),
        (dt.date(2026, 3, 8), 23),  # spring forward: 02:00-03:00 never happens
        (dt.date(2026, 11, 1), 25),  # fall back: 01:00-02:00 happens twice
    ],
)
def test_a_local_day_has_as_many_rows_as_it_has_real_quarter_hours(
    day: dt.date, hours: int
) -> None:
    rows = day_rows(day, NEW_YORK)

    assert len(rows) == hours * 4
    instants = list(rows.values())
    assert all(b - a == dt.timedelta(minutes=15) for a, b in pairwise(instants))


def test_the_repeated_hour_of_the_fall_back_day_has_rows_of_its_own() -> None:
    rows = list(day_rows(dt.date(2026, 11, 1), NEW_YORK))

    one = dt.time(1)
    assert rows.index(WallTime(one, 1)) == rows.index(WallTime(dt.time(1, 45), 0)) + 1
    assert rows.index(WallTime(dt.time(2), 0)) == rows.index(WallTime(dt.time(1, 45), 1)) + 1


def test_a_week_across_the_change_shows_every_row_of_every_day_in_order() -> None:
    days = [dt.date(2026, 10, 26) + dt.timedelta(days=n) for n in range(7)]  # Mon-Sun, Nov 1
    merged = merge_rows(list(day_rows(day, NEW_YORK)) for day in days)

    assert len(merged) == 100
    assert merged[4:12] == [WallTime(dt.time(1, m), 0) for m in (0, 15, 30, 45)] + [
        WallTime(dt.time(1, m), 1) for m in (0, 15, 30, 45)
    ]

    spring = [dt.date(2026, 3, 2) + dt.timedelta(days=n) for n in range(7)]  # Mon-Sun, Mar 8
    merged = merge_rows(list(day_rows(day, NEW_YORK)) for day in spring)
    assert len(merged) == 96  # 02:00 exists on the other days; on Sunday it is a gap


def column(day: dt.date, **kwargs: Any) -> Column[str]:
    return Column(day=day, **kwargs)


@pytest.mark.parametrize(
    ("hour", "minute", "shade"),
    [
        (8, 45, Shade.OFF),
        (9, 0, Shade.OPEN),
        (12, 30, Shade.BREAK),
        (13, 0, Shade.BREAK),
        (13, 15, Shade.OPEN),
        (15, 0, Shade.AWAY),
        (16, 45, Shade.AWAY),
        (17, 0, Shade.OFF),
    ],
)
def test_each_row_is_shaded_by_what_the_time_is(hour: int, minute: int, shade: Shade) -> None:
    day = MONDAY
    plan = column(
        day,
        working=[Interval(local(day, 9), local(day, 17))],
        breaks=[Interval(local(day, 12, 30), local(day, 13, 15))],
        away=[Interval(local(day, 15), local(day, 17))],
    )

    assert shade_of(plan, local(day, hour, minute)) == shade


def test_a_closed_day_and_a_missing_hour_are_shaded_as_such() -> None:
    day = MONDAY
    working = [Interval(local(day, 9), local(day, 17))]
    closed = column(day, working=working, closed=[Interval(local(day, 0), local(day, 23, 59))])

    assert shade_of(closed, local(day, 10)) == Shade.CLOSED
    assert shade_of(column(day, working=working), None) == Shade.GAP


def test_a_block_spans_the_rows_it_touches_and_covers_them() -> None:
    day = MONDAY
    instants = day_rows(day, NEW_YORK)
    rows = list(instants)
    plan = column(day, blocks=[(Interval(local(day, 10), local(day, 11)), "Alice")])

    cells = lay_out(rows, instants, plan)

    ten = rows.index(WallTime(dt.time(10)))
    head = cells[ten]
    assert head is not None
    assert head.items == ["Alice"]
    assert head.span == 4
    assert cells[ten + 1 : ten + 4] == [None, None, None]
    assert cells[ten + 4] is not None and not cells[ten + 4].items  # type: ignore[union-attr]


def test_overlapping_blocks_share_one_cell_so_none_is_hidden() -> None:
    day = MONDAY
    instants = day_rows(day, NEW_YORK)
    rows = list(instants)
    plan = column(
        day,
        blocks=[
            (Interval(local(day, 10), local(day, 11)), "Alice"),
            (Interval(local(day, 10, 30), local(day, 11, 30)), "Bob"),
            (Interval(local(day, 10, 50), local(day, 11, 5)), "Carol"),  # off the grid
        ],
    )

    cells = lay_out(rows, instants, plan)

    head = cells[rows.index(WallTime(dt.time(10)))]
    assert head is not None
    assert head.items == ["Alice", "Bob", "Carol"]
    assert head.span == 6
    assert sum(1 for cell in cells if cell is not None and cell.items) == 1


def test_a_block_from_the_day_before_is_cut_at_midnight() -> None:
    day = MONDAY
    instants = day_rows(day, NEW_YORK)
    rows = list(instants)
    late = Interval(local(day, 0) - dt.timedelta(minutes=30), local(day, 0, 30))

    cells = lay_out(rows, instants, column(day, blocks=[(late, "Night")]))

    assert cells[0] is not None and cells[0].items == ["Night"] and cells[0].span == 2


# --- The pages --------------------------------------------------------------------------------


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """Only Tess works (Monday to Friday 09:00-17:00 at Midtown with lunch 12:30-13:15)."""
    return open_weekdays(clinic, [clinic.tess])


def location_url(clinic: Clinic, **query: str) -> str:
    url = reverse("scheduling:location_calendar", args=[clinic.location.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def therapist_url(clinic: Clinic, **query: str) -> str:
    url = reverse("scheduling:therapist_calendar", args=[clinic.tess.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def hour_labels(page: str) -> list[str]:
    """The hours down the side of the grid, as shown."""
    return re.findall(r'<th scope="row"><span>([^<]+)</span></th>', page)


def shades(page: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for shade in re.findall(r'<td class="(open|off|break|away|closed|gap|buffer)"', page):
        found[shade] = found.get(shade, 0) + 1
    return found


def test_the_front_desk_reads_a_location_week_as_rows_by_day(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    # Twenty-eight columns (a column per therapist and day) did not fit a screen: a location's
    # week reads as the appointments of each day, in order, each naming its therapist.
    appointment(open_clinic, local(MONDAY, 10))
    factories.weekly_hours(open_clinic.theo, open_clinic.location, weekdays=[2])
    appointment(
        open_clinic,
        local(MONDAY + dt.timedelta(days=2), 9),
        client=open_clinic.bob,
        therapist=open_clinic.theo,
        room=None,
        status=AppointmentStatus.CHECKED_IN,
    )

    response = as_front_desk.get(location_url(open_clinic, view="week", date="2026-06-03"))

    assert response.status_code == 200
    page = text(response)
    assert "June 1–7, 2026" in page
    for day in ("Monday, June 1", "Wednesday, June 3", "Sunday, June 7"):
        assert day in page
    assert page.index("Monday, June 1") < page.index("Alice Anders") < page.index("Tuesday")
    assert page.index("Wednesday, June 3") < page.index("Bob Baker") < page.index("Thursday")
    assert "with Tess Therapist" in page and "with Theo Colleague" in page
    assert open_clinic.service.name in page
    assert "Booked" in page and "Checked in" in page
    assert "<table" not in page  # no grid to scroll sideways


def test_the_location_calendar_opens_on_the_day_with_therapists_as_columns(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    factories.weekly_hours(open_clinic.theo, open_clinic.location)
    appointment(open_clinic, local(MONDAY, 10))

    page = text(as_front_desk.get(location_url(open_clinic, date="2026-06-01")))

    assert "Monday, June 1, 2026" in page
    assert page.count(">Tess Therapist</a></th>") == 1
    assert page.count(">Theo Colleague</a></th>") == 1
    assert "Alice Anders" in page
    assert len(hour_labels(page)) == 24


def test_an_appointment_opens_its_page_and_a_free_time_opens_the_booking_form(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    booked = appointment(open_clinic, local(MONDAY, 10))

    page = text(as_front_desk.get(location_url(open_clinic, view="day", date="2026-06-01")))

    assert f'href="{booked.get_absolute_url()}"' in page
    assert reverse("scheduling:appointment_move", args=[booked.pk]) in page
    new = reverse("scheduling:appointment_create")
    slot = f"{new}?location={open_clinic.location.pk}&therapist={open_clinic.tess.pk}"
    assert f"{slot}&date=2026-06-01&time=09:45" in page
    assert f"{slot}&date=2026-06-01&time=11:15" in page
    # 10:00-11:00 is Alice's, 11:00-11:15 the buffer after it: neither is offered.
    for taken in ("10:00", "10:45", "11:00"):
        assert f"{slot}&date=2026-06-01&time={taken}" not in page


def test_hours_breaks_time_off_and_closures_are_shaded(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    factories.TimeOffFactory.create(
        therapist=open_clinic.tess, starts=local(MONDAY, 15), ends=local(MONDAY, 17)
    )
    factories.ClosureFactory.create(
        location=open_clinic.location,
        starts_on=MONDAY + dt.timedelta(days=1),
        name="Staff training",
    )

    monday = shades(
        text(as_front_desk.get(location_url(open_clinic, view="day", date="2026-06-01")))
    )
    tuesday = shades(
        text(as_front_desk.get(location_url(open_clinic, view="day", date="2026-06-02")))
    )

    # 09:00-17:00 is 32 quarter hours: 3 of lunch, 8 away, 21 to book.
    assert monday == {"off": 96 - 32, "open": 21, "break": 3, "away": 8}
    assert tuesday == {"closed": 96}


@pytest.mark.parametrize(
    ("day", "count", "repeated"),
    [
        ("2026-11-01", 25, ["1:00 AM EDT", "1:00 AM EST"]),
        ("2026-03-08", 23, []),
        ("2026-06-01", 24, []),
    ],
)
def test_a_day_view_on_a_dst_change_shows_the_hours_that_day_really_has(
    open_clinic: Clinic, as_front_desk: HttpClient, day: str, count: int, repeated: list[str]
) -> None:
    page = text(as_front_desk.get(location_url(open_clinic, view="day", date=day)))

    labels = hour_labels(page)
    assert len(labels) == count
    assert labels[0] == "12:00 AM" and labels[-1] == "11:00 PM"
    for label in repeated:
        assert label in labels
    if day == "2026-03-08":
        assert "2:00 AM" not in labels
        assert labels[1:3] == ["1:00 AM", "3:00 AM"]


def test_an_appointment_in_the_repeated_hour_sits_in_its_own_occurrence(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    second_one_am = dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 01:00 EST
    appointment(open_clinic, second_one_am, room=None)

    page = text(as_front_desk.get(location_url(open_clinic, view="day", date="2026-11-01")))

    est_row = page.split("1:00 AM EST", 1)[1].split("</tr>", 1)[0]
    assert "Alice Anders" in est_row


def test_the_week_view_across_the_spring_change_marks_the_missing_hour(
    open_clinic: Clinic, as_front_desk: HttpClient
) -> None:
    # The week grid is one therapist's (a location's week reads as rows, without a grid).
    page = text(as_front_desk.get(therapist_url(open_clinic, view="week", date="2026-03-08")))

    assert len(hour_labels(page)) == 24
    assert shades(page).get("gap") == 4  # Sunday 02:00-02:45, one therapist column


def test_a_therapist_sees_their_own_clients_and_only_busy_times_of_colleagues(
    open_clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.weekly_hours(open_clinic.theo, open_clinic.location)
    appointment(open_clinic, local(MONDAY, 10))
    appointment(
        open_clinic,
        local(MONDAY, 11),
        client=open_clinic.bob,
        therapist=open_clinic.theo,
        room=None,
    )

    page = text(as_tess.get(location_url(open_clinic, view="day", date="2026-06-01")))

    assert "Alice Anders" in page
    assert "Bob Baker" not in page
    assert page.count('class="entry status-booked private"') == 1
    assert reverse("scheduling:appointment_create") not in page  # therapists do not book here


def test_a_therapist_cannot_open_a_colleagues_calendar_or_another_location(
    open_clinic: Clinic, as_theo: HttpClient
) -> None:
    assert as_theo.get(therapist_url(open_clinic)).status_code == 403
    assert as_theo.get(location_url(open_clinic)).status_code == 403


def test_clients_and_strangers_are_kept_out(open_clinic: Clinic, as_alice: HttpClient) -> None:
    assert as_alice.get(location_url(open_clinic)).status_code == 403
    anonymous = login_as(None).get(location_url(open_clinic))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_a_therapist_starts_from_their_own_week(open_clinic: Clinic, as_tess: HttpClient) -> None:
    appointment(open_clinic, NOW + dt.timedelta(days=1, hours=2))

    page = text(as_tess.get(reverse("scheduling:calendar")))

    assert "<h1>Tess Therapist</h1>" in page
    assert "Alice Anders" in page


def test_the_therapist_view_shows_one_column_per_day_with_other_locations(
    open_clinic: Clinic, as_owner: HttpClient
) -> None:
    uptown = factories.LocationFactory.create(name="Uptown")
    factories.weekly_hours(open_clinic.tess, uptown, weekdays=[5])
    appointment(open_clinic, local(MONDAY + dt.timedelta(days=5), 10), location=uptown, room=None)

    page = text(as_owner.get(therapist_url(open_clinic, date="2026-06-01")))

    assert "at Uptown" not in page  # the therapist's own calendar is not "elsewhere"
    assert "Alice Anders" in page
    assert shades(page)["open"] == 5 * (32 - 3) + 32 - 5  # Saturday at Uptown, less 10:00-11:15


def test_a_bad_date_is_refused_naming_it(open_clinic: Clinic, as_owner: HttpClient) -> None:
    response = as_owner.get(location_url(open_clinic, date="2026-13-45"))

    assert response.status_code == 400
    assert "date" in response.content.decode()


def test_htmx_asks_for_the_grid_alone(open_clinic: Clinic, as_owner: HttpClient) -> None:
    response = as_owner.get(location_url(open_clinic), headers={"HX-Request": "true"})

    page = text(response)
    assert page.lstrip().startswith('<div id="calendar"')
    assert "<html" not in page


# --- A fixed number of queries ----------------------------------------------------------------


def fill(clinic: Clinic, count: int) -> None:
    """`count` appointments over the week of June 1: many clients, both therapists."""
    factories.weekly_hours(clinic.theo, clinic.location, weekdays=range(7), starts=dt.time(7))
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=[5, 6], starts=dt.time(7))
    clients = [factories.ClientFactory.create() for _ in range(10)]
    for index in range(count):
        day = MONDAY + dt.timedelta(days=index % 7)
        therapist = clinic.tess if index % 2 else clinic.theo
        slot = index // 14  # each therapist's day fills up, 75 minutes apart
        appointment(
            clinic,
            local(day, 0) + dt.timedelta(minutes=75 * slot),
            client=clients[index % 10],
            therapist=therapist,
            room=None,
        )


@pytest.mark.parametrize("count", [1, 200])
def test_the_location_week_runs_the_same_queries_whatever_its_size(
    open_clinic: Clinic, as_front_desk: HttpClient, django_assert_num_queries: Any, count: int
) -> None:
    fill(open_clinic, count)
    url = location_url(open_clinic, view="week", date="2026-06-01")

    # Session and user; the location; therapists, hours, breaks, time off, closures,
    # appointments; the clients' holds (5); the locations to switch to; the idle-logout stamp
    # on the session (3).
    with django_assert_num_queries(18 + CLOCK_QUERY):
        response = as_front_desk.get(url)

    assert response.status_code == 200
    assert f'data-appointments="{count}"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 200])
def test_the_therapist_week_runs_the_same_queries_whatever_its_size(
    open_clinic: Clinic, as_tess: HttpClient, django_assert_num_queries: Any, count: int
) -> None:
    fill(open_clinic, count)
    url = therapist_url(open_clinic, date="2026-06-01")

    # Session and user; the therapist and their name; the zone; hours, breaks, time off,
    # closures, appointments; the clients' holds (5); their locations; the idle-logout stamp
    # on the session (3).
    with django_assert_num_queries(19 + CLOCK_QUERY):
        response = as_tess.get(url)

    assert response.status_code == 200
    tess_has = Appointment.objects.filter(therapist=open_clinic.tess).count()
    assert f'data-appointments="{tess_has}"' in response.content.decode()
