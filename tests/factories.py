"""Factories for the clinic's people and places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import factory
from django.utils import timezone

from backcare.accounts.models import Role, User
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.scheduling.models import Break, Closure, TimeOff, WorkingHours

if TYPE_CHECKING:
    from backcare.screening.models import Screening

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.FRONT_DESK
    password = factory.django.Password(PASSWORD)


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Location {n}")
    address_line1 = "1100 Peachtree St NE"
    city = "Atlanta"
    state = "GA"
    postal_code = "30309"
    time_zone = "America/New_York"


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class TherapistFactory(factory.django.DjangoModelFactory[Therapist]):
    class Meta:
        model = Therapist

    user = factory.SubFactory(UserFactory, role=Role.THERAPIST)
    licence_number = factory.Sequence(lambda n: f"MT{n:06d}")
    licence_state = "GA"
    techniques = factory.LazyFunction(lambda: ["swedish", "deep_tissue"])


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1975, 5, 17)
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = "(404) 555-0100"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Back massage {n}")
    duration_minutes = 60
    buffer_after_minutes = 15
    price = Decimal("95.00")
    techniques = factory.LazyFunction(lambda: ["swedish"])


def treat(therapist: Therapist, client: Client) -> CareTeamMembership:
    return CareTeamMembership.objects.create(
        client=client,
        therapist=therapist,
        reason=CareTeamMembership.Reason.ASSIGNED,
        added_at=timezone.now(),
    )


def screened(
    client: Client,
    codes: Iterable[str] = (),
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
    **answers: Any,
) -> Screening:
    """Fill in and send the client's questionnaire so that it yields ``codes``; the screening."""
    from backcare.intake.actions import save_step, start_intake
    from backcare.intake.models import Intake
    from backcare.intake.questionnaire import answers_for, load_questionnaire
    from backcare.screening.actions import submit_and_screen

    intake = start_intake(actor, client, Intake.Source.STAFF)
    full = answers_for(codes, **answers)
    for step in load_questionnaire().steps:
        save_step(actor, intake, step.id, full)
    return submit_and_screen(actor, intake, at=at or timezone.now())


# --- Scheduling -------------------------------------------------------------------------------


class WorkingHoursFactory(factory.django.DjangoModelFactory[WorkingHours]):
    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(TherapistFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    starts = dt.time(9)
    ends = dt.time(17)


class TimeOffFactory(factory.django.DjangoModelFactory[TimeOff]):
    class Meta:
        model = TimeOff

    therapist = factory.SubFactory(TherapistFactory)
    starts = dt.datetime(2026, 6, 1, 13, 0, tzinfo=dt.UTC)
    ends = factory.LazyAttribute(lambda o: o.starts + dt.timedelta(hours=8))
    reason = "Training course"


class ClosureFactory(factory.django.DjangoModelFactory[Closure]):
    class Meta:
        model = Closure

    location = None
    starts_on = dt.date(2026, 11, 26)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
    name = "Thanksgiving"


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    """A program from the chronic low back pain template, written straight to the table (no
    screening gate): give it a client, a therapist, a service and the screening behind it."""

    class Meta:
        model = Program

    template = "chronic_low_back_pain"
    title = "Chronic low back pain — 10 weekly 60-minute sessions"
    sessions_planned = 10
    sessions_per_week = 1
    reassessment_sessions = factory.LazyFunction(lambda: [4, 10])
    techniques = factory.LazyFunction(lambda: ["swedish"])
    status = "draft"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda o: o.created_at)


class AppointmentFactory(factory.django.DjangoModelFactory[Appointment]):
    """An appointment written straight to the table, as if booked earlier: no checks."""

    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(TherapistFactory)
    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(LocationFactory)
    room = None
    starts = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)
    ends = factory.LazyAttribute(
        lambda o: o.starts + dt.timedelta(minutes=o.service.duration_minutes)
    )
    blocked_until = factory.LazyAttribute(
        lambda o: o.ends + dt.timedelta(minutes=o.service.buffer_after_minutes)
    )
    status = AppointmentStatus.BOOKED
    booked_at = factory.LazyFunction(timezone.now)


def weekly_hours(
    therapist: Therapist,
    location: Location,
    weekdays: Iterable[int] = range(5),
    starts: dt.time = dt.time(9),
    ends: dt.time = dt.time(17),
    breaks: Iterable[tuple[dt.time, dt.time]] = (),
) -> list[WorkingHours]:
    """The same hours (and breaks) on each of `weekdays` (0 = Monday), at a location they join."""
    therapist.locations.add(location)
    rows = []
    for weekday in weekdays:
        hours = WorkingHoursFactory.create(
            therapist=therapist, location=location, weekday=weekday, starts=starts, ends=ends
        )
        for break_starts, break_ends in breaks:
            Break.objects.create(hours=hours, starts=break_starts, ends=break_ends)
        rows.append(hours)
    return rows


def possible_injury(client: Client, at: dt.datetime | None = None) -> Any:
    """An open "possible injury" alert about ``client``: it holds their care (booking, moving,
    check-in) until a therapist acts on it."""
    from backcare.notes.models import Alert

    return Alert.objects.create(
        client=client,
        kind="possible_injury",
        message="Possible injury: the client should consult a doctor.",
        source="The clinic's precaution.",
        opened_at=at or timezone.now(),
    )


def running_program(client: Client, therapist: Therapist, service: Service, **fields: Any) -> Any:
    """An active program for ``client`` with ``therapist``, after a screening that allows it."""
    values: dict[str, Any] = {
        "client": client,
        "therapist": therapist,
        "service": service,
        "screening": screened(client, []),
        "status": "active",
    }
    values.update(fields)
    return ProgramFactory.create(**values)
