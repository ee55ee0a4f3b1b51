"""The owner's clinic analytics page over a small clinic built in each test (SPEC §5 clinic
analytics): programs, responders with their intervals, weeks to the first meaningful
improvement, attendance and utilisation, the filters, who may see it and what it costs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test.client import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking.models import AppointmentStatus
from backcare.clinic.models import Location, Therapist
from backcare.outcomes.actions import record_response
from backcare.outcomes.scoring import responder
from tests import factories
from tests.analytics.conftest import (
    BACK_PAIN,
    BACK_PAIN_TITLE,
    FIRST_DAY,
    INTENSIVE,
    INTENSIVE_TITLE,
    NOW,
    UTC,
    at,
    check_in,
    page,
    program,
    session,
    table,
    words,
)
from tests.conftest import Clinic, audit_row_queries, login_as
from tests.pages import field_error, input_value

ATLANTA = ZoneInfo("America/New_York")

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


# --- Programs ---------------------------------------------------------------------------------


def test_programs_count_those_started_in_the_range_and_those_that_ended_in_it(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    # Started before March, completed in it: counts as completed, not as started.
    program(clinic, first_day=dt.date(2026, 2, 2), status="completed", ended_on=_march(20))
    program(clinic, first_day=_march(2), status="discharged", ended_on=_march(25))
    program(clinic, first_day=_march(5), status="referred_out", ended_on=_march(10))
    program(clinic, first_day=_march(9))
    program(clinic, first_day=_march(20), status="paused")
    # Started in March, completed in April: started, but neither completed nor running.
    program(clinic, first_day=_march(16), status="completed", ended_on=dt.date(2026, 4, 10))
    # Wholly before and wholly after the range.
    program(
        clinic, first_day=dt.date(2026, 1, 5), status="completed", ended_on=dt.date(2026, 2, 20)
    )
    program(clinic, first_day=dt.date(2026, 4, 2))

    response = page(as_owner)

    assert response.status_code == 200
    shown = words(response)
    assert (
        "5 started 1 completed 1 discharged early 1 referred to a doctor or other care "
        "2 of those started still running" in shown
    )
    assert "33% of the programs that ended were completed" in shown


# --- Responders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "meaningful", "substantial"),
    [
        pytest.param(10, 7, True, False, id="exactly-30-percent"),
        pytest.param(3, 2, True, False, id="1-point-but-33-percent"),
        pytest.param(3, 1, True, True, id="exactly-2-points-is-67-percent"),
        pytest.param(10, 8, True, False, id="2-points-is-20-percent"),
        pytest.param(10, 9, False, False, id="1-point"),
        pytest.param(10, 5, True, True, id="exactly-50-percent"),
        pytest.param(0, 0, False, False, id="no-pain-at-intake-and-none-since"),
        pytest.param(4, 6, False, False, id="worse"),
    ],
)
def test_a_responder_is_counted_at_the_spec_boundaries(
    clinic: Clinic,
    as_owner: HttpClient,
    baseline: int,
    latest: int,
    meaningful: bool,
    substantial: bool,
) -> None:
    program(clinic, baseline=baseline, scores={7: latest})

    rows = table(page(as_owner), "Meaningful improvement by program template")

    assert rows == [
        [
            BACK_PAIN_TITLE,
            "1",
            "1",
            "100% (1)" if meaningful else "0% (0)",
            "21–100%" if meaningful else "0–79%",
            "100%" if substantial else "0%",
        ]
    ]
    # The database counts as the pure scoring rule classes (outcomes.scoring.responder).
    change = responder("nrs", baseline, latest)
    assert (change.meaningful, change.responder_class == "substantial") == (meaningful, substantial)


def test_the_baseline_is_the_last_intake_answer_up_to_the_first_day(
    clinic: Clinic, as_owner: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    # 10 at intake a week before; 4 at a later intake: 10 stays the baseline, so 7 is 30% better.
    later = program(clinic, template=BACK_PAIN, baseline=10, scores={7: 7})
    with django_capture_on_commit_callbacks(execute=True):
        record_response(None, later.client, "nrs", [4], occasion="intake", now=at(_march(4)))
    # 10 a week before and 8 on the first day itself: 8 is the baseline, so 7 is not enough.
    same_day = program(clinic, template=INTENSIVE, baseline=10)
    with django_capture_on_commit_callbacks(execute=True):
        record_response(None, same_day.client, "nrs", [8], occasion="intake", now=at(FIRST_DAY, 13))
    check_in(same_day, _march(9), 7)

    rows = table(page(as_owner), "Meaningful improvement by program template")

    assert [row[:4] for row in rows] == [
        [BACK_PAIN_TITLE, "1", "1", "100% (1)"],
        [INTENSIVE_TITLE, "1", "1", "0% (0)"],
    ]


def test_the_latest_is_the_last_pain_score_answered_in_the_program(
    clinic: Clinic, as_owner: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    # Better at first, then back up to 9: not a responder now.
    program(clinic, template=BACK_PAIN, baseline=10, scores={7: 5, 14: 9})
    # A discharge answer counts; an answer outside the program afterwards does not.
    discharged = program(
        clinic,
        template=INTENSIVE,
        baseline=10,
        scores={7: 9},
        status="completed",
        ended_on=_march(16),
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_response(
            None,
            discharged.client,
            "nrs",
            [6],
            occasion="discharge",
            program=discharged,
            now=at(_march(16)),
        )
        record_response(None, discharged.client, "nrs", [10], occasion="other", now=at(_march(20)))
    # No answer since intake: started, not measured.
    program(clinic, template=INTENSIVE, baseline=10)

    response = page(as_owner)

    rows = table(response, "Meaningful improvement by program template")
    assert [row[:4] for row in rows] == [
        [BACK_PAIN_TITLE, "1", "1", "0% (0)"],
        [INTENSIVE_TITLE, "2", "1", "100% (1)"],
    ]
    assert "show a meaningful improvement in pain (95% interval 9–91%; 1 of 2)" in words(response)


def test_responders_are_grouped_by_template_technique_therapist_and_first_location(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    decatur = factories.LocationFactory.create(name="Decatur")
    program(
        clinic,
        therapist=clinic.tess,
        template=BACK_PAIN,
        techniques=["swedish", "myofascial_release"],
        baseline=10,
        scores={7: 6},
        sessions=(0,),
    )
    # First seen in Decatur, then in Midtown: it belongs to Decatur.
    in_decatur = program(
        clinic,
        therapist=clinic.theo,
        template=INTENSIVE,
        techniques=["deep_tissue"],
        baseline=10,
        scores={7: 9},
        sessions=(),
    )
    session(clinic, in_decatur, FIRST_DAY, location=decatur)
    session(clinic, in_decatur, _march(5), location=clinic.location)
    program(
        clinic,
        therapist=clinic.tess,
        template=INTENSIVE,
        techniques=["swedish"],
        baseline=8,
        scores={7: 4},
        sessions=(),
    )

    response = page(as_owner)

    def by(title: str) -> list[list[str]]:
        return [row[:4] for row in table(response, f"Meaningful improvement by {title}")]

    assert by("program template") == [
        [BACK_PAIN_TITLE, "1", "1", "100% (1)"],
        [INTENSIVE_TITLE, "2", "2", "50% (1)"],
    ]
    # The program with two techniques counts under each.
    assert by("technique") == [
        ["Deep tissue massage", "1", "1", "0% (0)"],
        ["Myofascial release", "1", "1", "100% (1)"],
        ["Swedish massage", "2", "2", "100% (2)"],
    ]
    assert by("therapist") == [
        ["Tess Therapist", "2", "2", "100% (2)"],
        ["Theo Colleague", "1", "1", "0% (0)"],
    ]
    assert by("location") == [
        ["Decatur", "1", "1", "0% (0)"],
        ["Midtown", "1", "1", "100% (1)"],
        ["No sessions booked", "1", "1", "100% (1)"],
    ]
    assert "show a meaningful improvement in pain (95% interval 21–94%; 2 of 3)" in words(response)


def test_eight_responders_of_ten_show_the_wilson_interval(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    for _ in range(8):
        program(clinic, baseline=10, scores={7: 5})
    for _ in range(2):
        program(clinic, baseline=10, scores={7: 9})

    response = page(as_owner)

    assert (
        "80% show a meaningful improvement in pain (95% interval 49–94%; 8 of 10), "
        "and 80% a substantial one" in words(response)
    )
    assert table(response, "Meaningful improvement by therapist") == [
        ["Tess Therapist", "10", "10", "80% (8)", "49–94%", "80%"]
    ]


# --- Weeks to the first meaningful improvement ------------------------------------------------


def test_weeks_to_improvement_censor_those_who_leave_without_improving(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    # Week n holds days 7n-6 to 7n after the first day (Monday 2 March unless said).
    program(clinic, baseline=10, scores={7: 7})  # improved on day 7: week 1
    program(clinic, baseline=8, scores={3: 5}, first_day=_march(11))  # day 3: week 1
    program(clinic, baseline=10, scores={7: 6, 14: 10})  # week 1, though worse since
    program(clinic, baseline=10, scores={5: 9}, status="discharged", ended_on=_march(9))
    program(clinic, baseline=10, scores={6: 9, 13: 7})  # day 13: week 2
    program(clinic, baseline=10, scores={7: 9, 14: 9}, status="discharged", ended_on=_march(17))
    program(clinic, baseline=10, scores={7: 9, 15: 9, 21: 6})  # day 21: week 3
    # Not in the curve: no answer since intake; started before the range.
    program(clinic, baseline=10)
    program(clinic, baseline=10, scores={7: 5}, first_day=dt.date(2026, 2, 23))

    response = page(as_owner)

    # By hand: week 1, 7 watched, 3 improve and 1 leaves: S = 4/7, 43% improved. Week 2,
    # 3 watched, 1 improves and 1 leaves: S = 4/7 x 2/3 = 8/21, 62%. Week 3: the last improves.
    assert table(response, "Weeks to the first meaningful improvement: the numbers") == [
        ["1", "7", "3", "1", "43%"],
        ["2", "3", "1", "1", "62%"],
        ["3", "1", "1", "0", "100%"],
    ]
    shown = words(response)
    assert (
        "Of 7 programs with a pain score at intake and since, 5 reached a meaningful "
        "improvement; half had by week 2" in shown
    )
    assert "By week 1: 43% improved. By week 2: 62% improved. By week 3: 100% improved." in shown


def test_weeks_are_counted_on_the_clinics_calendar_not_in_utc(
    clinic: Clinic, as_owner: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    # Answered on the evening of day 7 in Atlanta, already day 8 in UTC: still week 1.
    evening = program(clinic, baseline=10)
    with django_capture_on_commit_callbacks(execute=True):
        record_response(
            None,
            evening.client,
            "nrs",
            [7],
            occasion="check_in",
            program=evening,
            now=dt.datetime(2026, 3, 9, 20, 30, tzinfo=ATLANTA),
        )

    rows = table(page(as_owner), "Weeks to the first meaningful improvement: the numbers")

    assert rows == [["1", "1", "1", "0", "100%"]]


def test_without_any_improvement_the_page_says_fewer_than_half_have(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    program(clinic, baseline=10, scores={7: 9})

    shown = words(page(as_owner))

    assert "Of 1 program with a pain score at intake and since, 0 reached" in shown
    assert "fewer than half have so far" in shown


# --- Attendance -------------------------------------------------------------------------------


def test_attendance_counts_what_was_due_up_to_now_by_therapist_and_location(
    clinic: Clinic, as_owner: HttpClient, frozen: Any
) -> None:
    frozen.move_to(dt.datetime(2026, 3, 20, 16, 0, tzinfo=UTC))
    decatur = factories.LocationFactory.create(name="Decatur")

    def visit(
        therapist: Therapist, where: Location, day: int, status: str, *, late: bool = False
    ) -> None:
        factories.AppointmentFactory.create(
            therapist=therapist,
            service=clinic.service,
            location=where,
            starts=at(_march(day)),
            status=status,
            late_cancellation=late,
        )

    tess, theo, midtown = clinic.tess, clinic.theo, clinic.location
    visit(tess, midtown, 2, AppointmentStatus.COMPLETED)
    visit(tess, midtown, 3, AppointmentStatus.CHECKED_IN)
    visit(tess, midtown, 4, AppointmentStatus.NO_SHOW)
    visit(tess, midtown, 5, AppointmentStatus.CANCELLED, late=True)
    visit(tess, midtown, 6, AppointmentStatus.CANCELLED)
    visit(tess, midtown, 9, AppointmentStatus.BOOKED)  # past, nobody marked it
    visit(tess, midtown, 25, AppointmentStatus.BOOKED)  # still to come: not due
    visit(theo, decatur, 10, AppointmentStatus.COMPLETED)
    visit(theo, decatur, 11, AppointmentStatus.COMPLETED)
    visit(theo, decatur, 12, AppointmentStatus.NO_SHOW)
    visit(theo, decatur, 30, AppointmentStatus.BOOKED)
    factories.AppointmentFactory.create(  # before the range
        therapist=tess,
        location=midtown,
        starts=at(dt.date(2026, 2, 27)),
        status=AppointmentStatus.NO_SHOW,
    )

    response = page(as_owner)

    shown = words(response)
    assert (
        "44% attended (4 of 9) 22% no-shows (2) 22% cancelled (2) 11% cancelled late (1)" in shown
    )
    assert "1 past appointment is still marked booked" in shown
    assert table(response, "Attendance by therapist") == [
        ["Tess Therapist", "6", "33%", "17%", "33%", "17%"],
        ["Theo Colleague", "3", "67%", "33%", "0%", "0%"],
    ]
    assert table(response, "Attendance by location") == [
        ["Decatur", "3", "67%", "33%", "0%", "0%"],
        ["Midtown", "6", "33%", "17%", "33%", "17%"],
    ]


# --- Utilisation ------------------------------------------------------------------------------


def _diary_for_utilisation(clinic: Clinic) -> None:
    """March 2026 has five Mondays: 2, 9, 16, 23 and 30. The clinic is closed on the 16th."""
    factories.weekly_hours(
        clinic.tess, clinic.location, [0], dt.time(9), dt.time(17), [(dt.time(12), dt.time(13))]
    )
    factories.weekly_hours(clinic.theo, clinic.location, [0], dt.time(13), dt.time(18))
    factories.ClosureFactory.create(starts_on=_march(16), name="Staff training day")
    factories.TimeOffFactory.create(  # Monday the 23rd, 9 to 11 in Atlanta
        therapist=clinic.tess,
        starts=dt.datetime(2026, 3, 23, 9, tzinfo=ATLANTA),
        ends=dt.datetime(2026, 3, 23, 11, tzinfo=ATLANTA),
    )
    factories.RoomFactory.create(location=clinic.location, name="Old store", active=False)
    for day, hour, status in [
        (2, 14, AppointmentStatus.COMPLETED),
        (9, 14, AppointmentStatus.CHECKED_IN),
        (30, 14, AppointmentStatus.BOOKED),
        (9, 16, AppointmentStatus.CANCELLED),
        (23, 16, AppointmentStatus.NO_SHOW),
    ]:
        factories.AppointmentFactory.create(
            therapist=clinic.tess,
            service=clinic.service,
            location=clinic.location,
            room=clinic.room,
            starts=at(_march(day), hour),
            status=status,
        )
    factories.AppointmentFactory.create(  # without a room
        therapist=clinic.theo,
        service=clinic.service,
        location=clinic.location,
        starts=at(_march(30), 19),
    )
    factories.AppointmentFactory.create(  # in April: outside the range
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        room=clinic.room,
        starts=at(dt.date(2026, 4, 6), 14),
    )


def test_utilisation_counts_hours_without_breaks_closures_and_time_off(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    _diary_for_utilisation(clinic)

    response = page(as_owner)

    # Tess: 7 hours on each of four open Mondays, less 2 hours off: 26; booked 3 (the
    # cancelled and missed appointments free their time). Theo: 5 hours on four Mondays.
    assert table(response, "Therapist utilisation") == [
        ["Tess Therapist", "26.0 h", "3.0 h", "12%"],
        ["Theo Colleague", "20.0 h", "1.0 h", "5.0%"],
    ]
    # Magnolia is open while anyone works at Midtown, 9 to 18, on four Mondays.
    assert table(response, "Room utilisation") == [
        ["Magnolia (Midtown)", "36.0 h", "3.0 h", "8.3%"]
    ]


# --- Filters ----------------------------------------------------------------------------------


def test_the_location_filter_restricts_every_section(clinic: Clinic, as_owner: HttpClient) -> None:
    decatur = factories.LocationFactory.create(name="Decatur")
    factories.RoomFactory.create(location=decatur, name="Dogwood")
    factories.weekly_hours(clinic.tess, clinic.location, [0])
    factories.weekly_hours(clinic.theo, decatur, [1], dt.time(10), dt.time(14))
    program(clinic, baseline=10, scores={7: 5}, sessions=(0,), location=clinic.location)
    program(
        clinic,
        therapist=clinic.theo,
        template=INTENSIVE,
        baseline=10,
        scores={14: 9},
        sessions=(0,),
        location=decatur,
        status="discharged",
        ended_on=_march(20),
    )

    everywhere = page(as_owner)
    response = page(as_owner, location=str(decatur.pk))

    assert len(table(everywhere, "Meaningful improvement by location")) == 2
    assert response.status_code == 200
    shown = words(response)
    assert "1 started 0 completed 1 discharged early" in shown
    assert "(95% interval 0–79%; 0 of 1)" in shown
    assert "Of 1 program with a pain score at intake and since, 0 reached" in shown
    assert "attended (1 of 1)" in shown
    for title in ("program template", "technique", "therapist", "location"):
        labels = [row[0] for row in table(response, f"Meaningful improvement by {title}")]
        assert (
            labels
            == {
                "program template": [INTENSIVE_TITLE],
                "technique": ["Swedish massage"],
                "therapist": ["Theo Colleague"],
                "location": ["Decatur"],
            }[title]
        )
    assert [row[0] for row in table(response, "Attendance by therapist")] == ["Theo Colleague"]
    assert [row[0] for row in table(response, "Attendance by location")] == ["Decatur"]
    # Theo works Tuesdays 10 to 14 in Decatur: five Tuesdays in March.
    assert table(response, "Therapist utilisation") == [
        ["Theo Colleague", "20.0 h", "1.0 h", "5.0%"]
    ]
    assert table(response, "Room utilisation") == [["Dogwood (Decatur)", "20.0 h", "0.0 h", "0%"]]


def test_the_date_range_leaves_out_what_happened_outside_it(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    program(clinic, baseline=10, scores={7: 5}, first_day=dt.date(2026, 4, 6), sessions=(0,))

    march = words(page(as_owner))
    april = words(page(as_owner, start="2026-04-01", end="2026-04-30"))

    assert "0 started" in march
    assert "No program that started in this range has a pain score at intake and since." in march
    assert "No appointments were due in this range." in march
    assert "1 started" in april
    assert "(95% interval 21–100%; 1 of 1)" in april
    assert "attended (1 of 1)" in april


@pytest.mark.parametrize(
    ("query", "field", "label", "message", "kept"),
    [
        pytest.param(
            {"start": "2026-03-31", "end": "2026-03-01"},
            "end",
            "To",
            "“To” must be on or after “From”.",
            {"start": "2026-03-31", "end": "2026-03-01"},
            id="end-before-start",
        ),
        pytest.param(
            {"start": "2026-02-30", "end": "2026-03-31"},
            "start",
            "From",
            "Enter a valid date.",
            {"start": "2026-02-30", "end": "2026-03-31"},
            id="no-such-day",
        ),
        pytest.param(
            {"start": "2026-03-01", "end": "2026-03-31", "location": "999999"},
            "location",
            "Location",
            "Select a valid choice. That choice is not one of the available choices.",
            {"start": "2026-03-01", "end": "2026-03-31"},
            id="unknown-location",
        ),
    ],
)
def test_bad_filters_are_refused_next_to_the_field_keeping_what_was_typed(
    clinic: Clinic,
    as_owner: HttpClient,
    query: dict[str, str],
    field: str,
    label: str,
    message: str,
    kept: dict[str, str],
) -> None:
    response = as_owner.get(reverse("analytics:dashboard"), query)

    assert response.status_code == 400
    assert field_error(response, field) == (f"{label}:", message)
    assert {name: input_value(response, name) for name in kept} == kept
    assert "Who gets better" not in words(response)
    assert not AuditEvent.objects.filter(action="analytics.viewed").exists()


# --- Privacy ----------------------------------------------------------------------------------


def test_only_the_owner_sees_the_analytics_and_every_look_is_audited(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    program(clinic, client=clinic.alice, baseline=10, scores={7: 5})
    program(clinic, baseline=10, scores={7: 9})
    pages = [
        reverse("analytics:dashboard"),
        reverse("analytics:export", args=["responders"]),
    ]
    for url in pages:
        for user in (clinic.front_desk, clinic.tess.user, clinic.theo.user, clinic.alice.user):
            assert login_as(user).get(url).status_code == 403
        anonymous = login_as(None).get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action__startswith="analytics.").exists()

    response = page(as_owner)
    export = as_owner.get(pages[1], {"start": "2026-03-01", "end": "2026-03-31"})

    viewed = AuditEvent.objects.get(action="analytics.viewed")
    assert viewed.actor == clinic.owner
    assert viewed.client is None
    assert viewed.changes["filters"]["after"] == {
        "start": "2026-03-01",
        "end": "2026-03-31",
        "location": "",
    }
    exported = AuditEvent.objects.get(action="analytics.exported")
    assert exported.actor == clinic.owner
    assert exported.changes["table"] == {"before": None, "after": "responders"}
    # Counted from the clients' records, naming none of them.
    for content in (response.content.decode(), export.content.decode()):
        for name in ("Alice", "Anders", "Zebedee", "Quillfeather"):
            assert name not in content


# --- Cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("programs", "visits"), [(2, 1), (12, 4)])
def test_the_page_costs_the_same_queries_however_many_programs_and_visits(
    clinic: Clinic,
    as_owner: HttpClient,
    django_assert_num_queries: Any,
    programs: int,
    visits: int,
) -> None:
    decatur = factories.LocationFactory.create(name="Decatur")
    factories.weekly_hours(
        clinic.tess, clinic.location, [0, 2], breaks=[(dt.time(12), dt.time(13))]
    )
    factories.weekly_hours(clinic.theo, decatur, [1])
    factories.ClosureFactory.create(starts_on=_march(16))
    factories.TimeOffFactory.create(therapist=clinic.tess, starts=at(_march(23)))
    for n in range(programs):
        made = program(
            clinic,
            first_day=FIRST_DAY + dt.timedelta(days=n),
            therapist=(clinic.tess, clinic.theo)[n % 2],
            template=(BACK_PAIN, INTENSIVE)[n % 2],
            techniques=[("swedish", "deep_tissue", "sports")[n % 3]],
            baseline=8,
            scores={7: 7, 14: n % 8},
            location=(clinic.location, decatur)[n % 2],
            sessions=[7 * week for week in range(visits)],
        )
        session(clinic, made, _march(27), status="cancelled", room=clinic.room)

    with django_assert_num_queries(17 + audit_row_queries()):
        response = page(as_owner)

    assert response.status_code == 200
    assert f"{programs} started" in words(response)
