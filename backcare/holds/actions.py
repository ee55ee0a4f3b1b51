"""Asking and lifting the clinical hold (SPEC §2a), and what it does to booked sessions.

Every door that books, moves, checks in, treats or changes a program is a named action wrapped
by :func:`door`, and calls :func:`refuse_if_held` inside. A refusal raises :class:`ClientHeld`
(the action's transaction rolls back: nothing is written) and :func:`door`, outside that
transaction, appends the ``hold.refused`` audit row. ``tests/holds/test_doors.py`` enumerates
:data:`DOOR_ACTIONS` and every URL that reaches one, so a new door cannot forget the hold.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import transaction
from django.utils import timezone

from backcare import policy
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.holds import rules
from backcare.holds.models import HoldRelease
from backcare.holds.queries import standing
from backcare.holds.rules import ClinicalHold, Door
from backcare.lib.errors import FieldError
from backcare.policy import Action, staff_or_system

if TYPE_CHECKING:
    from backcare.clinic.models import Client

F = TypeVar("F", bound=Callable[..., Any])

_door_depth: contextvars.ContextVar[int] = contextvars.ContextVar("door_depth", default=0)

# Every named action that is a door, with the doors it asks (filled by @door at import).
DOOR_ACTIONS: dict[str, tuple[Door, ...]] = {}


class ClientHeld(FieldError):
    """A clinical hold shuts this door. The message is in the voice of who asked: the client's
    (with whom to call), or the staff's, which for the front desk names no clinical reason."""

    def __init__(self, client: Client, door: Door, hold: ClinicalHold, *, for_staff: bool) -> None:
        super().__init__("client", hold.staff_message if for_staff else hold.client_message)
        self.client = client
        self.door = door
        self.hold = hold
        self.recorded = False
        self.action = ""  # the door action that refused, set by @door


def record_refusal(actor: User | None, refusal: ClientHeld) -> None:
    """Append the ``hold.refused`` audit row. :func:`door` calls it for the outermost door; a
    caller that runs doors inside a transaction of its own which the refusal rolls back (an
    import, all or nothing) calls it again once that transaction is over."""
    record(
        actor,
        "hold.refused",
        refusal.client,
        changes={
            "door": {"before": None, "after": refusal.door},
            "action": {"before": None, "after": refusal.action},
            "causes": {"before": None, "after": list(refusal.hold.kinds)},
        },
    )


def refuse_if_held(
    actor: User | None,
    client: Client,
    door: Door,
    now: dt.datetime,
    *,
    refusal: type[ClientHeld] = ClientHeld,
) -> None:
    """Raise ``refusal`` (a :class:`ClientHeld`) when a hold shuts ``door`` for ``client``."""
    hold = standing(client, timezone.localdate(now)).at(door)
    if hold is not None:
        raise refusal(client, door, hold, for_staff=staff_or_system(actor))


def door(*doors: Door) -> Callable[[F], F]:
    """Mark a named action as a door that asks the hold, and audit its refusals.

    Put it above ``@transaction.atomic`` so the refusal's audit row outlives the rollback."""

    def decorate(action: F) -> F:
        @functools.wraps(action)
        def wrapped(actor: User | None, *args: Any, **kwargs: Any) -> Any:
            depth = _door_depth.set(_door_depth.get() + 1)
            try:
                return action(actor, *args, **kwargs)
            except ClientHeld as refusal:
                # Only the outermost door records: an inner one runs inside the outer
                # action's transaction, which the refusal rolls back.
                if not refusal.recorded and _door_depth.get() == 1:
                    refusal.recorded = True
                    refusal.action = action.__name__
                    record_refusal(actor, refusal)
                raise
            finally:
                _door_depth.reset(depth)

        DOOR_ACTIONS[f"{action.__module__}.{action.__name__}"] = doors
        return cast(F, wrapped)

    return decorate


# --- Lifting a hold ---------------------------------------------------------------------------


@transaction.atomic
def lift_hold(
    actor: User,
    client: Client,
    *,
    basis: str,
    reason: str,
    physician_name: str = "",
    answered_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> HoldRelease:
    """Lift every cause of the client's hold that a decision can lift, with the reason kept.

    A doctor's reply (or clearance) is recorded by a therapist treating the client or the owner;
    only the owner may override without one (SPEC §2a). Age and a missing questionnaire are not
    lifted this way. Refusals name ``basis``, ``reason``, ``physician_name`` or ``client``."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    physician_name = (physician_name or "").strip()
    try:
        chosen = HoldRelease.Basis(basis)
    except ValueError:
        raise FieldError("basis", "Please choose what lifts the hold.") from None
    if chosen == HoldRelease.Basis.OWNER_OVERRIDE and not policy.can(
        actor, Action.HOLD_OVERRIDE, client
    ):
        raise FieldError("basis", "Only the owner can lift a hold without a doctor's answer.")
    if not policy.can(actor, Action.CLINICAL_DECIDE):
        raise FieldError("basis", "Only a therapist or the owner can lift a hold.")
    if not reason:
        raise FieldError("reason", "Please write what was decided and why.")
    if chosen != HoldRelease.Basis.OWNER_OVERRIDE:
        if not physician_name:
            raise FieldError("physician_name", "Please name the doctor who answered.")
        if answered_on is None:
            raise FieldError("answered_on", "Please give the date of the doctor's answer.")
        if answered_on > timezone.localdate(now):
            raise FieldError("answered_on", "The doctor's answer can't be dated in the future.")
    hold = standing(client, timezone.localdate(now)).clinical
    keys = list(hold.liftable_keys)
    if not keys:
        raise FieldError("client", f"{client.full_name} is not on a hold that can be lifted.")
    release = HoldRelease.objects.create(
        client=client,
        covers=keys,
        basis=chosen,
        physician_name=physician_name,
        answered_on=answered_on,
        reason=reason,
        released_by=actor,
        released_at=now,
    )
    record(
        actor,
        "hold.lifted",
        release,
        client=client,
        changes=diff(
            {},
            {
                "basis": chosen.value,
                "covers": keys,
                "causes": [cause.kind for cause in hold.causes if cause.key in keys],
                "physician_name": physician_name,
                "answered_on": answered_on.isoformat() if answered_on else None,
                "reason": reason,
            },
        ),
    )
    return release


__all__ = [
    "DOOR_ACTIONS",
    "ClientHeld",
    "door",
    "lift_hold",
    "refuse_if_held",
    "rules",
]
