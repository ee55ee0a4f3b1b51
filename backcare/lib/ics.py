"""iCalendar files (RFC 5545) for appointments: email attachments and the therapists' feeds.

No Django and no clock in here: the caller passes the events and the time stamp in. Times are
written in the location's zone with a VTIMEZONE component, so a calendar shows 2:30 PM in
Atlanta whatever zone the reader's device is in.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar

PRODID = "-//Backcare//Backcare appointments//EN"


@dataclass(frozen=True)
class Event:
    uid: str  # stable for the life of the appointment, so updates replace the same event
    starts: dt.datetime  # aware
    ends: dt.datetime  # aware
    time_zone: str  # the location's zone, for example America/New_York
    summary: str
    location: str = ""
    description: str = ""
    sequence: int | None = None  # bumped whenever the event changes (RFC 5546)
    cancelled: bool = False
    organizer: tuple[str, str] | None = None  # (name, email): who sends invitations
    attendee: tuple[str, str] | None = None  # (name, email): who they are for


def calendar(
    events: Iterable[Event],
    *,
    stamp: dt.datetime,
    method: str | None = None,
    name: str | None = None,
) -> bytes:
    """One VCALENDAR holding ``events`` and the VTIMEZONE of every zone they use.

    ``method`` is ``REQUEST`` for an invitation or an update, ``CANCEL`` for a cancellation and
    ``None`` for a published feed. ``stamp`` is the DTSTAMP (when the file was made).
    """
    cal = icalendar.Calendar.new(prodid=PRODID, method=method, name=name)
    events = list(events)
    for event in events:
        zone = zoneinfo.ZoneInfo(event.time_zone)
        vevent = icalendar.Event.new(
            uid=event.uid,
            start=event.starts.astimezone(zone),
            end=event.ends.astimezone(zone),
            summary=event.summary,
            location=event.location or None,
            description=event.description or None,
            sequence=event.sequence,
            stamp=stamp.astimezone(dt.UTC),
            status=icalendar.STATUS.CANCELLED if event.cancelled else icalendar.STATUS.CONFIRMED,
        )
        for field, person in (("ORGANIZER", event.organizer), ("ATTENDEE", event.attendee)):
            if person is not None:
                address = icalendar.vCalAddress(f"mailto:{person[1]}")
                address.params["CN"] = person[0]
                vevent.add(field, address)
        cal.add_component(vevent)
    if events:
        # Zone rules for the years the events span only, not the library's default 1970–2038.
        first_year = min(event.starts for event in events).year - 1
        last_year = max(event.ends for event in events).year + 1
        cal.add_missing_timezones(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    content: bytes = cal.to_ical()
    return content
