"""The analytics tables as CSV downloads: the numbers the page shows, safe in a spreadsheet."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test.client import Client as HttpClient
from django.urls import reverse

from backcare.clinic.models import Therapist
from tests import factories
from tests.analytics.conftest import (
    BACK_PAIN,
    BACK_PAIN_TITLE,
    FIRST_DAY,
    INTENSIVE,
    INTENSIVE_TITLE,
    MARCH,
    NOW,
    export,
    page,
    program,
    session,
    table,
    words,
)
from tests.conftest import Clinic

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def formula(clinic: Clinic) -> Therapist:
    """A therapist whose name a spreadsheet would run as a formula."""
    therapist = factories.TherapistFactory.create(user__full_name="=cmd")
    factories.weekly_hours(therapist, clinic.location, [0])  # Mondays 9 to 17
    return therapist


@pytest.fixture
def two_programs(clinic: Clinic, formula: Therapist) -> None:
    """One completed program with "=cmd" that improved in week 1; one with Tess still running,
    not improved, last seen in week 2 and missed its second appointment."""
    program(
        clinic,
        therapist=formula,
        template=BACK_PAIN,
        baseline=10,
        scores={7: 5},
        sessions=(0,),
        status="completed",
        ended_on=FIRST_DAY.replace(day=20),
    )
    running = program(
        clinic,
        therapist=clinic.tess,
        template=INTENSIVE,
        baseline=10,
        scores={7: 9, 14: 9},
        sessions=(0,),
    )
    session(clinic, running, FIRST_DAY.replace(day=9), status="no_show")


@pytest.mark.usefixtures("two_programs")
def test_the_programs_download_has_the_counts_of_the_page(as_owner: HttpClient) -> None:
    assert export(as_owner, "programs") == [
        ["measure", "programs"],
        ["started", "2"],
        ["completed", "1"],
        ["discharged", "0"],
        ["referred_out", "0"],
        ["running_now_of_those_started", "1"],
    ]
    assert (
        "2 started 1 completed 0 discharged early 0 referred to a doctor or other care "
        "1 of those started still running" in words(page(as_owner))
    )


@pytest.mark.usefixtures("two_programs")
def test_the_responders_download_has_every_group_with_its_interval(as_owner: HttpClient) -> None:
    # Wilson 95%: 1 of 1 is 20.7 to 100; 0 of 1 is 0 to 79.3; 1 of 2 is 9.5 to 90.5.
    one_of_one = ["1", "1", "1", "100.0", "20.7", "100.0", "1", "100.0", "20.7", "100.0"]
    none_of_one = ["1", "1", "0", "0.0", "0.0", "79.3", "0", "0.0", "0.0", "79.3"]
    one_of_two = ["2", "2", "1", "50.0", "9.5", "90.5", "1", "50.0", "9.5", "90.5"]
    assert export(as_owner, "responders") == [
        [
            "by",
            "group",
            "programs_started",
            "with_baseline_and_follow_up",
            "meaningful_improvement",
            "meaningful_percent",
            "meaningful_ci95_low",
            "meaningful_ci95_high",
            "substantial_improvement",
            "substantial_percent",
            "substantial_ci95_low",
            "substantial_ci95_high",
        ],
        ["all", "All programs", *one_of_two],
        ["template", BACK_PAIN_TITLE, *one_of_one],
        ["template", INTENSIVE_TITLE, *none_of_one],
        ["technique", "Swedish massage", *one_of_two],
        ["therapist", "'=cmd", *one_of_one],
        ["therapist", "Tess Therapist", *none_of_one],
        ["location", "Midtown", *one_of_two],
    ]
    assert table(page(as_owner), "Meaningful improvement by therapist") == [
        ["=cmd", "1", "1", "100% (1)", "21–100%", "100%"],
        ["Tess Therapist", "1", "1", "0% (0)", "0–79%", "0%"],
    ]


@pytest.mark.usefixtures("two_programs")
def test_the_improvement_download_has_the_rows_of_the_curve(as_owner: HttpClient) -> None:
    assert export(as_owner, "improvement") == [
        ["week", "at_risk", "improved", "censored", "share_improved_percent"],
        ["1", "2", "1", "0", "50.0"],
        ["2", "1", "0", "1", "50.0"],
    ]
    assert table(page(as_owner), "Weeks to the first meaningful improvement: the numbers") == [
        ["1", "2", "1", "0", "50%"],
        ["2", "1", "0", "1", "50%"],
    ]


@pytest.mark.usefixtures("two_programs")
def test_the_attendance_download_has_the_counts_behind_the_rates(as_owner: HttpClient) -> None:
    assert export(as_owner, "attendance") == [
        [
            "by",
            "group",
            "appointments_due",
            "attended",
            "no_show",
            "cancelled",
            "late_cancelled",
            "not_marked",
            "attended_percent",
            "no_show_percent",
            "cancelled_percent",
            "late_cancelled_percent",
        ],
        ["all", "All appointments", "3", "2", "1", "0", "0", "0", "66.7", "33.3", "0.0", "0.0"],
        ["therapist", "'=cmd", "1", "1", "0", "0", "0", "0", "100.0", "0.0", "0.0", "0.0"],
        ["therapist", "Tess Therapist", "2", "1", "1", "0", "0", "0", "50.0", "50.0", "0.0", "0.0"],
        ["location", "Midtown", "3", "2", "1", "0", "0", "0", "66.7", "33.3", "0.0", "0.0"],
    ]
    assert table(page(as_owner), "Attendance by therapist") == [
        ["=cmd", "1", "100%", "0%", "0%", "0%"],
        ["Tess Therapist", "2", "50%", "50%", "0%", "0%"],
    ]


@pytest.mark.usefixtures("two_programs")
def test_the_utilisation_download_has_hours_for_therapists_and_rooms(as_owner: HttpClient) -> None:
    # "=cmd" works 8 hours on each of the five Mondays in March; Tess has no hours set.
    assert export(as_owner, "utilisation") == [
        ["kind", "name", "available_hours", "booked_hours", "utilisation_percent"],
        ["therapist", "'=cmd", "40.0", "1.0", "2.5"],
        ["therapist", "Tess Therapist", "0.0", "1.0", ""],
        ["room", "Magnolia (Midtown)", "40.0", "0.0", "0.0"],
    ]
    assert table(page(as_owner), "Therapist utilisation") == [
        ["=cmd", "40.0 h", "1.0 h", "2.5%"],
        ["Tess Therapist", "0.0 h", "1.0 h", "–"],
    ]


def test_the_download_is_named_after_the_table_the_range_and_the_location(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    east = factories.LocationFactory.create(name="Décatur — East")
    url = reverse("analytics:export", args=["programs"])

    everywhere = as_owner.get(url, MARCH)
    midtown = as_owner.get(url, {**MARCH, "location": str(clinic.location.pk)})
    outside_ascii = as_owner.get(url, {**MARCH, "location": str(east.pk)})

    range_name = "backcare-programs-2026-03-01-to-2026-03-31"
    assert everywhere["Content-Disposition"] == f'attachment; filename="{range_name}.csv"'
    assert midtown["Content-Disposition"] == f'attachment; filename="{range_name}-midtown.csv"'
    assert (
        outside_ascii["Content-Disposition"]
        == f'attachment; filename="{range_name}-decatur-east.csv"'
    )


def test_an_unknown_table_is_not_found(clinic: Clinic, as_owner: HttpClient) -> None:
    response = as_owner.get(reverse("analytics:export", args=["clients"]), MARCH)

    assert response.status_code == 404


def test_a_download_with_bad_filters_is_refused_like_the_page(
    clinic: Clinic, as_owner: HttpClient
) -> None:
    response = as_owner.get(
        reverse("analytics:export", args=["programs"]), {"start": "2026-03-31", "end": "2026-03-01"}
    )

    assert response.status_code == 400
    assert "“To” must be on or after “From”." in words(response)
