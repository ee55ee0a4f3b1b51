"""The demo clinic: an Atlanta practice with two locations (``backcare demo``).

Idempotent: every record is found by a natural key before it is created, so running it twice
changes nothing. Everything is written through the named actions, like real work.
Later features add their part of the demo here, so the demo always shows every feature.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backcare.accounts.actions import create_login
from backcare.accounts.models import Role, User
from backcare.clinic import actions
from backcare.clinic.models import (
    CareTeamMembership,
    Client,
    ConsentKind,
    Location,
    Room,
    Service,
    Therapist,
)
from backcare.scheduling.actions import add_working_hours

DEMO_PASSWORD = "backcare-demo"  # noqa: S105 - printed for the demo; never used in production


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD


LOGINS = (
    DemoLogin("owner", "owner@backcare.demo"),
    DemoLogin("front desk", "frontdesk@backcare.demo"),
    DemoLogin("therapist", "maya.thompson@backcare.demo"),
    DemoLogin("client", "alex.rivera@example.com"),
)

LOCATIONS = (
    {
        "name": "Midtown",
        "address_line1": "1100 Peachtree St NE",
        "address_line2": "Suite 210",
        "city": "Atlanta",
        "state": "GA",
        "postal_code": "30309",
        "phone": "(404) 555-0142",
        "rooms": ("Magnolia", "Dogwood", "Peach"),
    },
    {
        "name": "Decatur",
        "address_line1": "315 W Ponce de Leon Ave",
        "address_line2": "",
        "city": "Decatur",
        "state": "GA",
        "postal_code": "30030",
        "phone": "(404) 555-0178",
        "rooms": ("Oak", "Willow"),
    },
)

SERVICES = (
    (
        "Back massage — 30 minutes",
        30,
        10,
        "55.00",
        ["swedish", "trigger_point"],
        "A focused session on the lower back, for a check-in or a short follow-up.",
    ),
    (
        "Back massage — 60 minutes",
        60,
        15,
        "95.00",
        ["swedish", "deep_tissue", "myofascial_release", "trigger_point", "medical"],
        "The program session: lower back, hips and glutes, with home-care advice.",
    ),
    (
        "Back massage — 90 minutes",
        90,
        15,
        "135.00",
        ["swedish", "deep_tissue", "myofascial_release", "trigger_point", "medical", "sports"],
        "A longer session for the back, hips and legs when pain spreads.",
    ),
)

# name, licence, techniques, {location: [(weekday, start, end, break)]}
Shift = tuple[int, str, str, tuple[str, str] | None]
THERAPISTS: tuple[tuple[str, str, list[str], dict[str, list[Shift]]], ...] = (
    (
        "Maya Thompson",
        "MT004211",
        ["swedish", "deep_tissue", "myofascial_release", "trigger_point", "medical"],
        {
            "Midtown": [
                (0, "09:00", "17:00", ("12:30", "13:15")),
                (2, "09:00", "17:00", ("12:30", "13:15")),
                (4, "09:00", "15:00", None),
            ]
        },
    ),
    (
        "Daniel Okafor",
        "MT005377",
        ["swedish", "sports", "deep_tissue", "trigger_point"],
        {
            "Midtown": [
                (1, "11:00", "19:00", ("14:30", "15:00")),
                (3, "11:00", "19:00", ("14:30", "15:00")),
            ],
            "Decatur": [(5, "09:00", "14:00", None)],
        },
    ),
    (
        "Priya Raman",
        "MT006102",
        ["swedish", "lymphatic_drainage", "aromatherapy", "myofascial_release"],
        {
            "Decatur": [
                (0, "08:00", "16:00", ("12:00", "12:45")),
                (1, "08:00", "16:00", ("12:00", "12:45")),
                (3, "08:00", "12:00", None),
            ]
        },
    ),
    (
        "Marcus Bell",
        "MT003948",
        ["deep_tissue", "sports", "medical", "trigger_point"],
        {
            "Midtown": [
                (2, "12:00", "20:00", ("16:00", "16:30")),
                (4, "12:00", "20:00", ("16:00", "16:30")),
            ],
            "Decatur": [(6, "10:00", "15:00", None)],
        },
    ),
    (
        "Elena García",
        "MT007215",
        ["swedish", "medical", "myofascial_release", "lymphatic_drainage"],
        {
            "Decatur": [
                (2, "09:00", "17:00", ("13:00", "13:30")),
                (4, "09:00", "17:00", ("13:00", "13:30")),
            ]
        },
    ),
    (
        "Jordan Lee",
        "MT008830",
        ["swedish", "aromatherapy", "trigger_point"],
        {
            "Midtown": [
                (0, "13:00", "20:00", None),
                (3, "09:00", "13:00", None),
                (5, "10:00", "16:00", ("13:00", "13:30")),
            ]
        },
    ),
)

FIRST_NAMES = (
    "Alex",
    "Jordan",
    "Taylor",
    "Morgan",
    "Keisha",
    "Luis",
    "Hannah",
    "Grace",
    "Samuel",
    "Olivia",
    "Darnell",
    "Rosa",
    "Ethan",
    "Aisha",
    "Walter",
    "Linda",
    "Mei",
    "Carlos",
    "Brenda",
    "Tyrone",
    "Nora",
    "Victor",
    "Joyce",
    "Imani",
    "Frank",
    "Diana",
    "Kevin",
    "Sofia",
    "Raymond",
    "Tanya",
    "Hector",
    "Patricia",
    "Andre",
    "Ruth",
    "Jamal",
    "Esther",
    "Brian",
    "Yolanda",
    "Paul",
    "Chloe",
)
LAST_NAMES = (
    "Rivera",
    "Brooks",
    "Nguyen",
    "Patel",
    "Johnson",
    "Hernández",
    "Schmidt",
    "Kim",
    "Adeyemi",
    "Walker",
    "Coleman",
    "Ortiz",
    "Fischer",
    "Rahman",
    "Greene",
    "Foster",
    "Chen",
    "Moreno",
    "Hughes",
    "Jackson",
    "Bishop",
    "Novak",
    "Sutton",
    "Mensah",
    "Dalton",
    "Reyes",
    "O'Brien",
    "Costa",
    "Pierce",
    "Howard",
    "Vargas",
    "Lambert",
    "Mitchell",
    "Stein",
    "Bryant",
    "Cohen",
    "Murphy",
    "Banks",
    "Klein",
    "Dubois",
)
STREETS = ("Oak", "Elm", "Juniper", "Ponce", "Peachtree")
PHYSICIANS = (
    ("Dr. Angela Harris", "Piedmont Primary Care", "(404) 555-0110", "aharris@piedmont-pc.example"),
    ("Dr. Robert Kim", "Emory Family Medicine", "(404) 555-0125", "rkim@emoryfm.example"),
    (
        "Dr. Lisa Moreno",
        "Decatur Internal Medicine",
        "(404) 555-0190",
        "lmoreno@decatur-im.example",
    ),
    ("", "", "", ""),
)


def _hm(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def _user(email: str, full_name: str, role: Role) -> User:
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return create_login(None, email=email, full_name=full_name, role=role, password=DEMO_PASSWORD)


def _locations() -> dict[str, Location]:
    found: dict[str, Location] = {}
    for spec in LOCATIONS:
        data = {key: value for key, value in spec.items() if key != "rooms"}
        location = Location.objects.filter(name=data["name"]).first() or actions.create_location(
            None, data
        )
        for room_name in spec["rooms"]:
            if not Room.objects.filter(location=location, name=room_name).exists():
                actions.create_room(None, {"location": location, "name": room_name})
        found[location.name] = location
    return found


def _services() -> None:
    for name, minutes, buffer, price, techniques, description in SERVICES:
        if not Service.objects.filter(name=name).exists():
            actions.create_service(
                None,
                {
                    "name": name,
                    "duration_minutes": minutes,
                    "buffer_after_minutes": buffer,
                    "price": Decimal(price),
                    "techniques": techniques,
                    "description": description,
                    "needs_room": True,
                },
            )


def _therapists(locations: dict[str, Location]) -> list[Therapist]:
    therapists = []
    for full_name, licence, techniques, schedule in THERAPISTS:
        email = full_name.lower().replace(" ", ".").replace("í", "i") + "@backcare.demo"
        therapist = Therapist.objects.filter(user__email=email).first()
        if therapist is None:
            therapist = actions.create_therapist(
                None,
                email=email,
                full_name=full_name,
                password=DEMO_PASSWORD,
                data={"licence_number": licence, "licence_state": "GA", "techniques": techniques},
                locations=[locations[name] for name in schedule],
            )
            for location_name, days in schedule.items():
                for weekday, starts, ends, pause in days:
                    add_working_hours(
                        None,
                        therapist,
                        locations[location_name],
                        weekday,
                        _hm(starts),
                        _hm(ends),
                        ((_hm(pause[0]), _hm(pause[1])),) if pause else (),
                    )
        therapists.append(therapist)
    return therapists


def _clients(locations: dict[str, Location], therapists: list[Therapist], today: dt.date) -> None:
    rng = random.Random(20261124)  # noqa: S311 - demo data, not security
    location_list = list(locations.values())
    now = timezone.now()
    for index, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
        email = (
            f"{first}.{last}".lower().replace("'", "").replace("á", "a").replace("é", "e")
            + "@example.com"
        )
        if Client.objects.filter(email=email).exists():
            continue
        age = 19 + (index * 37) % 62  # 19 … 80, spread out
        born = today.replace(year=today.year - age) - dt.timedelta(days=rng.randint(1, 360))
        physician = PHYSICIANS[index % len(PHYSICIANS)]
        client = actions.register_client(
            None,
            {
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "email": email,
                "phone": f"(404) 555-{1000 + index * 37:04d}",
                "address": f"{100 + index * 13} {rng.choice(STREETS)} St, Atlanta, GA",
                "home_location": location_list[index % 2],
                "emergency_contact_name": f"{rng.choice(FIRST_NAMES)} {last}",
                "emergency_contact_relationship": rng.choice(
                    ["spouse", "partner", "sister", "son", "friend"]
                ),
                "emergency_contact_phone": f"(678) 555-{2000 + index * 41:04d}",
                "physician_name": physician[0],
                "physician_practice": physician[1],
                "physician_phone": physician[2],
                "physician_email": physician[3],
                "contact_by_sms": index % 3 == 0,
            },
        )
        if index % 7 != 6:  # a few clients have not signed their consents yet
            given = now - dt.timedelta(days=rng.randint(3, 120))
            for kind in ConsentKind:
                actions.record_consent(None, client, kind, "2026.1", given)
        treating = [therapists[index % len(therapists)]]
        if index % 5 == 0:
            treating.append(therapists[(index + 2) % len(therapists)])
        for therapist in treating:
            actions.add_to_care_team(
                None, client, therapist, CareTeamMembership.Reason.ASSIGNED, now
            )
        if index == 0:
            actions.create_client_login(None, client, password=DEMO_PASSWORD)


@transaction.atomic
def load(today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    _user("owner@backcare.demo", "Olivia Owens", Role.OWNER)
    _user("frontdesk@backcare.demo", "Frank Desmond", Role.FRONT_DESK)
    locations = _locations()
    _services()
    therapists = _therapists(locations)
    _clients(locations, therapists, today)
