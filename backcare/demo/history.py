"""The demo clinic's history, for the clinic analytics (``backcare demo``).

The rest of the demo is a month around today; the analytics page looks back a year. So this adds
the programs the clinic finished over the past ten months: three dozen clients with chronic low
back pain, at both locations, with every therapist and under every program template. Each
client registers, answers the intake (which screens clean and records the baseline NRS, PEG and
PSFS), and gets a program that their therapist starts, books in two blocks (up to the first
reassessment, then the rest) and ends: mostly completed, some discharged early (feeling better,
or dropping out) and a couple referred out at the reassessment. Sessions are attended, missed or
cancelled (a few late); each attended one has the pain the client gave at check-in and a signed
note, and the reassessment and discharge answers follow the client's course of pain.

Everything is written through the actions real work uses, with the moment passed in (``now=``)
as the rest of the demo does, before the month of appointments begins. A note whose signing
would open an alert (a "not responding" reassessment) is not written, so the history sends
nobody an email. Deterministic, and loading again changes nothing: a client already registered
(by email) is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from backcare.accounts.models import User
from backcare.booking import actions as booking
from backcare.booking.models import Appointment
from backcare.care import actions as care
from backcare.care.models import Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.actions import register_client
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.demo.outcomes import record_answers
from backcare.holds.queries import standing
from backcare.intake import actions as intake_actions
from backcare.intake.models import Intake
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.notes import actions as notes
from backcare.notes import monitor
from backcare.outcomes.actions import record_response
from backcare.outcomes.models import Occasion
from backcare.scheduling.calendar_days import public_holidays
from backcare.scheduling.models import WorkingHours
from backcare.screening.actions import submit_and_screen

# The month of appointments starts two weeks back (``backcare/demo/clinic.py``); the history ends a
# week before that, so the two never meet.
HISTORY_ENDS_DAYS_AGO = 21
SEED = 11  # spreads the late cancellations over both locations

# Pain left at each attended session, as a share of the baseline (sessions 1 to 10). The
# analytics call a fall of 2 points or 30% meaningful and 50% substantial (SPEC §5).
COURSES: dict[str, tuple[float, ...]] = {
    # Better within two or three sessions, and it lasts.
    "early": (0.85, 0.6, 0.5, 0.45, 0.4, 0.4, 0.35, 0.35, 0.3, 0.3),
    # A little better every week.
    "steady": (0.95, 0.9, 0.85, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45),
    # Nothing for five sessions, then better.
    "late": (1.0, 1.0, 0.95, 0.95, 0.9, 0.8, 0.7, 0.65, 0.6, 0.6),
    # Somewhat better, slowly.
    "moderate": (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.7, 0.7, 0.65, 0.65),
    # A point better at most.
    "minimal": (1.0, 0.95, 1.0, 0.9, 0.9, 0.9, 0.85, 0.9, 0.85, 0.85),
    "none": (1.0, 1.05, 0.95, 1.0, 1.0, 1.05, 1.0, 0.95, 1.0, 1.0),
    "worse": (1.0, 1.1, 1.1, 1.2, 1.2, 1.25, 1.3, 1.3, 1.3, 1.3),
}

CHRONIC = "chronic_low_back_pain"
INTENSIVE = "intensive"
COMPLETED, DISCHARGED, REFERRED = (
    ProgramStatus.COMPLETED,
    ProgramStatus.DISCHARGED,
    ProgramStatus.REFERRED_OUT,
)


@dataclass(frozen=True)
class Past:
    """One client's finished program."""

    name: str
    therapist: str
    location: str
    template: str
    ending: str
    weeks_ago: int
    """When the program started."""
    baseline: int
    """Pain at intake, 4 to 7 (8 or more would need a doctor's clearance first)."""
    course: str
    stops_after: int | None = None
    """Discharged programs: the attended sessions before the client stopped."""

    @property
    def email(self) -> str:
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return plain.lower().replace(" ", ".") + "@example.com"


HISTORY: tuple[Past, ...] = (
    Past("Bernard Okonkwo", "Maya Thompson", "Midtown", CHRONIC, COMPLETED, 44, 6, "early"),
    Past("Lucia Ferreira", "Priya Raman", "Decatur", CHRONIC, COMPLETED, 43, 5, "steady"),
    Past("Gwen Albright", "Jordan Lee", "Midtown", INTENSIVE, COMPLETED, 42, 7, "moderate"),
    Past("Tomás Aguilar", "Elena García", "Decatur", CHRONIC, COMPLETED, 41, 6, "late"),
    Past("Harriet Lindqvist", "Daniel Okafor", "Midtown", INTENSIVE, COMPLETED, 40, 6, "early"),
    Past("Desmond Pryor", "Marcus Bell", "Decatur", CHRONIC, DISCHARGED, 39, 5, "none", 2),
    Past("Naomi Feld", "Maya Thompson", "Midtown", CHRONIC, COMPLETED, 38, 7, "steady"),
    Past("Kwame Asante", "Priya Raman", "Decatur", INTENSIVE, COMPLETED, 37, 6, "minimal"),
    Past("Beatriz Salgado", "Marcus Bell", "Midtown", CHRONIC, COMPLETED, 36, 5, "moderate"),
    Past("Curtis Whitfield", "Daniel Okafor", "Decatur", CHRONIC, REFERRED, 35, 6, "worse"),
    Past("Ingrid Halvorsen", "Elena García", "Decatur", INTENSIVE, COMPLETED, 34, 7, "steady"),
    Past("Reggie Tillman", "Jordan Lee", "Midtown", CHRONIC, DISCHARGED, 33, 6, "early", 6),
    Past("Farah Qureshi", "Maya Thompson", "Midtown", INTENSIVE, COMPLETED, 32, 5, "late"),
    Past("Dolores Medina", "Priya Raman", "Decatur", CHRONIC, COMPLETED, 31, 7, "early"),
    Past("Wesley Crane", "Daniel Okafor", "Midtown", CHRONIC, COMPLETED, 30, 4, "none"),
    Past("Mariko Sato", "Elena García", "Decatur", CHRONIC, COMPLETED, 29, 6, "moderate"),
    Past("Lamar Gaines", "Marcus Bell", "Midtown", INTENSIVE, COMPLETED, 28, 6, "steady"),
    Past("Colleen Maddox", "Jordan Lee", "Midtown", CHRONIC, COMPLETED, 27, 5, "minimal"),
    Past("Emeka Nwosu", "Priya Raman", "Decatur", CHRONIC, DISCHARGED, 26, 7, "minimal", 3),
    Past("Shirley Voss", "Maya Thompson", "Midtown", CHRONIC, COMPLETED, 26, 6, "late"),
    Past("Arjun Mehta", "Marcus Bell", "Decatur", CHRONIC, COMPLETED, 25, 6, "early"),
    Past("Bettina Krause", "Elena García", "Decatur", CHRONIC, DISCHARGED, 24, 6, "early", 5),
    Past("Clarence Odom", "Daniel Okafor", "Midtown", CHRONIC, COMPLETED, 24, 7, "steady"),
    Past("Renata Silva", "Jordan Lee", "Midtown", INTENSIVE, COMPLETED, 23, 6, "early"),
    Past("Howard Pike", "Maya Thompson", "Midtown", CHRONIC, REFERRED, 22, 5, "none"),
    Past("Yvonne Baptiste", "Priya Raman", "Decatur", CHRONIC, COMPLETED, 21, 6, "steady"),
    Past("Dmitri Volkov", "Marcus Bell", "Midtown", CHRONIC, COMPLETED, 20, 7, "worse"),
    Past("Georgia Fenwick", "Elena García", "Decatur", INTENSIVE, COMPLETED, 19, 5, "moderate"),
    Past("Osvaldo Ruiz", "Daniel Okafor", "Decatur", CHRONIC, COMPLETED, 19, 6, "late"),
    Past("Petra Horvath", "Jordan Lee", "Midtown", CHRONIC, COMPLETED, 18, 7, "moderate"),
    Past("Lionel Fairbanks", "Maya Thompson", "Midtown", INTENSIVE, DISCHARGED, 17, 6, "none", 2),
    Past("Keiko Tanaka", "Priya Raman", "Decatur", INTENSIVE, COMPLETED, 16, 6, "early"),
    Past("Marisol Ortega", "Elena García", "Decatur", CHRONIC, COMPLETED, 16, 5, "steady"),
    Past("Vernon Hale", "Marcus Bell", "Midtown", CHRONIC, COMPLETED, 15, 6, "moderate"),
    Past("Anika Sorensen", "Jordan Lee", "Midtown", CHRONIC, COMPLETED, 14, 4, "early"),
    Past("Theo Marchetti", "Daniel Okafor", "Midtown", INTENSIVE, COMPLETED, 12, 6, "late"),
)

# Each therapist's usual room, so that every room is used; no two of them share a room on a day.
USUAL_ROOMS = {
    ("Maya Thompson", "Midtown"): "Magnolia",
    ("Jordan Lee", "Midtown"): "Dogwood",
    ("Marcus Bell", "Midtown"): "Peach",
    ("Daniel Okafor", "Midtown"): "Peach",
    ("Priya Raman", "Decatur"): "Oak",
    ("Marcus Bell", "Decatur"): "Oak",
    ("Elena García", "Decatur"): "Willow",
    ("Daniel Okafor", "Decatur"): "Willow",
}

ACTIVITIES = (
    ("Sitting through a meeting", 4),
    ("Lifting a grandchild", 3),
    ("Gardening for an hour", 2),
    ("Driving to work", 5),
    ("Sleeping through the night", 4),
    ("Carrying the groceries", 3),
    ("Playing a round of golf", 2),
    ("Standing to cook dinner", 5),
    ("Walking the dog", 4),
    ("Vacuuming the house", 3),
)
AREAS = (
    ("lower_back_left", "lower_back_right"),
    ("lower_back_right", "buttock_right"),
    ("lower_back_left", "lower_back_right", "mid_back_left", "mid_back_right"),
    ("lower_back_left", "buttock_left", "thigh_back_left"),
)
PHYSICIANS = (
    ("Dr. Angela Harris", "Piedmont Primary Care", "aharris@piedmont-pc.example"),
    ("Dr. Robert Kim", "Emory Family Medicine", "rkim@emoryfm.example"),
    ("Dr. Lisa Moreno", "Decatur Internal Medicine", "lmoreno@decatur-im.example"),
    ("", "", ""),
)
SUBJECTIVE = {
    "same": "No real change this week; sitting at work still aggravates it.",
    "better": "Easier this week: slept through most nights and managed the stairs.",
    "worse": "A bad week: stiff every morning and sore after driving.",
}
ENDINGS: dict[str, str] = {
    COMPLETED: "All sessions done; discharge measures taken and home exercises agreed.",
    REFERRED: "No meaningful change at the reassessment: referred to physical therapy.",
}
STOPPED_EARLY = "Feels much better and chose to stop early; home exercises agreed."
DROPPED_OUT = "Missed a session and did not rebook; stopped the program."

# The chance that a booked session is missed or cancelled (SEED draws them).
NO_SHOW, CANCELLED, LATE = 0.05, 0.06, 0.03
SESSION_TIME = dt.timedelta(minutes=75)  # the 60-minute service and its 15 minutes to reset


def load(now: dt.datetime) -> None:
    """Add the history, unless its clients are already registered."""
    front_desk = User.objects.filter(email="frontdesk@backcare.demo").first()
    service = Service.objects.filter(duration_minutes=60).first()
    if front_desk is None or service is None:
        return
    emails = [past.email for past in HISTORY]
    known = set(Client.objects.filter(email__in=emails).values_list("email", flat=True))
    todo = [(index, past) for index, past in enumerate(HISTORY) if past.email not in known]
    if not todo:
        return
    therapists = {t.name: t for t in Therapist.objects.select_related("user")}
    locations = {location.name: location for location in Location.objects.all()}
    zone = locations["Midtown"].zone
    ends = now.astimezone(zone).date() - dt.timedelta(days=HISTORY_ENDS_DAYS_AGO)
    calendar = _Calendar(ends, zone)
    for index, past in todo:
        rng = random.Random(f"{SEED} {past.name}")  # noqa: S311 - demo data, not security
        location = locations[past.location]
        today = now.astimezone(location.zone).date()
        client = _register(past, index, location, today, rng)
        history = _History(
            past=past,
            client=client,
            therapist=therapists[past.therapist],
            location=location,
            service=service,
            front_desk=front_desk,
            rng=rng,
        )
        history.run(today - dt.timedelta(weeks=past.weeks_ago), calendar)


def _at(day: dt.date, hour: int, minute: int, location: Location) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=location.zone)


def _register(
    past: Past, index: int, location: Location, today: dt.date, rng: random.Random
) -> Client:
    """Register the client and submit their intake a few days before the program starts; the
    intake records the baseline and screens clean (pain under 8, for 12 weeks or more)."""
    first, last = past.name.split(" ", 1)
    age = 24 + (index * 23) % 55  # 24 … 78
    physician = PHYSICIANS[index % len(PHYSICIANS)]
    client = register_client(
        None,
        {
            "first_name": first,
            "last_name": last,
            "date_of_birth": dt.date(today.year - age, today.month, min(today.day, 28))
            - dt.timedelta(days=rng.randint(1, 360)),
            "email": past.email,
            "phone": f"(470) 555-{3000 + index * 53:04d}",
            "address": f"{200 + index * 17} {rng.choice(('Maple', 'Cedar', 'Church', 'Clairmont'))}"
            f" {rng.choice(('St', 'Ave', 'Rd'))}, {location.city}, GA",
            "home_location": location,
            "emergency_contact_name": f"{rng.choice(('Sam', 'Pat', 'Chris', 'Robin'))} {last}",
            "emergency_contact_relationship": rng.choice(["spouse", "partner", "daughter", "son"]),
            "emergency_contact_phone": f"(678) 555-{4000 + index * 29:04d}",
            "physician_name": physician[0],
            "physician_practice": physician[1],
            "physician_email": physician[2],
            "contact_by_sms": index % 2 == 0,
        },
    )
    started = today - dt.timedelta(weeks=past.weeks_ago)
    sent = _at(started - dt.timedelta(days=rng.randint(3, 9)), 19, 30, location)
    intake = intake_actions.start_intake(None, client, Intake.Source.PORTAL)
    activities = rng.sample(ACTIVITIES, rng.choice((3, 3, 4, 5)))
    answers = answers_for(
        nrs_now=past.baseline,
        duration_weeks=rng.choice((14, 20, 26, 40, 52, 104)),
        areas=rng.choice(AREAS),
        activities=activities,
    )
    for step in load_questionnaire().steps:
        intake_actions.save_step(None, intake, step.id, answers)
    submit_and_screen(None, intake, at=sent, notify=False)
    return client


# The history's series start at most this long ago: its public holidays are looked up once.
HOLIDAYS_BACK = dt.timedelta(weeks=max(past.weeks_ago for past in HISTORY))


class _Calendar:
    """The history's bookings so far, per therapist and day, to choose free series for the
    next program before booking it (the booking action would refuse an overlap)."""

    def __init__(self, ends: dt.date, zone: ZoneInfo) -> None:
        self.ends = ends
        self.taken: dict[tuple[int, dt.date], list[dt.datetime]] = defaultdict(list)
        self.holidays: dict[str, dict[dt.date, str]] = {}  # by state
        # The history of an earlier load, when the history has grown since.
        before = dt.datetime.combine(ends, dt.time(), tzinfo=zone)
        for therapist, starts in Appointment.objects.filter(starts__lt=before).values_list(
            "therapist_id", "starts"
        ):
            self.taken[therapist, starts.astimezone(zone).date()].append(starts)

    def free(
        self,
        therapist: Therapist,
        starts: Sequence[dt.datetime],
        location: Location,
        *,
        on_holidays: bool = False,
    ) -> bool:
        """Whether every start is before the history ends, apart from the therapist's other
        sessions, and on no public holiday unless ``on_holidays`` (a series skips them, so
        the program has a session fewer)."""
        zone = location.zone
        if location.state not in self.holidays:
            self.holidays[location.state] = public_holidays(
                location.state, self.ends - HOLIDAYS_BACK, self.ends
            )
        for start in starts:
            day = start.astimezone(zone).date()
            if day >= self.ends or (not on_holidays and day in self.holidays[location.state]):
                return False
            if any(abs(start - other) < SESSION_TIME for other in self.taken[therapist.pk, day]):
                return False
        return True

    def take(self, therapist: Therapist, starts: Sequence[dt.datetime], zone: ZoneInfo) -> None:
        for start in starts:
            self.taken[therapist.pk, start.astimezone(zone).date()].append(start)


def _fits(hours: WorkingHours, at: dt.time) -> bool:
    """Whether a session with its reset time fits in these hours at ``at``, around breaks."""
    day = dt.date(2000, 1, 3)
    starts = dt.datetime.combine(day, at)
    ends = starts + SESSION_TIME
    if starts < dt.datetime.combine(day, hours.starts) or ends > dt.datetime.combine(
        day, hours.ends
    ):
        return False
    return not any(
        starts < dt.datetime.combine(day, pause.ends)
        and dt.datetime.combine(day, pause.starts) < ends
        for pause in hours.breaks.all()
    )


def _half_hours() -> Iterator[dt.time]:
    for minutes in range(7 * 60, 21 * 60, 30):
        yield dt.time(minutes // 60, minutes % 60)


@dataclass
class _History:
    """One client's program, from its start to its end."""

    past: Past
    client: Client
    therapist: Therapist
    location: Location
    service: Service
    front_desk: User
    rng: random.Random
    attended: list[tuple[Appointment, int]] = field(default_factory=list)
    """The sessions that took place, with the pain the client gave at check-in."""

    def run(self, started: dt.date, calendar: _Calendar) -> None:
        template = load_templates().get(self.past.template)
        actor = self.therapist.user
        planned_at = _at(started, 8, 30, self.location)
        where = standing(self.client, started)
        verdicts = where.screening.techniques if where.screening else {}
        techniques = [
            code
            for code in self.rng.sample(self.therapist.techniques, 3)
            if verdicts.get(code) != "avoid"
        ]
        program = care.create_program(
            actor,
            self.client,
            template=template.key,
            service=self.service,
            techniques=techniques,
            goals=care.default_goals(self.client, template),
            now=planned_at,
        )
        care.change_program_status(
            actor,
            program,
            ProgramStatus.ACTIVE,
            "Assessed; goals and home exercises agreed with the client.",
            now=planned_at + dt.timedelta(minutes=20),
        )
        first, days_between = self._first_start(program, started, calendar)
        every = booking.series_starts(
            first,
            program.sessions_planned,
            program.sessions_per_week,
            self.location.zone,
            days_between=days_between,
        )
        calendar.take(self.therapist, every, self.location.zone)
        block = min(program.reassessment_sessions)
        booked = self._book(program, every[:block], days_between, planned_at)
        ended = self._attend(program, booked)
        if ended is None:  # the program goes on after its first reassessment
            at = booked[-1].ends + dt.timedelta(minutes=15)
            booked = self._book(program, every[block:], days_between, at)
            ended = self._attend(program, booked) or booked[-1].ends + dt.timedelta(minutes=20)
        care.change_program_status(
            actor, program, self.past.ending, self._why_it_ended(block), now=ended
        )
        self._follow_ups(program)

    def _why_it_ended(self, block: int) -> str:
        if self.past.ending == DISCHARGED:
            return STOPPED_EARLY if (self.past.stops_after or 0) > block else DROPPED_OUT
        return ENDINGS[self.past.ending]

    def _first_start(
        self, program: Program, started: dt.date, calendar: _Calendar
    ) -> tuple[dt.datetime, int]:
        """The first session, within eight weeks of the start, at a time the therapist works and
        has free for every planned session (twice a week: on two of their days); one whose
        series meets no public holiday if there is one, else one that skips a holiday (the
        history is dated back from the day the demo loads, so which days fall on holidays
        changes with it)."""
        for on_holidays in (False, True):
            found = self._first_free(program, started, calendar, on_holidays=on_holidays)
            if found is not None:
                return found
        raise RuntimeError(f"No free weekly time for {self.past.name}'s demo program.")

    def _first_free(
        self, program: Program, started: dt.date, calendar: _Calendar, *, on_holidays: bool
    ) -> tuple[dt.datetime, int] | None:
        shifts = list(
            WorkingHours.objects.filter(
                therapist=self.therapist, location=self.location
            ).prefetch_related("breaks")
        )
        # Its own draws, so the rest of the history is the same whatever day the demo loads.
        pick = random.Random(f"{SEED} {self.past.name} time")  # noqa: S311 - demo data
        for days in range(1, 57):
            day = started + dt.timedelta(days=days)
            for hours in (h for h in shifts if h.weekday == day.weekday()):
                times = [at for at in _half_hours() if _fits(hours, at)]
                offset = pick.randrange(len(times)) if times else 0
                for at in times[offset:] + times[:offset]:
                    if program.sessions_per_week == 1:
                        pairs = [1]
                    else:
                        pairs = [
                            (other.weekday - hours.weekday) % 7
                            for other in shifts
                            if other.weekday != hours.weekday and _fits(other, at)
                        ]
                    # Twice a week: three days apart when the therapist's days allow it.
                    for days_between in sorted(pairs, key=lambda d: (abs(d - 3), d)):
                        first = dt.datetime.combine(day, at, tzinfo=self.location.zone)
                        starts = booking.series_starts(
                            first,
                            program.sessions_planned,
                            program.sessions_per_week,
                            self.location.zone,
                            days_between=days_between,
                        )
                        if calendar.free(
                            self.therapist, starts, self.location, on_holidays=on_holidays
                        ):
                            return first, days_between
        return None

    def _book(
        self,
        program: Program,
        starts: Sequence[dt.datetime],
        days_between: int,
        now: dt.datetime,
    ) -> list[Appointment]:
        room = Room.objects.filter(
            location=self.location, name=USUAL_ROOMS.get((self.past.therapist, self.past.location))
        ).first()
        report = booking.book_series(
            self.front_desk,
            self.client,
            self.service,
            self.therapist,
            self.location,
            starts[0],
            len(starts),
            program.sessions_per_week,
            days_between=days_between,
            room=room,
            now=now,
            program=program,
        )
        return report.booked

    def _attend(self, program: Program, booked: list[Appointment]) -> dt.datetime | None:
        """Each booked session in turn: attended, missed or cancelled. Returns when the program
        ended, if it ended in these sessions: at the reassessment (referred out), or when the
        client stopped (discharged), else None."""
        stops = self.past.stops_after
        for position, appointment in enumerate(booked):
            starts = appointment.starts
            if stops is not None and len(self.attended) == stops:
                rest = booked[position:]
                if stops <= min(program.reassessment_sessions):
                    # Dropping out: the next session is missed, then the rest cancelled.
                    missed = starts + dt.timedelta(minutes=20)
                    booking.mark_no_show(self.front_desk, appointment, missed)
                    ended = missed + dt.timedelta(hours=1)
                    self._cancel(rest[1:], "Stopped the program.", ended)
                    return ended
                ended = self.attended[-1][0].ends + dt.timedelta(hours=3)
                self._cancel(rest, "Feeling better; stopped the program early.", ended)
                return ended
            draw = self.rng.random() if position and stops is None else 1.0
            if draw < NO_SHOW:
                booking.mark_no_show(
                    self.front_desk, appointment, starts + dt.timedelta(minutes=20)
                )
            elif draw < NO_SHOW + LATE:
                booking.cancel_appointment(
                    self.front_desk,
                    appointment,
                    self.rng.choice(("Woke up with a fever.", "Car trouble this morning.")),
                    starts - dt.timedelta(hours=3),
                )
            elif draw < NO_SHOW + LATE + CANCELLED:
                booking.cancel_appointment(
                    self.front_desk,
                    appointment,
                    self.rng.choice(("Out of town that week.", "Family visiting.")),
                    max(
                        appointment.booked_at + dt.timedelta(hours=1), starts - dt.timedelta(days=2)
                    ),
                )
            else:
                self._session(program, appointment)
        if self.past.ending == REFERRED or (stops is not None and len(self.attended) >= stops):
            last = self.attended[-1][0] if self.attended else booked[-1]
            return last.ends + dt.timedelta(minutes=30)
        return None

    def _cancel(self, appointments: Sequence[Appointment], reason: str, at: dt.datetime) -> None:
        for appointment in appointments:
            booking.cancel_appointment(self.front_desk, appointment, reason, at)

    def _session(self, program: Program, appointment: Appointment) -> None:
        """Check-in pain, the session, and its signed note."""
        number = len(self.attended) + 1
        nrs = _nrs(self.past.baseline, self.past.course, number)
        arrived = appointment.starts - dt.timedelta(minutes=10)
        record_response(
            None,
            self.client,
            "nrs",
            [nrs],
            occasion=Occasion.CHECK_IN,
            program=program,
            appointment=appointment,
            now=arrived,
        )
        booking.check_in(self.front_desk, appointment, arrived)
        booking.complete_appointment(self.front_desk, appointment, appointment.ends)
        self.attended.append((appointment, nrs))
        self._note(program, appointment, number, nrs)

    def _note(self, program: Program, appointment: Appointment, number: int, pre: int) -> None:
        post = max(0, pre - self.rng.choice((0, 1, 1, 2)))
        response = self.rng.choice(("relaxed", "relaxed", "relaxed", "partly_relaxed"))
        facts = monitor.SessionFacts(
            tissue_response=response,
            pre_nrs=pre,
            post_nrs=post,
            session_number=number,
            reassessment_sessions=tuple(program.reassessment_sessions),
            baseline_nrs=self.past.baseline,
        )
        if monitor.review_session(facts):
            return  # it would open an alert and email the therapist today, months late
        previous = self.attended[-2][1] if len(self.attended) > 1 else self.past.baseline
        mood = "better" if pre < previous else "worse" if pre > previous else "same"
        therapist = self.therapist.user
        when = appointment.ends + dt.timedelta(minutes=10)
        note = notes.start_note(therapist, appointment, now=when)
        values = {
            **{name: getattr(note, name) for name in notes.NOTE_FIELDS},
            "subjective": SUBJECTIVE[mood],
            "pre_nrs": pre,
            "findings": "Hypertonic lumbar paraspinals; tender over the quadratus lumborum.",
            "fingertip_floor_cm": max(5, 30 - 2 * number + self.rng.randint(-3, 3)),
            "tissue_response": response,
            "post_nrs": post,
            "plan": "Continue the program; review at the next reassessment.",
        }
        note = notes.save_note(therapist, note, values, now=when)
        notes.sign_note(therapist, note, now=when)

    def _follow_ups(self, program: Program) -> None:
        """Reassessment answers at each reassessment point reached, and discharge answers at the
        last session, as the outcomes demo gives the month's programs."""
        if not self.attended:
            return
        count = len(self.attended)
        moments = [
            (Occasion.REASSESSMENT, point)
            for point in program.reassessment_sessions
            if point < count
        ]
        moments.append((Occasion.DISCHARGE, count))
        goals = [goal.activity for goal in program.goals.order_by("position")]
        baseline = self.client.intakes.get().answers
        start_psfs = [item["score"] for item in baseline["activities"]][: len(goals)]
        for occasion, number in moments:
            visit, nrs = self.attended[number - 1]
            ratio = nrs / self.past.baseline
            answers: dict[str, list[object]] = {
                "nrs": [nrs],
                "peg": [
                    _bounded(baseline[key] * ratio)
                    for key in ("peg_pain", "peg_enjoyment", "peg_activity")
                ],
                "psfs": [_bounded(10 - (10 - score) * ratio) for score in start_psfs],
                "pgic": [_pgic(self.past.baseline, nrs)],
            }
            record_answers(None, answers, occasion, program, visit, goals)


def _bounded(value: float) -> int:
    return max(0, min(10, int(value + 0.5)))


def _nrs(baseline: int, course: str, session: int) -> int:
    shares = COURSES[course]
    return _bounded(baseline * shares[min(session, len(shares)) - 1])


def _pgic(baseline: int, nrs: int) -> str:
    """The client's global impression: 1 "very much improved" … 7 "very much worse"."""
    better = (baseline - nrs) / baseline
    if better >= 0.6:
        return "1"
    if better >= 0.3:
        return "2"
    if better > 0:
        return "3"
    return "4" if better == 0 else "5"
