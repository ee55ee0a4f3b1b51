"""May this client be booked? The booking hook screening gives scheduling (SPEC §3, §4).

Scheduling calls :func:`booking_hold` before every booking by anyone. A hold explains itself in
two voices: the client's, and the front desk's, which never names a clinical reason (SPEC §1).
The decision itself is :func:`hold_kind`, plain logic with no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backcare.clinic.models import Client
    from backcare.screening.models import Screening

ADULT_AGE = 18


@dataclass(frozen=True)
class Hold:
    """Why a client cannot be booked right now."""

    kind: str
    """``minor``, ``urgent_referral`` or ``medical_clearance_required``."""
    client_message: str
    staff_message: str
    """For the front desk: whether and why not, without clinical detail."""


HOLDS = {
    "minor": Hold(
        kind="minor",
        client_message=(
            "Backcare's programs are for adults, so we can't book sessions for anyone under 18. "
            "Please call the clinic and we'll help you find the right care."
        ),
        staff_message="Cannot be booked: our programs are for adults (18 and over).",
    ),
    "urgent_referral": Hold(
        kind="urgent_referral",
        client_message=(
            "Your answers mean a doctor should see you today, so online booking is closed for "
            "now. Once a doctor has seen you, call us and we'll update your health questions."
        ),
        staff_message=(
            "Cannot be booked: the client has been asked to see a doctor first. A therapist "
            "will update their screening after that visit."
        ),
    ),
    "medical_clearance_required": Hold(
        kind="medical_clearance_required",
        client_message=(
            "We need a note from your doctor saying massage is safe for you before we can book "
            "your sessions. Your referral letter explains what to ask."
        ),
        staff_message="Cannot be booked yet: waiting for a note from the client's doctor.",
    ),
}


def hold_kind(
    *,
    adult: bool,
    decision: str | None,
    needs_clearance: Iterable[str],
    cleared: Iterable[str],
) -> str | None:
    """The kind of hold, from the latest screening (None when there is none yet) and the codes
    recorded clearances cover. A clearance answers the reasons it was given for; a later
    screening with a reason no clearance covers blocks again (SPEC §3)."""
    if not adult:
        return "minor"
    if decision == "urgent_referral":
        return "urgent_referral"
    if decision == "medical_clearance_required" and set(needs_clearance) - set(cleared):
        return "medical_clearance_required"
    return None


@dataclass(frozen=True)
class Standing:
    """Where a client stands with screening: the latest screening and any hold on booking."""

    screening: Screening | None
    hold: Hold | None
    cleared_codes: frozenset[str]

    @property
    def bookable(self) -> bool:
        return self.hold is None

    @property
    def awaiting_clearance(self) -> list[str]:
        if self.screening is None:
            return []
        return sorted(set(self.screening.clearance_codes) - self.cleared_codes)


def standing(client: Client, today: dt.date) -> Standing:
    """The client's latest screening and hold, in two queries."""
    latest = client.screenings.order_by("-created_at", "-pk").first()
    cleared = frozenset(
        code for covers in client.clearances.values_list("covers", flat=True) for code in covers
    )
    kind = hold_kind(
        adult=client.age_on(today) >= ADULT_AGE,
        decision=latest.decision if latest else None,
        needs_clearance=latest.clearance_codes if latest else (),
        cleared=cleared,
    )
    return Standing(screening=latest, hold=HOLDS[kind] if kind else None, cleared_codes=cleared)


def booking_hold(client: Client, today: dt.date) -> Hold | None:
    """The hold on booking this client, or None when they may be booked."""
    return standing(client, today).hold
