"""The benchmark clinic, written with ``bulk_create``: 5 locations in 5 time zones, 10
therapists and 10 rooms each, 100,000 appointments, and 100 clients who race for 10 free slots.

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
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from backcare.accounts.models import Role, User
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    Break,
    WorkingHours,
)

TOTAL_APPOINTMENTS = 100_000
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
THERAPISTS_PER_LOCATION = 10
CLIENTS_PER_LOCATION = 400
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
