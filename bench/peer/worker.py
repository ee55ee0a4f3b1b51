"""The peer's side: django-appointment 3.12.0 in its own process and virtual environment.

Reads one JSON command a line on stdin and answers one JSON line on stdout:

- ``{"cmd": "setup", "clients": N}``: migrate, then the clinic of ``schedule.py`` as
  django-appointment models it: a 60-minute service, 10 staff members working Monday to Friday
  09:00-17:00 on a 15-minute slot step with no buffer or gap, and N client accounts.
- ``{"cmd": "load", "bookings": [[staff, date, minutes], ...]}``: the appointments (an
  ``AppointmentRequest`` and its ``Appointment`` each), written with ``bulk_create``.
- ``{"cmd": "slots", "staff": [...], "first": date, "days": n, "answer": bool}``: the free
  starts, as its booking page asks them (``get_available_slots_for_staff`` for each staff
  member and day); the milliseconds and queries it took, and the slots when asked.
- ``{"cmd": "race", "staff": i, "date": date, "start": "HH:MM", "racers": n}``: n threads, each
  with its own database connection, book that hour at once through the peer's own steps (its
  request form, then ``create_and_save_appointment``, as its two booking views do); how many
  were booked.
"""
# This module runs only in the peer's virtual environment, where django-appointment is
# installed; Backcare's never imports it.

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import django

# The protocol has stdout to itself: whatever the peer prints goes to stderr.
ANSWERS, sys.stdout = sys.stdout, sys.stderr
django.setup()

from appointment.forms import AppointmentRequestForm  # type: ignore[import-not-found]  # noqa: E402
from appointment.models import (  # type: ignore[import-not-found]  # noqa: E402
    Appointment,
    AppointmentRequest,
    Config,
    Service,
    StaffMember,
    WorkingHours,
)
from appointment.services import (  # type: ignore[import-not-found]  # noqa: E402
    get_available_slots_for_staff,
)
from appointment.utils.db_helpers import (  # type: ignore[import-not-found]  # noqa: E402
    create_and_save_appointment,
    get_weekday_num_from_date,
)
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.peer import schedule  # noqa: E402

OPENS, CLOSES = dt.time(9), dt.time(17)


class Peer:
    def __init__(self) -> None:
        self.staff: list[StaffMember] = []
        self.clients: list[User] = []
        self.service: Service | None = None

    def setup(self, clients: int) -> dict[str, Any]:
        # The package ships no migrations: its tables are made from its models, after the
        # tables of Django's own apps that they refer to.
        call_command("migrate", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
        Config.objects.create(
            slot_duration=schedule.GRID,
            lead_time=OPENS,
            finish_time=CLOSES,
            appointment_buffer_time=0,
            slot_gap_time=0,
            default_to_service_duration=True,  # a slot is free for the service's whole hour
        )
        self.service = Service.objects.create(
            name="Back massage — 60 minutes", duration=dt.timedelta(minutes=60), price=Decimal(95)
        )
        for index in range(schedule.STAFF):
            user = User.objects.create(username=f"staff{index}", first_name=f"Staff {index}")
            member = StaffMember.objects.create(
                user=user,
                slot_duration=schedule.GRID,
                lead_time=OPENS,
                finish_time=CLOSES,
                appointment_buffer_time=0,
                slot_gap_time=0,
            )
            member.services_offered.add(self.service)
            # django-appointment counts the days of the week from Sunday (0).
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    staff_member=member, day_of_week=day, start_time=OPENS, end_time=CLOSES
                )
                for day in range(1, 6)
            )
            self.staff.append(member)
        self.clients = [
            User.objects.create(username=f"client{i}", email=f"client{i}@peer.example")
            for i in range(clients)
        ]
        return {"staff": len(self.staff), "clients": len(self.clients)}

    def load(self, bookings: list[list[Any]]) -> dict[str, Any]:
        assert self.service is not None
        requests = AppointmentRequest.objects.bulk_create(
            (
                AppointmentRequest(
                    date=dt.date.fromisoformat(day),
                    start_time=dt.time(minutes // 60, minutes % 60),
                    end_time=dt.time((minutes + schedule.DURATION) // 60, minutes % 60),
                    service=self.service,
                    staff_member=self.staff[staff],
                )
                for staff, day, minutes in bookings
            ),
            batch_size=5000,
        )
        Appointment.objects.bulk_create(
            (
                Appointment(client=self.clients[staff % len(self.clients)], appointment_request=ar)
                for (staff, _, _), ar in zip(bookings, requests, strict=True)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return {"appointments": Appointment.objects.count()}

    def slots(self, staff: list[int], first: str, days: int, answer: bool) -> dict[str, Any]:
        start = dt.date.fromisoformat(first)
        found: list[list[Any]] = []
        reset_queries()  # the log keeps 9,000 queries: a full one would count none
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            for offset in range(days):
                day = start + dt.timedelta(days=offset)
                weekday = get_weekday_num_from_date(day)
                for index in staff:
                    free = get_available_slots_for_staff(
                        day, self.staff[index], weekday, service=self.service
                    )
                    found += [[index, day.isoformat(), f"{s:%H:%M}"] for s in free]
            elapsed = (time.perf_counter() - began) * 1000
        result: dict[str, Any] = {"ms": elapsed, "queries": len(queries.captured_queries)}
        if answer:
            result["slots"] = found
        return result

    def race(self, staff: int, date: str, start: str, racers: int) -> dict[str, Any]:
        assert self.service is not None
        member = self.staff[staff]
        begins = dt.time.fromisoformat(start)
        ends = (dt.datetime.combine(dt.date.min, begins) + dt.timedelta(hours=1)).time()
        users = iter(self.clients * (racers // len(self.clients) + 1))
        form_data = {
            "date": date,
            "start_time": start,
            "end_time": f"{ends:%H:%M}",
            "service": self.service.pk,
            "staff_member": member.pk,
        }

        def book() -> None:
            user = next(users)
            try:
                # The request form, then the appointment: what its two booking views do.
                form = AppointmentRequestForm(form_data)
                if not form.is_valid():
                    raise ValueError(form.errors.as_text())
                create_and_save_appointment(
                    form.save(),
                    {"name": user.username, "email": user.email},
                    {"phone": "+12025550123", "want_reminder": False, "address": ""},
                    SimpleNamespace(user=user),
                )
            finally:
                connection.close()

        answers, seconds = schedule.at_once(book, racers)
        booked = Appointment.objects.filter(
            appointment_request__staff_member=member,
            appointment_request__date=date,
            appointment_request__start_time__lt=ends,
            appointment_request__end_time__gt=begins,
        ).count()
        return schedule.race_result(answers, seconds, booked)


def main() -> None:
    peer = Peer()
    for line in sys.stdin:
        command = json.loads(line)
        name = command.pop("cmd")
        if name == "quit":
            break
        answer = getattr(peer, name)(**command)
        ANSWERS.write(json.dumps(answer) + "\n")
        ANSWERS.flush()


if __name__ == "__main__":
    main()
