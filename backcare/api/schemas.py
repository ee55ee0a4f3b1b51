"""What the API reads and writes, as pydantic schemas (and so in the OpenAPI document)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import AwareDatetime


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: str = Field(description="In the clinic's currency, e.g. '95.00'")


class LocationOut(Schema):
    id: int
    name: str
    address: str
    city: str
    state: str
    postal_code: str
    phone: str
    time_zone: str


class FreeTime(Schema):
    starts: dt.datetime
    ends: dt.datetime
    therapist_id: int
    therapist_name: str
    book_url: str = Field(description="Where the client confirms this time (signs in first)")


class Availability(Schema):
    location_id: int
    service_id: int
    time_zone: str
    from_date: dt.date
    to_date: dt.date
    free_times: list[FreeTime]


class Physician(Schema):
    name: str
    practice: str
    phone: str
    email: str


class ConsentOut(Schema):
    kind: str
    version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    email: str
    phone: str
    address: str
    home_location_id: int | None
    physician: Physician
    consents: list[ConsentOut]
    created_at: dt.datetime


class AppointmentOut(Schema):
    id: int
    client_id: int
    therapist_id: int
    service_id: int
    location_id: int
    room_id: int | None
    starts: dt.datetime
    ends: dt.datetime
    status: str
    late_cancellation: bool
    cancel_reason: str
    program_id: int | None


class BookIn(Schema):
    client_id: int
    service_id: int
    therapist_id: int
    location_id: int
    starts: AwareDatetime = Field(description="With its offset, e.g. 2026-03-10T14:00:00-05:00")
    room_id: int | None = None
    notes: str = Field("", max_length=2000)


class MoveIn(Schema):
    starts: AwareDatetime
    therapist_id: int | None = None
    room_id: int | None = None


class CancelIn(Schema):
    reason: str = Field("", max_length=500)


class GoalOut(Schema):
    activity: str
    baseline: int | None
    target: int


class ProgramOut(Schema):
    id: int
    client_id: int
    therapist_id: int
    service_id: int
    title: str
    template: str
    status: str
    sessions_planned: int
    sessions_per_week: int
    started_on: dt.date | None
    ended_on: dt.date | None
    goals: list[GoalOut]


class OutcomeOut(Schema):
    id: int
    client_id: int
    program_id: int | None
    instrument: str
    occasion: str
    score: float
    collected_at: dt.datetime
