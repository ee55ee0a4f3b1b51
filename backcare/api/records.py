"""The API for connected systems (a system access token): clients, appointments — booked,
moved and cancelled through the same named actions as the staff pages, so the clinical hold
and every booking rule apply — and programs and outcomes, read only.

Every token use is audited when the token is checked; every read of a client's record, program
or outcomes adds a row naming the client and the system."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from backcare.api.auth import SystemToken, system_of
from backcare.api.problems import Problem
from backcare.api.public import MAX_ID
from backcare.api.schemas import (
    AppointmentOut,
    BookIn,
    CancelIn,
    ClientOut,
    ConsentOut,
    GoalOut,
    MoveIn,
    OutcomeOut,
    Physician,
    ProgramOut,
)
from backcare.audit.log import record
from backcare.booking import actions as scheduling
from backcare.booking.models import Appointment
from backcare.care.models import Program
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.outcomes.models import Response

router = Router(tags=["records"])

M = TypeVar("M", bound=models.Model)

READ_ERRORS: dict[int, type[Schema]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 409: Problem, 503: Problem}
MAX_OFFSET = 1_000_000


class ClientPage(Schema):
    count: int
    items: list[ClientOut]


class AppointmentPage(Schema):
    count: int
    items: list[AppointmentOut]


class ProgramPage(Schema):
    count: int
    items: list[ProgramOut]


class OutcomePage(Schema):
    count: int
    items: list[OutcomeOut]


class Paging(Schema):
    """Which part of a list: ``limit`` items from ``offset`` on."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


S = TypeVar("S")


P = TypeVar("P")


def _paged(
    request: HttpRequest,
    rows: models.QuerySet[M],
    paging: Paging,
    out: Callable[[M], S],
    page: Callable[..., P],
    *,
    audit: str = "",
) -> P:
    """The ``page`` of ``rows`` asked for, each as ``out`` makes it, with how many rows there
    are in all; with ``audit``, the read of each row's client is written to the audit log."""
    shown = list(rows[paging.offset : paging.offset + paging.limit])
    if audit:
        _audit_reads(request, audit, shown)
    return page(count=rows.count(), items=[out(row) for row in shown])


def _where(rows: models.QuerySet[M], **filters: object) -> models.QuerySet[M]:
    """``rows`` narrowed by each filter asked for (one that is None or empty is not asked)."""
    return rows.filter(
        **{name: value for name, value in filters.items() if value not in (None, "")}
    )


def _read(
    request: HttpRequest, rows: models.QuerySet[M], pk: int, out: Callable[[M], S], *, audit: str
) -> S:
    """One record by id (or 404) as ``out`` makes it; its read is written to the audit log."""
    found = _get(rows, pk)
    _audit_reads(request, audit, [found])
    return out(found)


def _get(queryset: models.QuerySet[M], pk: int | None, field: str = "") -> M:
    """One record by id, or 404 (a missing id named in a request body is the field's fault)."""
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        if field:
            from backcare.api.public import InvalidParameter

            raise InvalidParameter(field, f"There is no such record ({field} {pk}).")
        raise Http404
    return found


def _audit_reads(request: HttpRequest, action: str, objects: Iterable[models.Model]) -> None:
    system = system_of(request)
    for obj in objects:
        record(None, action, obj, actor_email=system.audit_name)


# --- Clients ----------------------------------------------------------------------------------


def _client_out(client: Client) -> ClientOut:
    return ClientOut(
        id=client.pk,
        first_name=client.first_name,
        last_name=client.last_name,
        date_of_birth=client.date_of_birth,
        email=client.email,
        phone=client.phone,
        address=client.address,
        home_location_id=client.home_location_id,
        physician=Physician(
            name=client.physician_name,
            practice=client.physician_practice,
            phone=client.physician_phone,
            email=client.physician_email,
        ),
        consents=[
            ConsentOut(
                kind=consent.kind,
                version=consent.version,
                given_at=consent.given_at,
                withdrawn_at=consent.withdrawn_at,
            )
            for consent in client.consents.all()
        ],
        created_at=client.created_at,
    )


@router.get(
    "/clients",
    response={200: ClientPage, **READ_ERRORS},
    auth=SystemToken("Patient"),
)
def list_clients(
    request: HttpRequest,
    paging: Query[Paging],
    email: str = Query("", max_length=254, description="Only the client with this email"),  # type: ignore[type-arg]
) -> ClientPage:
    """The clinic's clients, by name."""
    clients = _where(Client.objects.order_by("last_name", "first_name", "pk"), email__iexact=email)
    return _paged(
        request,
        clients.prefetch_related("consents"),
        paging,
        _client_out,
        ClientPage,
        audit="api.client_read",
    )


@router.get(
    "/clients/{client_id}",
    response={200: ClientOut, **READ_ERRORS},
    auth=SystemToken("Patient"),
)
def get_client(request: HttpRequest, client_id: int = Path(..., ge=1, le=MAX_ID)) -> ClientOut:  # type: ignore[type-arg]
    clients = Client.objects.prefetch_related("consents")
    return _read(request, clients, client_id, _client_out, audit="api.client_read")


# --- Appointments -----------------------------------------------------------------------------


def _appointment_out(appointment: Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=appointment.pk,
        client_id=appointment.client_id,
        therapist_id=appointment.therapist_id,
        service_id=appointment.service_id,
        location_id=appointment.location_id,
        room_id=appointment.room_id,
        starts=appointment.starts,
        ends=appointment.ends,
        status=appointment.status,
        late_cancellation=appointment.late_cancellation,
        cancel_reason=appointment.cancel_reason,
        program_id=appointment.program_id,
    )


@router.get(
    "/appointments",
    response={200: AppointmentPage, **READ_ERRORS},
    auth=SystemToken("Appointment"),
)
def list_appointments(
    request: HttpRequest,
    paging: Query[Paging],
    client_id: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
    starts_from: dt.date | None = Query(None, alias="from"),  # type: ignore[type-arg]
    starts_before: dt.date | None = Query(None, alias="before"),  # type: ignore[type-arg]
) -> AppointmentPage:
    """Appointments by start time; ``from`` and ``before`` are days (UTC)."""
    appointments = _where(
        Appointment.objects.order_by("starts", "pk"),
        client_id=client_id,
        starts__date__gte=starts_from,
        starts__date__lt=starts_before,
    )
    return _paged(request, appointments, paging, _appointment_out, AppointmentPage)


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **READ_ERRORS},
    auth=SystemToken("Appointment"),
)
def get_appointment(
    request: HttpRequest,
    appointment_id: int = Path(..., ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> AppointmentOut:
    return _appointment_out(_get(Appointment.objects.all(), appointment_id))


@router.post(
    "/appointments",
    response={201: AppointmentOut, **WRITE_ERRORS},
    auth=SystemToken("Appointment", "write"),
)
def book_appointment(request: HttpRequest, payload: BookIn) -> Status[AppointmentOut]:
    """Book, as the front desk does: every booking rule and the clinical hold apply; a refusal
    says why (409), with the field to change."""
    client = _get(Client.objects.all(), payload.client_id, "client_id")
    service = _get(Service.objects.all(), payload.service_id, "service_id")
    therapist = _get(Therapist.objects.select_related("user"), payload.therapist_id, "therapist_id")
    location = _get(Location.objects.all(), payload.location_id, "location_id")
    room = _get(Room.objects.all(), payload.room_id, "room_id") if payload.room_id else None
    appointment = scheduling.book_appointment(
        None, client, service, therapist, location, payload.starts, room, notes=payload.notes
    )
    return Status(201, _appointment_out(appointment))


@router.post(
    "/appointments/{appointment_id}/move",
    response={200: AppointmentOut, **WRITE_ERRORS},
    auth=SystemToken("Appointment", "write"),
)
def move_appointment(
    request: HttpRequest,
    payload: MoveIn,
    appointment_id: int = Path(..., ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> AppointmentOut:
    """Move to another time (and therapist), with the same rules as booking."""
    appointment = _get(Appointment.objects.all(), appointment_id)
    therapist = (
        _get(Therapist.objects.select_related("user"), payload.therapist_id, "therapist_id")
        if payload.therapist_id
        else None
    )
    room = _get(Room.objects.all(), payload.room_id, "room_id") if payload.room_id else None
    moved = scheduling.reschedule_appointment(
        None, appointment, payload.starts, therapist=therapist, room=room
    )
    return _appointment_out(moved)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **WRITE_ERRORS},
    auth=SystemToken("Appointment", "write"),
)
def cancel_appointment(
    request: HttpRequest,
    payload: CancelIn,
    appointment_id: int = Path(..., ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> AppointmentOut:
    """Cancel, as the clinic: inside the cancellation window it counts as a late cancellation."""
    appointment = _get(Appointment.objects.all(), appointment_id)
    return _appointment_out(scheduling.cancel_appointment(None, appointment, payload.reason))


# --- Programs and outcomes (clinical, read only) ----------------------------------------------


def _program_out(program: Program) -> ProgramOut:
    return ProgramOut(
        id=program.pk,
        client_id=program.client_id,
        therapist_id=program.therapist_id,
        service_id=program.service_id,
        title=program.title,
        template=program.template,
        status=program.status,
        sessions_planned=program.sessions_planned,
        sessions_per_week=program.sessions_per_week,
        started_on=program.started_on,
        ended_on=program.ended_on,
        goals=[
            GoalOut(activity=goal.activity, baseline=goal.baseline, target=goal.target)
            for goal in program.goals.all()
        ],
    )


@router.get(
    "/programs",
    response={200: ProgramPage, **READ_ERRORS},
    auth=SystemToken("CarePlan"),
)
def list_programs(
    request: HttpRequest,
    paging: Query[Paging],
    client_id: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> ProgramPage:
    programs = _where(Program.objects.order_by("pk"), client_id=client_id)
    return _paged(
        request,
        programs.prefetch_related("goals"),
        paging,
        _program_out,
        ProgramPage,
        audit="api.program_read",
    )


@router.get(
    "/programs/{program_id}",
    response={200: ProgramOut, **READ_ERRORS},
    auth=SystemToken("CarePlan"),
)
def get_program(request: HttpRequest, program_id: int = Path(..., ge=1, le=MAX_ID)) -> ProgramOut:  # type: ignore[type-arg]
    programs = Program.objects.prefetch_related("goals")
    return _read(request, programs, program_id, _program_out, audit="api.program_read")


def _outcome_out(response: Response) -> OutcomeOut:
    return OutcomeOut(
        id=response.pk,
        client_id=response.client_id,
        program_id=response.program_id,
        instrument=response.instrument,
        occasion=response.occasion,
        score=response.score,
        collected_at=response.collected_at,
    )


@router.get(
    "/outcomes",
    response={200: OutcomePage, **READ_ERRORS},
    auth=SystemToken("QuestionnaireResponse"),
)
def list_outcomes(
    request: HttpRequest,
    paging: Query[Paging],
    client_id: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
    program_id: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> OutcomePage:
    """Scored outcome questionnaires (pain, PEG, ODI …) by when they were collected."""
    responses = _where(
        Response.objects.order_by("collected_at", "pk"), client_id=client_id, program_id=program_id
    )
    return _paged(request, responses, paging, _outcome_out, OutcomePage, audit="api.outcome_read")


__all__: list[Any] = ["router"]
