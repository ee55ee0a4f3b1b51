"""A program's whole series at once: local time kept across DST, conflicts reported per date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backcare import events
from backcare.audit.models import AuditEvent
from backcare.booking.actions import (
    BookingHeld,
    PublicHoliday,
    SchedulingError,
    book_appointment,
    book_series,
    series_starts,
)
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.scheduling.calendar_days import public_holidays
from tests import factories
from tests.conftest import Clinic, login_as
from tests.pages import text
from tests.scheduling.clinic_week import booking_by_the_desk, open_weekdays

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def ny(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """Only Tess works, Monday to Friday 09:00-17:00, with no lunch; no booking policy is made
    beforehand."""
    return open_weekdays(clinic, [clinic.tess], breaks=(), policy=False)


def series(clinic: Clinic, first_start: dt.datetime, count: int, **kwargs: Any) -> Any:
    options = {**booking_by_the_desk(clinic), "first_start": first_start, "count": count, **kwargs}
    return book_series(**options)


@pytest.fixture
def winter() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 2, 16, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def autumn() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 10, 12, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def december() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False):
        yield


def test_a_weekly_series_keeps_ten_oclock_across_the_spring_change(
    open_clinic: Clinic, winter: None
) -> None:
    report = series(open_clinic, ny(2026, 2, 23, 10), 4)

    assert report.conflicts == []
    booked = report.booked
    assert [a.starts.astimezone(NY).strftime("%Y-%m-%d %H:%M") for a in booked] == [
        "2026-02-23 10:00",
        "2026-03-02 10:00",
        "2026-03-09 10:00",
        "2026-03-16 10:00",
    ]
    # EST is UTC-5, EDT is UTC-4: the UTC hour moves so that the local hour does not.
    assert [a.starts.astimezone(UTC).hour for a in booked] == [15, 15, 14, 14]
    assert len({a.series for a in booked}) == 1
    assert booked[0].series == report.series


def test_a_weekly_series_keeps_ten_oclock_across_the_autumn_change(
    open_clinic: Clinic, autumn: None
) -> None:
    report = series(open_clinic, ny(2026, 10, 19, 10), 4)

    assert [a.starts.astimezone(NY).hour for a in report.booked] == [10, 10, 10, 10]
    assert [a.starts.astimezone(UTC).hour for a in report.booked] == [14, 14, 15, 15]


def test_twice_a_week_books_monday_and_thursday(open_clinic: Clinic, winter: None) -> None:
    report = series(open_clinic, ny(2026, 3, 2, 10), 8, per_week=2, days_between=3)

    assert [a.starts.astimezone(NY).strftime("%a %d %H:%M") for a in report.booked] == [
        "Mon 02 10:00",
        "Thu 05 10:00",
        "Mon 09 10:00",
        "Thu 12 10:00",
        "Mon 16 10:00",
        "Thu 19 10:00",
        "Mon 23 10:00",
        "Thu 26 10:00",
    ]


def test_series_starts_take_the_clocks_jump_for_a_time_in_the_spring_gap() -> None:
    starts = series_starts(ny(2026, 3, 1, 2, 30), 2, 1, NY)
    assert starts[1] == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT, when clocks jump


def test_a_dry_run_reports_each_date_and_writes_nothing(open_clinic: Clinic, autumn: None) -> None:
    factories.ClosureFactory.create(starts_on=dt.date(2026, 11, 26), name="Thanksgiving")

    report = series(open_clinic, ny(2026, 11, 19, 10), 3, dry_run=True)

    assert report.dry_run is True
    assert report.series is None
    assert [d.free for d in report.dates] == [True, False, True]
    thanksgiving = report.dates[1]
    assert thanksgiving.starts == ny(2026, 11, 26, 10)
    assert thanksgiving.problem is not None
    assert "closed on Thursday, November 26 (Thanksgiving)" in thanksgiving.problem.message
    assert thanksgiving.alternatives[0].start == ny(2026, 11, 25, 10)
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="appointment").exists()


def test_a_real_run_books_the_free_dates_and_reports_the_rest(
    open_clinic: Clinic, autumn: None, django_capture_on_commit_callbacks: Any
) -> None:
    factories.ClosureFactory.create(starts_on=dt.date(2026, 11, 26), name="Thanksgiving")
    book_appointment(
        open_clinic.front_desk,
        open_clinic.bob,
        open_clinic.service,
        open_clinic.tess,
        open_clinic.location,
        ny(2026, 12, 3, 10, 30),
        now=dt.datetime(2026, 10, 12, 12, tzinfo=UTC),
    )
    heard: list[events.SeriesBooked] = []

    @events.subscribe(events.SeriesBooked)
    def receiver(event: events.SeriesBooked) -> None:
        heard.append(event)

    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = series(open_clinic, ny(2026, 11, 19, 10), 4)
    finally:
        events.unsubscribe(events.SeriesBooked, receiver)

    assert [d.free for d in report.dates] == [True, False, False, True]
    assert [a.starts for a in report.booked] == [ny(2026, 11, 19, 10), ny(2026, 12, 10, 10)]
    assert "Thanksgiving" in str(report.dates[1].problem)
    assert "just taken" in str(report.dates[2].problem)  # Bob has Tess at 10:30 on the 3rd
    assert report.dates[2].alternatives
    assert Appointment.objects.filter(series=report.series).count() == 2
    event = AuditEvent.objects.get(action="appointment.series_booked")
    assert event.client == open_clinic.alice
    assert len(event.changes["refused"]) == 2
    assert heard[0].series == report.series
    assert list(heard[0].appointments) == report.booked


def test_a_screening_hold_refuses_the_whole_series(open_clinic: Clinic, winter: None) -> None:
    teen = factories.ClientFactory.create(date_of_birth=dt.date(2010, 3, 1))
    with pytest.raises(BookingHeld):
        series(open_clinic, ny(2026, 2, 23, 10), 4, client=teen)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [({"count": 0}, "count"), ({"per_week": 3}, "per_week"), ({"count": 53}, "count")],
)
def test_a_series_that_makes_no_sense_is_refused(
    open_clinic: Clinic, winter: None, options: dict[str, Any], field: str
) -> None:
    options = {"count": 4, **options}
    with pytest.raises(SchedulingError) as refused:
        series(open_clinic, ny(2026, 2, 23, 10), **options)
    assert refused.value.field == field


# --- Public holidays (issue 11 item 8) ----------------------------------------------------------

FRIDAYS_OVER_THE_HOLIDAYS = [ny(2026, 12, 18, 10), ny(2026, 12, 25, 10), ny(2027, 1, 1, 10)]


def test_a_weekly_series_skips_christmas_and_new_years_day_naming_them(
    open_clinic: Clinic, december: None
) -> None:
    report = series(open_clinic, ny(2026, 12, 18, 10), 4)  # Fridays; Midtown is in Georgia

    assert [a.starts for a in report.booked] == [ny(2026, 12, 18, 10), ny(2027, 1, 8, 10)]
    christmas, new_year = report.conflicts
    assert isinstance(christmas.problem, PublicHoliday)
    assert christmas.starts == ny(2026, 12, 25, 10)
    assert christmas.problem.message == "Christmas Day — the series skips public holidays."
    assert isinstance(new_year.problem, PublicHoliday)
    assert new_year.starts == ny(2027, 1, 1, 10)
    assert new_year.problem.message == "New Year's Day — the series skips public holidays."
    # Nearer days first, none of them a holiday: Georgia also keeps December 24.
    assert christmas.alternatives[0].start == ny(2026, 12, 23, 10)
    assert new_year.alternatives[0].start == ny(2026, 12, 31, 10)
    holidays = public_holidays("GA", dt.date(2026, 12, 1), dt.date(2027, 1, 31))
    offered = [
        slot.start.astimezone(NY).date() for d in report.conflicts for slot in d.alternatives
    ]
    assert offered and not set(offered) & set(holidays)
    assert not Appointment.objects.filter(starts__in=FRIDAYS_OVER_THE_HOLIDAYS[1:]).exists()
    refused = AuditEvent.objects.get(action="appointment.series_booked").changes["refused"]
    assert [(r["starts"], r["why"]) for r in refused] == [
        (ny(2026, 12, 25, 10).astimezone(UTC).isoformat(), f"starts: {christmas.problem.message}"),
        (ny(2027, 1, 1, 10).astimezone(UTC).isoformat(), f"starts: {new_year.problem.message}"),
    ]


def test_a_dry_run_reports_the_public_holidays_too(open_clinic: Clinic, december: None) -> None:
    report = series(open_clinic, ny(2026, 12, 18, 10), 4, dry_run=True)

    assert [d.free for d in report.dates] == [True, False, False, True]
    assert [type(d.problem) for d in report.conflicts] == [PublicHoliday, PublicHoliday]


def test_the_series_page_names_the_public_holidays_it_skips(
    open_clinic: Clinic, december: None
) -> None:
    page = reverse("scheduling:client_series", args=[open_clinic.alice.pk])
    data = {
        "service": open_clinic.service.pk,
        "location": open_clinic.location.pk,
        "therapist": open_clinic.tess.pk,
        "date": "2026-12-18",
        "time": "10:00",
        "count": 4,
        "per_week": 1,
        "days_between": 3,
    }
    as_front_desk = login_as(open_clinic.front_desk)

    checked = text(as_front_desk.post(page, {**data, "do": "check"}))

    assert "<strong>No:</strong> Christmas Day — the series skips public holidays." in checked
    assert "<strong>No:</strong> New Year's Day — the series skips public holidays." in checked
    assert "Book the 2 free dates" in checked

    booked = text(as_front_desk.post(page, {**data, "do": "book"}))

    assert "Booked 2 sessions for Alice Anders. 2 date(s) need another time" in booked
    assert "Christmas Day — the series skips public holidays." in booked
    assert Appointment.objects.filter(client=open_clinic.alice).count() == 2


def test_a_closure_or_time_off_on_a_public_holiday_is_named_before_the_holiday(
    open_clinic: Clinic, december: None
) -> None:
    factories.ClosureFactory.create(starts_on=dt.date(2026, 12, 25), name="Winter break")
    factories.TimeOffFactory.create(
        therapist=open_clinic.tess, starts=ny(2027, 1, 1, 0), ends=ny(2027, 1, 2, 0)
    )

    report = series(open_clinic, ny(2026, 12, 18, 10), 4, dry_run=True)

    christmas, new_year = report.conflicts
    assert christmas.problem is not None
    assert christmas.problem.message == "Midtown is closed on Friday, December 25 (Winter break)."
    assert new_year.problem is not None
    assert new_year.problem.message == "Tess Therapist is away then."


def test_a_single_booking_on_a_public_holiday_is_allowed(
    open_clinic: Clinic, december: None
) -> None:
    appointment = book_appointment(
        open_clinic.front_desk,
        open_clinic.alice,
        open_clinic.service,
        open_clinic.tess,
        open_clinic.location,
        ny(2026, 12, 25, 10),
    )

    assert appointment.status == AppointmentStatus.BOOKED
