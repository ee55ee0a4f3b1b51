"""The benchmark clinic, written with ``bulk_create``: 5 locations in 5 time zones, 10
therapists and 10 rooms each, 10,000 clients, 100,000 appointments, and 100 clients who race for
10 free slots. ``build_records`` adds what a year of work leaves behind (the page sweep's
clinic): a signed note and a check-in for every attended session, the pain given at each
check-in, and the audit rows of all that.

Every therapist works Monday to Saturday, 09:00-17:15 local time with a break 12:45-13:30, in
six back-to-back sessions (60 minutes plus a 15-minute buffer): 09:00, 10:15, 11:30, 13:30,
14:45, 16:00, each in the therapist's own room. Past days are 90% full; the next 16 days are
60% full, except the race days, which are full at the first two locations but for one session
per therapist there (10 in all, at times that never share a room), so each race day has
exactly 10 bookable slots there. No therapist, room or client is ever double-booked, so the
data satisfies PostgreSQL's exclusion constraints.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.utils import timezone

from backcare.accounts.models import Role, User
from backcare.audit.log import object_type
from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.notes.models import CheckIn, SessionNote
from backcare.outcomes import catalogue
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.scoring import score
from backcare.scheduling.models import BookingPolicy, Break, WorkingHours

# BENCH_APPOINTMENTS: fewer, for a quick try of the benchmark's code (its numbers mean little).
TOTAL_APPOINTMENTS = int(os.environ.get("BENCH_APPOINTMENTS", "100000"))
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
THERAPISTS_PER_LOCATION = 10
CLIENTS_PER_LOCATION = 2_000
RACERS = 100
SESSIONS = (
    dt.time(9),
    dt.time(10, 15),
    dt.time(11, 30),
    dt.time(13, 30),
    dt.time(14, 45),
    dt.time(16),
)
HOURS = (dt.time(9), dt.time(17, 15))
BREAK = (dt.time(12, 45), dt.time(13, 30))
DAYS_AHEAD = 16
RACE_ROUNDS = 3
# The race's 10 holes: (location index, therapist index there, session index).
HOLES = tuple((0, t, t) for t in range(6)) + tuple((1, t, t) for t in range(4))


@dataclass(frozen=True)
class Clinic:
    service: Service
    locations: list[Location]
    therapists: list[list[Therapist]]  # per location
    racers: list[Client]
    race_days: list[dt.date]


def build(now: dt.datetime, seed: int = 2026) -> Clinic:
    rng = random.Random(seed)
    BookingPolicy.current()
    service = Service.objects.create(
        name="Back massage — 60 minutes",
        duration_minutes=60,
        buffer_after_minutes=15,
        price=Decimal("95.00"),
        techniques=["swedish"],
        needs_room=True,
    )
    locations = Location.objects.bulk_create(
        Location(
            name=f"Clinic {index + 1}",
            address_line1=f"{100 + index} Main St",
            city="Springfield",
            state="GA",
            postal_code="30309",
            time_zone=zone,
        )
        for index, zone in enumerate(ZONES)
    )
    rooms = Room.objects.bulk_create(
        Room(location=place, name=f"Room {r + 1}")
        for place in locations
        for r in range(THERAPISTS_PER_LOCATION)
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"therapist{index}@bench.example",
            full_name=f"Therapist {index:02d}",
            role=Role.THERAPIST,
            password=password,
        )
        for index in range(len(locations) * THERAPISTS_PER_LOCATION)
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(
            user=user,
            licence_number=f"MT{index:06d}",
            licence_state="GA",
            techniques=["swedish", "deep_tissue"],
        )
        for index, user in enumerate(users)
    )
    by_location = [
        therapists[i * THERAPISTS_PER_LOCATION : (i + 1) * THERAPISTS_PER_LOCATION]
        for i in range(len(locations))
    ]
    Therapist.locations.through.objects.bulk_create(
        Therapist.locations.through(therapist_id=t.pk, location_id=place.pk)
        for place, team in zip(locations, by_location, strict=True)
        for t in team
    )
    hours = WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, location=place, weekday=weekday, starts=HOURS[0], ends=HOURS[1])
        for place, team in zip(locations, by_location, strict=True)
        for t in team
        for weekday in range(6)
    )
    Break.objects.bulk_create(Break(hours=h, starts=BREAK[0], ends=BREAK[1]) for h in hours)
    clients = Client.objects.bulk_create(
        Client(
            first_name="Client",
            last_name=f"{index:05d}",
            date_of_birth=dt.date(1980, 1, 1),
            email=f"client{index}@bench.example",
            contact_by_email=False,
        )
        for index in range(len(locations) * CLIENTS_PER_LOCATION)
    )
    racer_users = User.objects.bulk_create(
        User(
            email=f"racer{index}@bench.example",
            full_name=f"Racer {index:03d}",
            role=Role.CLIENT,
            password=password,
        )
        for index in range(RACERS)
    )
    racers = Client.objects.bulk_create(
        Client(
            user=user,
            first_name="Racer",
            last_name=f"{index:03d}",
            date_of_birth=dt.date(1980, 1, 1),
            email=user.email,
            contact_by_email=True,  # a booking queues its confirmation, as in life
        )
        for index, user in enumerate(racer_users)
    )

    today = timezone.localdate(now)
    race_days = [
        day
        for day in (today + dt.timedelta(days=offset) for offset in range(2, 12))
        if day.weekday() < 6
    ][:RACE_ROUNDS]
    holes = {
        (locations[place].pk, by_location[place][t].pk, session) for place, t, session in HOLES
    }
    room_of = {
        t.pk: rooms[p * THERAPISTS_PER_LOCATION + i].pk
        for p, team in enumerate(by_location)
        for i, t in enumerate(team)
    }

    def day_appointments(day: dt.date, day_index: int) -> list[Appointment]:
        if day.weekday() == 6:
            return []
        future = day >= today
        racing = day in race_days
        made = []
        for p, (place, team) in enumerate(zip(locations, by_location, strict=True)):
            zone = ZoneInfo(place.time_zone)
            for i, therapist in enumerate(team):
                for s, session in enumerate(SESSIONS):
                    if racing and p < 2:
                        if (place.pk, therapist.pk, s) in holes:
                            continue
                    elif rng.random() > (0.6 if future else 0.9):
                        continue
                    starts = dt.datetime.combine(day, session, tzinfo=zone).astimezone(dt.UTC)
                    # Within a location every session starts at the same moment for everyone,
                    # so distinct clients per (location, session) mean no client clash.
                    client = clients[
                        p * CLIENTS_PER_LOCATION
                        + (i + day_index * 7 + s * 31) % CLIENTS_PER_LOCATION
                    ]
                    roll = rng.random()
                    status = (
                        AppointmentStatus.BOOKED
                        if future
                        else AppointmentStatus.CANCELLED
                        if roll < 0.07
                        else AppointmentStatus.NO_SHOW
                        if roll < 0.12
                        else AppointmentStatus.COMPLETED
                    )
                    made.append(
                        Appointment(
                            client=client,
                            therapist=therapist,
                            room_id=room_of[therapist.pk],
                            service=service,
                            location=place,
                            starts=starts,
                            ends=starts + dt.timedelta(minutes=60),
                            blocked_until=starts + dt.timedelta(minutes=75),
                            status=status,
                            booked_at=starts - dt.timedelta(days=7),
                        )
                    )
        return made

    pending: list[Appointment] = []
    for offset in range(DAYS_AHEAD):
        pending += day_appointments(today + dt.timedelta(days=offset), offset)
    back = 1
    while len(pending) < TOTAL_APPOINTMENTS:
        pending += day_appointments(today - dt.timedelta(days=back), -back)
        back += 1
    Appointment.objects.bulk_create(pending[:TOTAL_APPOINTMENTS], batch_size=5000)
    return Clinic(service, list(locations), by_location, list(racers), race_days)


def hole_starts(clinic: Clinic, day: dt.date) -> list[tuple[Location, Therapist, dt.datetime]]:
    """The 10 bookable slots of a race day: (location, therapist, start in UTC)."""
    found = []
    for place_index, t, session in HOLES:
        place = clinic.locations[place_index]
        local = dt.datetime.combine(day, SESSIONS[session], tzinfo=ZoneInfo(place.time_zone))
        found.append((place, clinic.therapists[place_index][t], local.astimezone(dt.UTC)))
    return found


@dataclass(frozen=True)
class Contended:
    """A small location where every booking competes for a therapist and a room at once."""

    location: Location
    therapists: list[Therapist]
    racers: list[Client]


CONTENDED_RACERS = 60


def build_contended(service: Service) -> Contended:
    """Three therapists and three rooms, open every day 09:00-17:00 with nothing booked, and
    60 signed-up clients: the race of issue 18, over the big clinic's database."""
    place = Location.objects.create(
        name="Contended",
        address_line1="1 Rush St",
        city="Springfield",
        state="GA",
        postal_code="30309",
        time_zone="America/New_York",
    )
    Room.objects.bulk_create(Room(location=place, name=f"Rush room {r + 1}") for r in range(3))
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"rush-therapist{index}@bench.example",
            full_name=f"Rush Therapist {index}",
            role=Role.THERAPIST,
            password=password,
        )
        for index in range(3)
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(
            user=user,
            licence_number=f"RT{index:06d}",
            licence_state="GA",
            techniques=["swedish", "deep_tissue"],
        )
        for index, user in enumerate(users)
    )
    for therapist in therapists:
        therapist.locations.add(place)
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, location=place, weekday=d, starts=HOURS[0], ends=HOURS[1])
        for t in therapists
        for d in range(7)
    )
    racer_users = User.objects.bulk_create(
        User(
            email=f"rusher{index}@bench.example",
            full_name=f"Rusher {index:03d}",
            role=Role.CLIENT,
            password=password,
        )
        for index in range(CONTENDED_RACERS)
    )
    racers = Client.objects.bulk_create(
        Client(
            user=user,
            first_name="Rusher",
            last_name=f"{index:03d}",
            date_of_birth=dt.date(1980, 1, 1),
            email=user.email,
            contact_by_email=True,
        )
        for index, user in enumerate(racer_users)
    )
    return Contended(place, list(therapists), list(racers))


BATCH = 5000


def build_records(clinic: Clinic) -> dict[str, int]:
    """What every attended (completed) session of the clinic leaves behind: ``attended``."""
    return attended(Appointment.objects.filter(status=AppointmentStatus.COMPLETED))


def attended(appointments: QuerySet[Appointment]) -> dict[str, int]:
    """For each of these sessions: the client's check-in at the desk with the pain they gave,
    that pain as an NRS response, the therapist's signed note, and the audit rows of the
    check-in and the signing (chained as any audit rows are). Returns the counts. Also what the
    page query-count test grows its clinic with (tests/test_page_queries.py)."""
    rng = random.Random(17)
    nrs = catalogue.instruments()["nrs"]
    scored = {value: score(nrs, [value]) for value in range(11)}
    signer = dict(Therapist.objects.values_list("pk", "user_id"))
    counts = {"check_ins": 0, "notes": 0, "responses": 0, "audit_rows": 0}
    rows = list(
        appointments.order_by("starts").values_list(
            "pk", "client_id", "therapist_id", "starts", "ends"
        )
    )
    for first in range(0, len(rows), BATCH):
        check_ins, notes, responses, events = [], [], [], []
        for pk, client_id, therapist_id, starts, ends in rows[first : first + BATCH]:
            before = rng.randint(3, 7)
            after = max(0, before - rng.randint(0, 3))
            arrived = starts - dt.timedelta(minutes=10)
            check_ins.append(
                CheckIn(
                    appointment_id=pk,
                    client_id=client_id,
                    source=CheckIn.Source.DESK,
                    nrs=before,
                    health_changed=False,
                    checked_in_at=arrived,
                )
            )
            responses.append(
                Response(
                    client_id=client_id,
                    instrument="nrs",
                    answers=[before],
                    score=scored[before].score,
                    details=scored[before].to_dict(),
                    occasion=Occasion.CHECK_IN,
                    appointment_id=pk,
                    collected_at=arrived,
                )
            )
            notes.append(
                SessionNote(
                    appointment_id=pk,
                    client_id=client_id,
                    therapist_id=therapist_id,
                    subjective="Low back stiff after a long week at the desk.",
                    pre_nrs=before,
                    findings="Tight lumbar paraspinals, left more than right.",
                    areas=["lower_back_left", "lower_back_right"],
                    techniques=[{"code": "swedish", "minutes": 50, "pressure": 3}],
                    tissue_response="relaxed",
                    post_nrs=after,
                    plan="Continue weekly; walking daily.",
                    created_at=ends,
                    saved_at=ends,
                    signed_at=ends + dt.timedelta(minutes=5),
                    signed_by_id=signer[therapist_id],
                )
            )
            for action, at, actor in (
                ("appointment.checked_in", arrived, None),
                ("note.signed", ends + dt.timedelta(minutes=5), signer[therapist_id]),
            ):
                events.append(
                    AuditEvent(
                        at=at,
                        actor_id=actor,
                        action=action,
                        object_type=object_type(Appointment),
                        object_id=str(pk),
                        client_id=client_id,
                    )
                )
        CheckIn.objects.bulk_create(check_ins)
        Response.objects.bulk_create(responses)
        SessionNote.objects.bulk_create(notes)
        AuditEvent.objects.bulk_create(events)
        counts["check_ins"] += len(check_ins)
        counts["notes"] += len(notes)
        counts["responses"] += len(responses)
        counts["audit_rows"] += len(events)
    return counts


def people(clinic: Clinic) -> Any:
    """The access matrix's people (tests/conftest.py's ``Clinic``) in the benchmark clinic: an
    owner and Fran at the desk; Tess, the first therapist of the first location, who treats
    Alice; Theo, who works at the second; Alice and Bob, two of the 10,000 clients, with
    logins; the first location, Tess's room and the 60-minute service."""
    from tests import factories
    from tests.conftest import Clinic as People

    def login(client: Client, full_name: str) -> Client:
        client.user = factories.UserFactory.create(
            email=client.email, full_name=full_name, role=Role.CLIENT
        )
        client.save(update_fields=["user"])
        return client

    tess = clinic.therapists[0][0]
    alice = login(Client.objects.get(email="client0@bench.example"), "Client 00000")
    factories.treat(tess, alice)
    return People(
        owner=factories.UserFactory.create(
            email="owner@bench.example",
            full_name="Olivia Owner",
            role=Role.OWNER,
            is_staff=True,
            is_superuser=True,
        ),
        front_desk=factories.UserFactory.create(email="fran@bench.example", full_name="Fran Desk"),
        tess=tess,
        theo=clinic.therapists[1][0],
        alice=alice,
        bob=login(Client.objects.get(email="client1@bench.example"), "Client 00001"),
        location=clinic.locations[0],
        room=Room.objects.filter(location=clinic.locations[0]).order_by("pk")[0],
        service=clinic.service,
    )
