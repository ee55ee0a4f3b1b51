"""A location's week as rows, day by day: the appointments of each day in the order they start,
read from the calendar's grid (no query of its own). Twenty-eight columns of a grid do not fit
a screen; a list of the week's appointments reads at any width."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backcare.booking.agenda import Agenda, Entry


@dataclass(frozen=True)
class WeekEntry:
    entry: Entry
    therapist_name: str


@dataclass(frozen=True)
class WeekDay:
    day: dt.date
    entries: list[WeekEntry]


def week_rows(agenda: Agenda) -> list[WeekDay]:
    names = {therapist.pk: therapist.name for therapist in agenda.therapists}
    by_day: dict[dt.date, list[Entry]] = {day: [] for day in agenda.days}
    seen: set[int] = set()
    for row in agenda.rows:
        for cell in row.cells:
            for entry in cell.entries:
                if entry.appointment.pk in seen:
                    continue
                seen.add(entry.appointment.pk)
                by_day.setdefault(cell.day, []).append(entry)
    return [
        WeekDay(
            day,
            [
                WeekEntry(entry, names.get(entry.appointment.therapist_id, ""))
                for entry in sorted(
                    entries, key=lambda entry: (entry.appointment.starts, entry.appointment.pk)
                )
            ],
        )
        for day, entries in by_day.items()
    ]
