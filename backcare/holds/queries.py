"""Where a client stands: the latest screening and the clinical hold, read in a fixed number of
queries for one client or for a page of them (the calendar, the day lists).

The hold is decided on facts that other apps keep: the screenings and clearances (screening),
the alerts (notes) and the pauses of programs (care). Those apps sit above this one and hand
their facts in through :func:`provides`, from their ``AppConfig.ready``, so the doors below
them can ask the hold without importing them. A fact source that is missing is an error, never
an open door: :func:`standings` refuses to decide without all three.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ImproperlyConfigured

from backcare.holds import rules
from backcare.holds.rules import ClinicalHold, Door

if TYPE_CHECKING:
    from backcare.clinic.models import Client
    from backcare.screening.models import Screening


@dataclass(frozen=True)
class Standing:
    """The client's latest screening and every cause that holds them (SPEC §2a)."""

    screening: Screening | None
    clinical: ClinicalHold
    cleared_codes: frozenset[str]

    @property
    def hold(self) -> ClinicalHold | None:
        """The hold on booking: what the booking pages, the waitlist and the banner show."""
        return self.clinical.at("book")

    def at(self, door: Door) -> ClinicalHold | None:
        return self.clinical.at(door)

    @property
    def bookable(self) -> bool:
        return self.hold is None

    @property
    def awaiting_clearance(self) -> list[str]:
        if self.screening is None:
            return []
        return sorted(set(self.screening.clearance_codes) - self.cleared_codes)


@dataclass
class Gathered:
    """The facts of a page of clients, by client id, as the fact sources hand them in."""

    latest: dict[int, Screening] = field(default_factory=dict)
    cleared: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    alerts: defaultdict[int, list[rules.AlertFact]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # The programs each client's holding alerts paused, and every paused program's latest pause.
    pausing: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    pauses: defaultdict[int, dict[int, rules.PauseFact]] = field(
        default_factory=lambda: defaultdict(dict)
    )


FactKind = Literal["screenings", "alerts", "pauses"]
FactSource = Callable[[list[int], Gathered], None]
_sources: dict[FactKind, FactSource] = {}


def provides(kind: FactKind) -> Callable[[FactSource], FactSource]:
    """Register the function that reads one kind of fact for a list of client ids (one query,
    whatever their number) into :class:`Gathered`."""

    def register(source: FactSource) -> FactSource:
        _sources[kind] = source
        return source

    return register


def _gather(ids: list[int]) -> Gathered:
    gathered = Gathered()
    for kind in ("screenings", "alerts", "pauses"):
        source = _sources.get(kind)
        if source is None:
            raise ImproperlyConfigured(f"No installed app provides the {kind} a hold rests on.")
        source(ids, gathered)
    return gathered


def standings(clients: Iterable[Client], today: dt.date) -> dict[int, Standing]:
    """Each client's standing, by client id, in five queries whatever their number."""
    from backcare.holds.models import HoldRelease

    by_id = {client.pk: client for client in clients}
    # Asked even for no client, so that a page runs the same queries whatever it shows.
    ids = list(by_id) or [0]
    facts_of = _gather(ids)
    released: dict[int, set[str]] = defaultdict(set)
    for client_id, covers in HoldRelease.objects.filter(client_id__in=ids).values_list(
        "client_id", "covers"
    ):
        released[client_id].update(covers)
    result = {}
    for pk, client in by_id.items():
        last = facts_of.latest.get(pk)
        cleared = frozenset(facts_of.cleared[pk])
        pauses = facts_of.pauses[pk]
        facts = rules.Facts(
            adult=client.age_on(today) >= rules.ADULT_AGE,
            screening=rules.ScreeningFact(
                last.pk, last.decision, last.created_at, tuple(last.clearance_codes)
            )
            if last is not None
            else None,
            cleared_codes=cleared,
            alerts=tuple(facts_of.alerts[pk]),
            # Only a pause that a holding alert made holds the client.
            pauses=tuple(f for p, f in pauses.items() if p in facts_of.pausing[pk]),
            released=frozenset(released[pk]),
        )
        result[pk] = Standing(last, rules.clinical_hold(facts), cleared)
    return result


def standing(client: Client, today: dt.date) -> Standing:
    """One client's latest screening and clinical hold."""
    return standings([client], today)[client.pk]


def hold_at(client: Client, door: Door, today: dt.date) -> ClinicalHold | None:
    """The hold at ``door`` for this client, or None when the door is open to them."""
    return standing(client, today).at(door)


def booking_hold(client: Client, today: dt.date) -> ClinicalHold | None:
    """The hold on booking this client, or None when they may be booked."""
    return hold_at(client, "book", today)
