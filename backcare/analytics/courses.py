"""Keep each program's :class:`ProgramCourse` up to date (see ``models.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from backcare.analytics.course import course
from backcare.analytics.models import ProgramCourse
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program
from backcare.outcomes import catalogue
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.progress import Entry

MEASURE = "nrs"
"""Responders and weeks to improvement are read from pain (SPEC §5: responder class on NRS)."""


def refresh(program_ids: Iterable[int]) -> None:
    """Write the courses of these programs again from their records (three queries)."""
    ids = sorted(set(program_ids))
    if not ids:
        return
    first_place = (
        Appointment.objects.filter(program=OuterRef("pk"))
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts", "pk")
        .values("location_id")[:1]
    )
    programs = list(
        Program.objects.filter(pk__in=ids)
        .annotate(place=Subquery(first_place))
        .values_list("pk", "client_id", "started_on", "place")
    )
    if not programs:
        return
    clients = {client_id for _, client_id, _, _ in programs}
    intake: dict[int, list[Entry]] = defaultdict(list)
    follow_ups: dict[int, list[Entry]] = defaultdict(list)
    answers = (
        Response.objects.filter(instrument=MEASURE)
        .filter(
            Q(occasion=Occasion.INTAKE, client_id__in=clients)
            | (Q(program_id__in=ids) & ~Q(occasion=Occasion.INTAKE))
        )
        .order_by("collected_at", "pk")
        .values_list("client_id", "program_id", "occasion", "score", "collected_at")
    )
    for client_id, program_id, occasion, score, at in answers:
        entry = Entry(MEASURE, score, at, occasion)
        if occasion == Occasion.INTAKE:
            intake[client_id].append(entry)
        else:
            follow_ups[program_id].append(entry)

    instrument = catalogue.instruments()[MEASURE]
    zone = timezone.get_current_timezone()
    now = timezone.now()
    rows = []
    for pk, client_id, started_on, place in programs:
        found = course(instrument, started_on, zone, intake[client_id], follow_ups[pk])
        rows.append(
            ProgramCourse(
                program_id=pk,
                place_id=place,
                baseline=found.baseline,
                latest=found.latest,
                responder_class=found.responder_class,
                latest_week=found.latest_week,
                improved_week=found.improved_week,
                refreshed_at=now,
            )
        )
    ProgramCourse.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["program"],
        update_fields=[
            "place",
            "baseline",
            "latest",
            "responder_class",
            "latest_week",
            "improved_week",
            "refreshed_at",
        ],
    )


def refresh_client(client_id: int) -> None:
    """A new intake answer may move the baseline of any of the client's programs."""
    refresh(Program.objects.filter(client_id=client_id).values_list("pk", flat=True))


def rebuild(batch: int = 2000) -> int:
    """Write every program's course again; returns how many."""
    ids = list(Program.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        refresh(ids[start : start + batch])
    return len(ids)
