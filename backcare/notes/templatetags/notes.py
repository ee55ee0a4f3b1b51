"""Alerts and notes on other apps' pages: the staff home, the client chart, the program page
and the appointment page. Each tag checks the access policy and runs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from backcare import policy
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.notes.queries import open_alerts_for
from backcare.policy import Action

register = template.Library()

SHOWN = 10


@register.inclusion_tag("notes/_home_alerts.html", takes_context=True)
def open_alerts(context: dict[str, Any]) -> dict[str, Any]:
    """The open alerts of the clients the signed-in therapist treats (the owner: all)."""
    user = context["request"].user
    if not policy.can(user, Action.ALERT_LIST):
        return {"show": False}
    alerts = list(open_alerts_for(user)[: SHOWN + 1])
    return {"show": True, "alerts": alerts[:SHOWN], "more": len(alerts) > SHOWN}


@register.inclusion_tag("notes/_client_notes.html", takes_context=True)
def client_notes(context: dict[str, Any], client: Any) -> dict[str, Any]:
    """The chart's card: open alerts and the latest session notes. Clinical only."""
    user = context["request"].user
    if not policy.can(user, Action.NOTE_VIEW, client):
        return {"show": False}
    notes = list(
        SessionNote.objects.filter(client=client)
        .select_related("appointment", "therapist__user")
        .order_by("-appointment__starts")[:SHOWN]
    )
    alerts = list(Alert.objects.filter(client=client, status=Alert.Status.OPEN)[:SHOWN])
    return {"show": True, "notes": notes, "alerts": alerts}


@register.inclusion_tag("notes/_program_alerts.html", takes_context=True)
def program_alerts(context: dict[str, Any], program: Any) -> dict[str, Any]:
    """The alerts of a program, open ones first, on the program page."""
    user = context["request"].user
    if not policy.can(user, Action.NOTE_VIEW, program.client):
        return {"show": False}
    alerts = list(Alert.objects.filter(program=program).order_by("-status", "-opened_at")[:SHOWN])
    return {"show": True, "alerts": alerts, "program": program}


@register.inclusion_tag("notes/_session_status.html", takes_context=True)
def session_status(context: dict[str, Any], appointment: Any) -> dict[str, Any]:
    """Check-in and note links on the appointment page. The front desk sees whether a session
    was stopped, never why."""
    user = context["request"].user
    check_in = CheckIn.objects.filter(appointment=appointment).first()
    can_note = policy.can(user, Action.NOTE_VIEW, appointment)
    return {
        "appointment": appointment,
        "check_in": check_in,
        "can_check_in": policy.can(user, Action.CHECK_IN_DESK, appointment)
        and check_in is None
        and appointment.status in ("booked", "checked_in"),
        "can_note": can_note,
        "note": SessionNote.objects.filter(appointment=appointment).first() if can_note else None,
    }


@register.simple_tag
def check_in_open(appointment: Any) -> bool:
    """Whether the client can check in for this appointment now: booked, on its day, before it
    ends (no query)."""
    if appointment.status != "booked":
        return False
    zone = appointment.location.zone
    now = timezone.now()
    opens = now.astimezone(zone).date() >= appointment.starts.astimezone(zone).date()
    return bool(opens and now < appointment.ends)
