"""A small clinic for the analytics page, built in each test: programs with the pain scores the
client gave at intake and since, and appointments in the diary."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.test import TestCase
from django.urls import reverse

from backcare.analytics import courses
from backcare.booking.models import Appointment
from backcare.care.models import Program, ProgramStatus
from backcare.clinic.models import Client, Location, Room, Therapist
from backcare.outcomes.actions import record_response
from tests import factories
from tests.conftest import Clinic

if TYPE_CHECKING:
    from django.test.client import Client as HttpClient
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

UTC = dt.UTC

FIRST_DAY = dt.date(2026, 3, 2)
"""A Monday: the first day of most programs in these tests."""

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
"""The range most tests look at."""

NOW = dt.datetime(2026, 6, 15, 16, 0, tzinfo=UTC)
"""Long after March: everything in the range is in the past."""

BACK_PAIN = "chronic_low_back_pain"
BACK_PAIN_TITLE = "Chronic low back pain — 10 weekly 60-minute sessions"
INTENSIVE = "intensive"
INTENSIVE_TITLE = "Intensive — 60-minute sessions twice a week for 4 weeks"

_clients = iter(range(1, 10_000))


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    """``day`` at ``hour`` UTC: late morning in Atlanta, far from midnight on either clock."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def new_client() -> Client:
    """A client whose name no page should show: every one is "Zebedee Quillfeather-N"."""
    n = next(_clients)
    return factories.ClientFactory.create(first_name="Zebedee", last_name=f"Quillfeather-{n}")


def program(
    clinic: Clinic,
    *,
    first_day: dt.date = FIRST_DAY,
    baseline: int = 10,
    scores: Mapping[int, int] | None = None,
    therapist: Therapist | None = None,
    template: str = BACK_PAIN,
    techniques: Iterable[str] = ("swedish",),
    status: str = ProgramStatus.ACTIVE,
    ended_on: dt.date | None = None,
    sessions: Iterable[int] = (),
    location: Location | None = None,
    client: Client | None = None,
) -> Program:
    """A program for a new client who answered NRS ``baseline`` at intake a week before
    ``first_day`` and NRS ``scores[day]`` at check-in ``day`` days after it, with a completed
    appointment on each of ``sessions`` (days after the first day) at ``location`` (none by
    default: it shows under "No sessions booked").

    Written straight to the tables, as if made earlier: the named actions refuse past times. So,
    as after a bulk load, its course is refreshed here: no action announced it.
    """
    client = client or new_client()
    screening = factories.screened(
        client, at=at(first_day - dt.timedelta(days=7)), nrs_now=baseline
    )
    therapist = therapist or clinic.tess
    made = at(first_day - dt.timedelta(days=1))
    created = factories.ProgramFactory.create(  # 10 weekly sessions, reassessed at 4 and 10
        client=client,
        therapist=therapist,
        template=template,
        title=BACK_PAIN_TITLE if template == BACK_PAIN else INTENSIVE_TITLE,
        service=clinic.service,
        techniques=list(techniques),
        screening=screening,
        status=status,
        started_on=first_day,
        ended_on=ended_on,
        created_by=therapist.user,
        created_at=made,
    )
    for day in sessions:
        session(clinic, created, first_day + dt.timedelta(days=day), location=location)
    for day, score in (scores or {}).items():
        check_in(created, first_day + dt.timedelta(days=day), score)
    courses.refresh([created.pk])
    return created


def check_in(of: Program, day: dt.date, score: int) -> None:
    """The pain score ``of``'s client gave at check-in on ``day``, delivered as on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record_response(
            of.client.user,
            of.client,
            "nrs",
            [score],
            occasion="check_in",
            program=of,
            now=at(day, 14),
        )


def session(
    clinic: Clinic,
    of: Program,
    day: dt.date,
    *,
    status: str = "completed",
    location: Location | None = None,
    room: Room | None = None,
) -> Appointment:
    """A session of ``of`` written straight to the table, as if made earlier; its course is
    refreshed as after a bulk load."""
    made = factories.AppointmentFactory.create(
        client=of.client,
        therapist=of.therapist,
        service=clinic.service,
        location=location or clinic.location,
        room=room,
        program=of,
        starts=at(day),
        status=status,
    )
    courses.refresh([of.pk])
    return made


# --- Reading the page -------------------------------------------------------------------------


def page(http: HttpClient, **query: str) -> Response:
    return http.get(reverse("analytics:dashboard"), {**MARCH, **query})


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def words(response: Response) -> str:
    """The page's text as a reader sees it: no tags, single spaces."""
    body = response.content.decode().split("<main", 1)[-1]
    return _plain(body)


def table(response: Response, label: str) -> list[list[str]]:
    """The body rows of the table named ``label`` (its aria-label), each cell as text."""
    found = re.search(
        rf'<table[^>]*aria-label="{re.escape(html.escape(label))}"[^>]*>(.*?)</table>',
        response.content.decode(),
        re.S,
    )
    assert found is not None, f"no table {label!r} on the page"
    body = found.group(1).split("<tbody>", 1)[1]
    return [
        [_plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def export(http: HttpClient, name: str, **query: str) -> list[list[str]]:
    response = http.get(reverse("analytics:export", args=[name]), {**MARCH, **query})
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))
