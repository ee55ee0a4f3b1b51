"""Audit rows read as sentences: "Maya Thompson signed the session note of Alex Rivera, 3 Dec
10:41", with the fields the action's label shows (:mod:`backcare.audit.labels`).

Read the events with ``select_related("actor", "client")``: a sentence names both. The fields
that name a therapist, location, room or service are looked up in one query per kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from backcare.audit.labels import ALL, Kind, field_kind, field_label, label_for
from backcare.audit.models import AuditEvent
from backcare.lib.when import long_date
from backcare.scheduling.clock import clock, day_and_time

_REFERENCE_KINDS: tuple[Kind, ...] = ("therapist", "location", "room", "service")


@dataclass(frozen=True)
class ShownField:
    """One recorded change, in words: ``time from … to …``, ``reason: …``."""

    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before is None or self.after is None or self.before == self.after:
            value = self.after if self.after is not None else self.before
            return f"{self.label}: {value if value is not None else '—'}"
        return f"{self.label} from {self.before} to {self.after}"


@dataclass(frozen=True)
class Line:
    event: AuditEvent
    sentence: str
    when: str
    fields: tuple[ShownField, ...]

    @property
    def text(self) -> str:
        return f"{self.sentence}, {self.when}"

    @property
    def details(self) -> str:
        return "; ".join(str(field) for field in self.fields)

    @property
    def recorded(self) -> list[tuple[str, Any, Any]]:
        """Every recorded change as it was stored: (field, before, after)."""
        return [(name, *_sides(value)) for name, value in self.event.changes.items()]


# --- Sentences ---------------------------------------------------------------------------------


def _related(event: AuditEvent, name: str) -> Any:
    """The actor or client of the row; None when theirs was removed (the log keeps no key)."""
    try:
        return getattr(event, name)
    except ObjectDoesNotExist:
        return None


def actor_name(event: AuditEvent) -> str:
    actor = _related(event, "actor") if event.actor_id is not None else None
    if actor is not None:
        return str(actor.full_name or actor.email)
    if event.actor_email:
        return event.actor_email
    label = label_for(event.action)
    return label.system if label is not None else "Backcare"


def client_name(event: AuditEvent) -> str:
    client = _related(event, "client") if event.client_id is not None else None
    if client is not None:
        return str(client.full_name)
    return f"client #{event.client_id}" if event.client_id is not None else "a client"


def sentence(event: AuditEvent) -> str:
    """What happened, in words; an action no longer registered reads as its code."""
    label = label_for(event.action)
    actor = actor_name(event)
    if label is None:
        about = f" ({event.object_repr})" if event.object_repr else ""
        return f"{actor}: {event.action}{about}"
    said = label.sentence.format(
        actor=actor, client=client_name(event), object=event.object_repr or "a record"
    )
    return said[:1].upper() + said[1:]


def when(
    moment: dt.datetime, zone: dt.tzinfo | None = None, *, today: dt.date | None = None
) -> str:
    """``3 Dec 10:41`` in ``zone`` (the clinic's by default); the year when it is not this one."""
    local = timezone.localtime(moment, zone)
    this_year = (today or timezone.localdate(timezone=zone)).year
    year = f" {local.year}" if local.year != this_year else ""
    return f"{local.day} {local:%b}{year} {clock(local.time())}"


def line_text(event: AuditEvent, zone: dt.tzinfo | None = None) -> str:
    """The sentence with its time, for one event (the CSV export)."""
    return f"{sentence(event)}, {when(event.at, zone)}"


# --- Fields ------------------------------------------------------------------------------------


def _sides(value: Any) -> tuple[Any, Any]:
    """A recorded change as (before, after); a bare value is what came after."""
    if isinstance(value, dict) and value and set(value) <= {"before", "after"}:
        return value.get("before"), value.get("after")
    return None, value


def _shown_names(event: AuditEvent) -> list[str]:
    label = label_for(event.action)
    if label is None or label.fields == ALL:
        return list(event.changes)
    return [name for name in label.fields if name in event.changes]


def _moment(value: str, zone: dt.tzinfo | None) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return day_and_time(moment, zone)


def _day(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return long_date(day)


def _plain(
    value: Any, kind: Kind, names: dict[Kind, dict[int, str]], zone: dt.tzinfo | None
) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if kind == "yesno":
        return "yes" if value else "no"
    if isinstance(value, list):
        parts = [_plain(item, kind, names, zone) for item in value]
        return ", ".join(part for part in parts if part is not None) or None
    if isinstance(value, dict):
        return ", ".join(
            f"{key}: {_plain(item, 'text', names, zone)}" for key, item in value.items()
        )
    if kind in _REFERENCE_KINDS and isinstance(value, int):
        return names.get(kind, {}).get(value, f"#{value}")
    if kind == "when" and isinstance(value, str):
        return _moment(value, zone)
    if kind == "date" and isinstance(value, str):
        return _day(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _references(events: Sequence[AuditEvent]) -> dict[Kind, dict[int, str]]:
    """The names of the therapists, locations, rooms and services the shown fields name."""
    from backcare.clinic.models import Location, Room, Service, Therapist

    wanted: dict[Kind, set[int]] = {}
    for event in events:
        for name in _shown_names(event):
            kind = field_kind(name)
            if kind not in _REFERENCE_KINDS:
                continue
            for side in _sides(event.changes[name]):
                for pk in side if isinstance(side, list) else [side]:
                    if isinstance(pk, int) and not isinstance(pk, bool):
                        wanted.setdefault(kind, set()).add(pk)
    names: dict[Kind, dict[int, str]] = {}
    if "therapist" in wanted:
        names["therapist"] = dict(
            Therapist.objects.filter(pk__in=wanted["therapist"]).values_list(
                "pk", "user__full_name"
            )
        )
    if "location" in wanted:
        names["location"] = dict(
            Location.objects.filter(pk__in=wanted["location"]).values_list("pk", "name")
        )
    if "room" in wanted:
        names["room"] = dict(Room.objects.filter(pk__in=wanted["room"]).values_list("pk", "name"))
    if "service" in wanted:
        names["service"] = dict(
            Service.objects.filter(pk__in=wanted["service"]).values_list("pk", "name")
        )
    return names


def describe(
    events: Iterable[AuditEvent], *, zone: dt.tzinfo | None = None, today: dt.date | None = None
) -> list[Line]:
    """Each event as a line: the sentence, the time in ``zone`` (the clinic's by default) and
    the fields its label shows."""
    events = list(events)
    names = _references(events)
    today = today or timezone.localdate(timezone=zone)
    lines = []
    for event in events:
        fields = []
        for name in _shown_names(event):
            kind = field_kind(name)
            before, after = _sides(event.changes[name])
            if kind == "yesno":  # a flag reads as what it is now
                before = None
            fields.append(
                ShownField(
                    field_label(name),
                    _plain(before, kind, names, zone),
                    _plain(after, kind, names, zone),
                )
            )
        lines.append(
            Line(
                event=event,
                sentence=sentence(event),
                when=when(event.at, zone, today=today),
                fields=tuple(fields),
            )
        )
    return lines
