"""The demo clinic: an Atlanta practice with two locations (``backcare demo``).

Idempotent: every record is found by a natural key before it is created, so running it twice
changes nothing. Everything is written through the named actions, like real work.
Later features add their part of the demo here, so the demo always shows every feature.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backcare import events
from backcare.accounts.actions import create_login
from backcare.accounts.models import Role, User
from backcare.booking import actions as booking
from backcare.booking.availability import free_slots
from backcare.booking.models import Appointment
from backcare.clinic import actions
from backcare.clinic.models import (
    CareTeamMembership,
    Client,
    Consent,
    ConsentKind,
    Location,
    Room,
    Service,
    Therapist,
)
from backcare.demo import billing as billing_demo
from backcare.demo import history as analytics_demo
from backcare.demo import notes as notes_demo
from backcare.demo import outcomes as outcomes_demo
from backcare.demo import programs as care_demo
from backcare.holds.actions import ClientHeld
from backcare.holds.queries import booking_hold, hold_at
from backcare.intake import actions as intake_actions
from backcare.intake.models import Intake
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.scheduling.actions import add_working_hours
from backcare.scheduling.models import WorkingHours
from backcare.screening.actions import record_clearance, submit_and_screen
from backcare.waitlist.actions import join_waitlist
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import WaitlistEntry

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
        # Counted from the 1st of the month, so 29 February never asks for a missing day.
        born = today.replace(year=today.year - age, day=1) - dt.timedelta(days=rng.randint(1, 360))
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
            actions.record_consents(
                None,
                [
                    Consent(client=client, kind=kind, version="2026.1", given_at=given)
                    for kind in ConsentKind
                ],
            )
        treating = [therapists[index % len(therapists)]]
        if index % 5 == 0:
            treating.append(therapists[(index + 2) % len(therapists)])
        for therapist in treating:
            actions.add_to_care_team(
                None, client, therapist, CareTeamMembership.Reason.ASSIGNED, now
            )
        if index == 0:
            actions.create_client_login(None, client, password=DEMO_PASSWORD)


@dataclass(frozen=True)
class HealthHistory:
    codes: tuple[str, ...] = ()
    nrs_now: int = 5
    duration_weeks: int = 30
    cleared_by: str = ""
    """A physician who has cleared the client, when the screening asks for one."""


# Questionnaires for the first clients, in the order they registered: every screening decision,
# a clearance on file, and a questionnaire still in progress. Clients after these have none yet.
HEALTH_HISTORIES: tuple[HealthHistory | None, ...] = (
    # Alex Rivera, the demo portal login: at 19, new back pain needs a doctor's clearance
    # (SPEC §3), which is on file, so Alex may book online.
    HealthHistory(cleared_by="Dr. Hannah Okafor"),
    HealthHistory(("saddle_numbness", "bladder_dysfunction"), nrs_now=7, duration_weeks=2),
    HealthHistory(("history_of_cancer", "night_pain"), duration_weeks=14),
    HealthHistory(("anticoagulants",), nrs_now=8, cleared_by="Dr. Priya Natarajan"),
    HealthHistory(("pregnancy", "asthma"), nrs_now=4, duration_weeks=16),
    HealthHistory(("osteoporosis",), duration_weeks=52),
    None,  # started the questionnaire and saved it for later
    HealthHistory(("never_seen_doctor",), nrs_now=4, duration_weeks=40),
    HealthHistory(("varicose_veins", "essential_oil_allergy"), duration_weeks=26),
    HealthHistory(),
    HealthHistory(
        ("recent_spinal_surgery",), nrs_now=6, duration_weeks=20, cleared_by="Dr. Marcus Bell"
    ),
    HealthHistory(("epilepsy",), nrs_now=3),
)


def _health_histories(today: dt.date) -> None:
    steps = load_questionnaire().steps
    clients = list(Client.objects.order_by("pk")[: len(HEALTH_HISTORIES)])
    for index, (client, history) in enumerate(zip(clients, HEALTH_HISTORIES, strict=True)):
        if Intake.objects.filter(client=client).exists():
            continue
        intake = intake_actions.start_intake(None, client, Intake.Source.PORTAL)
        answers = answers_for(
            history.codes if history else (),
            nrs_now=history.nrs_now if history else 6,
            duration_weeks=history.duration_weeks if history else 12,
        )
        for step in steps if history else steps[:2]:
            intake_actions.save_step(client.user, intake, step.id, answers)
        if history is None:
            continue
        sent = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=20 - index), dt.time(19, 30))
        )
        screening = submit_and_screen(client.user, intake, at=sent, notify=False)
        if history.cleared_by:
            therapist = client.care_team.select_related("therapist__user").first()
            record_clearance(
                therapist.therapist.user if therapist else None,
                client,
                screening,
                {
                    "physician_name": history.cleared_by,
                    "physician_practice": client.physician_practice,
                    "cleared_on": today - dt.timedelta(days=10 - index // 2),
                    "restrictions": "Gentle pressure only; no deep work over the lower back.",
                },
                at=sent + dt.timedelta(days=9),
            )


# --- A month of appointments and the waitlist ------------------------------------------------

DAYS_BACK = 14
DAYS_AHEAD = 16
PER_SHIFT = 3


def _demo_now(today: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The moment the demo's history runs up to: now when loading for today, else noon then."""
    if today == timezone.localdate():
        return timezone.now()
    return dt.datetime.combine(today, dt.time(12), tzinfo=zone)


def _history_sends_no_email() -> contextlib.AbstractContextManager[None]:
    """The demo writes a month of bookings at once, as history: their confirmations, reminders,
    cancellation notices and waitlist offers would all leave together, weeks late. So, while it
    loads and commits, the scheduling events are not published. (The analytics lose nothing by
    it: every demo program is created, and so refreshed, by events delivered after the load
    commits, when its appointments are all written.)"""
    return events.muted(
        events.AppointmentBooked,
        events.SeriesBooked,
        events.AppointmentRescheduled,
        events.AppointmentCancelled,
        events.SlotFreed,
    )


def _appointments(today: dt.date, now: dt.datetime, front_desk: User) -> None:
    """About three sessions per shift from two weeks back to two weeks ahead, at both locations,
    booked by the front desk a week ahead, for clients screening lets us book (mostly with a
    therapist on their care team). Past sessions were attended, missed or cancelled (one of
    them late, the morning of); a few future ones are cancelled too."""
    if Appointment.objects.exists():
        return
    # Only screened clients, so that past sessions were checked in and treated (SPEC §2a).
    bookable = [c for c in Client.objects.order_by("pk") if hold_at(c, "check_in", today) is None]
    if not bookable:
        return
    standard = Service.objects.get(duration_minutes=60)
    short = Service.objects.get(duration_minutes=30)
    theirs: dict[int, list[Client]] = defaultdict(list)
    for membership in CareTeamMembership.objects.filter(client__in=bookable).order_by("pk"):
        theirs[membership.therapist_id].append(
            next(c for c in bookable if c.pk == membership.client_id)
        )
    shifts = list(
        WorkingHours.objects.select_related("therapist__user", "location").order_by(
            "weekday", "starts", "therapist_id"
        )
    )
    turn: dict[int, int] = defaultdict(int)
    booked: list[Appointment] = []
    for offset in range(-DAYS_BACK, DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        for shift in (s for s in shifts if s.weekday == day.weekday()):
            zone = shift.location.zone
            booked_at = min(
                now, dt.datetime.combine(day, dt.time(8), tzinfo=zone) - dt.timedelta(days=7)
            )
            slots = free_slots(
                standard,
                start_day=day,
                end_day=day,
                now=booked_at,
                location=shift.location,
                therapist=shift.therapist,
                staff=True,
            )
            next_free: dt.datetime | None = None
            taken = 0
            for slot in slots:
                local = slot.start.astimezone(zone).time()
                if taken == PER_SHIFT or not shift.starts <= local < shift.ends:
                    continue
                if next_free is not None and slot.start < next_free:
                    continue
                clients = theirs.get(shift.therapist_id) or bookable
                client = clients[turn[shift.therapist_id] % len(clients)]
                turn[shift.therapist_id] += 1
                service = short if len(booked) % 6 == 5 else standard
                try:
                    appointment = booking.book_appointment(
                        front_desk,
                        client,
                        service,
                        shift.therapist,
                        shift.location,
                        slot.start,
                        now=booked_at,
                    )
                except booking.SchedulingError:
                    continue  # this client is busy then: leave the time free
                booked.append(appointment)
                taken += 1
                next_free = appointment.blocked_until + dt.timedelta(minutes=15 * (taken % 3))
    _outcomes(booked, now, front_desk)
    _booked_before_the_questionnaire(today, now, front_desk, standard)


def _booked_before_the_questionnaire(
    today: dt.date, now: dt.datetime, front_desk: User, service: Service
) -> None:
    """Two clients booked next week before answering the health questions, as clients do: the
    calendar says "Questionnaire not done" until they answer them."""
    waiting = [
        c for c in Client.objects.order_by("pk") if hold_at(c, "check_in", today) is not None
    ]
    unscreened = [c for c in waiting if booking_hold(c, today) is None][:2]
    slots = free_slots(
        service,
        start_day=today + dt.timedelta(days=7),
        end_day=today + dt.timedelta(days=13),
        now=now,
        staff=True,
    )
    for client, slot in zip(unscreened, slots[::7], strict=False):
        with contextlib.suppress(booking.SchedulingError):
            booking.book_appointment(
                front_desk,
                client,
                service,
                Therapist.objects.get(pk=slot.therapist_id),
                Location.objects.get(pk=slot.location_id),
                slot.start,
                now=now,
            )


def _outcomes(booked: list[Appointment], now: dt.datetime, front_desk: User) -> None:
    booked.sort(key=lambda appointment: appointment.starts)
    past = [a for a in booked if a.ends <= now]
    late = past[-1] if past else None
    for index, appointment in enumerate(past):
        starts = appointment.starts
        if appointment is late:
            booking.cancel_appointment(
                front_desk,
                appointment,
                "Called in sick this morning.",
                starts - dt.timedelta(hours=3),
            )
        elif index % 10 == 4:
            booking.mark_no_show(front_desk, appointment, starts + dt.timedelta(minutes=20))
        elif index % 8 == 6:
            booking.cancel_appointment(
                front_desk, appointment, "Out of town that week.", starts - dt.timedelta(days=2)
            )
        else:
            try:
                booking.check_in(front_desk, appointment, starts - dt.timedelta(minutes=10))
            except ClientHeld:
                # Never screened: not checked in, not treated; the desk marked a no-show.
                booking.mark_no_show(front_desk, appointment, starts + dt.timedelta(minutes=20))
                continue
            booking.complete_appointment(front_desk, appointment, appointment.ends)
    for index, appointment in enumerate(a for a in booked if a.ends > now):
        if appointment.starts <= now:
            with contextlib.suppress(ClientHeld):  # waits at the desk for the questionnaire
                booking.check_in(front_desk, appointment, appointment.starts)
        elif index % 9 == 4 and appointment.starts > now + dt.timedelta(days=2):
            booking.cancel_appointment(front_desk, appointment, "Travelling for work.", now)


def _waitlist(today: dt.date, now: dt.datetime, locations: dict[str, Location]) -> None:
    """Alex (the demo portal login) and two others wait for an earlier time. Offers are answered
    signed in, so the other two have portal logins too."""
    if WaitlistEntry.objects.exists():
        return
    standard = Service.objects.get(duration_minutes=60)
    bookable = [c for c in Client.objects.order_by("pk") if booking_hold(c, today) is None]
    wishes = (
        ("alex.rivera@example.com", None, {TimeOfDay.MORNING, TimeOfDay.AFTERNOON}, 3),
        (None, "Midtown", {TimeOfDay.EVENING}, 2),
        (None, "Decatur", set(TimeOfDay), 1),
    )
    others = iter(c for c in reversed(bookable) if c.email != "alex.rivera@example.com")
    for email, place, times, days_ago in wishes:
        client = (
            next((c for c in bookable if c.email == email), None) if email else next(others, None)
        )
        if client is None:
            continue
        if client.user is None:
            client.user = actions.create_client_login(None, client, password=DEMO_PASSWORD)
        location = locations[place] if place else client.home_location or locations["Midtown"]
        member = client.care_team.filter(therapist__locations=location).first()
        join_waitlist(
            client.user,
            client,
            service=standard,
            location=location,
            therapist=member.therapist if member is not None and place == "Midtown" else None,
            earliest=today + dt.timedelta(days=1),
            latest=today + dt.timedelta(days=14),
            times_of_day=times,
            now=now - dt.timedelta(days=days_ago),
        )


def load(today: dt.date | None = None) -> None:
    with _history_sends_no_email():
        _load(today or timezone.localdate())


@transaction.atomic
def _load(today: dt.date) -> None:
    _user("owner@backcare.demo", "Olivia Owens", Role.OWNER)
    front_desk = _user("frontdesk@backcare.demo", "Frank Desmond", Role.FRONT_DESK)
    locations = _locations()
    _services()
    therapists = _therapists(locations)
    billing_demo.prices(locations)  # before any session is attended, and so invoiced
    _clients(locations, therapists, today)
    _health_histories(today)
    now = _demo_now(today, locations["Midtown"].zone)
    _appointments(today, now, front_desk)
    _waitlist(today, now, locations)
    care_demo.load(now)  # after the appointments: a program in every status
    notes_demo.load(now)  # after the programs: notes, a paused program and its alerts
    outcomes_demo.load(now)  # after sessions and notes: check-in pain, reassessments, discharges
    analytics_demo.load(now)  # ten months of finished programs before the month
    billing_demo.load(now, front_desk)  # last: every session is invoiced; the payments
