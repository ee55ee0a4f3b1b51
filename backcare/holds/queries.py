"""Where a client stands: the latest screening and the clinical hold, read in a fixed number of
queries for one client or for a page of them (the calendar, the day lists)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


def standings(clients: Iterable[Client], today: dt.date) -> dict[int, Standing]:
    """Each client's standing, by client id, in five queries whatever their number."""
    from backcare.care.models import ProgramStatus, StatusChange
    from backcare.holds.models import HoldRelease
    from backcare.notes.models import Alert
    from backcare.screening.models import Clearance, Screening

    by_id = {client.pk: client for client in clients}
    # Asked even for no client, so that a page runs the same queries whatever it shows.
    ids = list(by_id) or [0]
    latest: dict[int, Screening] = {}
    for screening in Screening.objects.filter(client_id__in=ids).order_by(
        "client_id", "-created_at", "-pk"
    ):
        latest.setdefault(screening.client_id, screening)
    cleared: dict[int, set[str]] = defaultdict(set)
    for client_id, covers in Clearance.objects.filter(client_id__in=ids).values_list(
        "client_id", "covers"
    ):
        cleared[client_id].update(covers)
    alerts: dict[int, list[rules.AlertFact]] = defaultdict(list)
    pausing: dict[int, set[int]] = defaultdict(set)  # programs paused by a holding alert
    for pk, client_id, kind, opened_at, program_id, paused in Alert.objects.filter(
        client_id__in=ids, kind__in=rules.HOLDING_ALERTS
    ).values_list("pk", "client_id", "kind", "opened_at", "program_id", "paused_program"):
        alerts[client_id].append(rules.AlertFact(pk, kind, opened_at))
        if paused and program_id is not None:
            pausing[client_id].add(program_id)
    pauses: dict[int, dict[int, rules.PauseFact]] = defaultdict(dict)
    for change, program_id, client_id, at in (
        StatusChange.objects.filter(
            program__client_id__in=ids,
            program__status=ProgramStatus.PAUSED,
            to_status=ProgramStatus.PAUSED,
        )
        .order_by("changed_at", "pk")
        .values_list("pk", "program_id", "program__client_id", "changed_at")
    ):
        if program_id in pausing[client_id]:
            # The latest pause of the program is the one that stands.
            pauses[client_id][program_id] = rules.PauseFact(program_id, change, at)
    released: dict[int, set[str]] = defaultdict(set)
    for client_id, covers in HoldRelease.objects.filter(client_id__in=ids).values_list(
        "client_id", "covers"
    ):
        released[client_id].update(covers)
    result = {}
    for pk, client in by_id.items():
        last = latest.get(pk)
        facts = rules.Facts(
            adult=client.age_on(today) >= rules.ADULT_AGE,
            screening=rules.ScreeningFact(
                last.pk, last.decision, last.created_at, tuple(last.clearance_codes)
            )
            if last is not None
            else None,
            cleared_codes=frozenset(cleared[pk]),
            alerts=tuple(alerts[pk]),
            pauses=tuple(pauses[pk].values()),
            released=frozenset(released[pk]),
        )
        result[pk] = Standing(last, rules.clinical_hold(facts), frozenset(cleared[pk]))
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
