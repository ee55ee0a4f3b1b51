"""The emails about a client's safety: to staff, a screening that holds booking and an alert
from the response monitor (sent by ``receivers.py`` on ``ScreeningRun`` and ``AlertRaised``),
neither naming a clinical detail (each asks staff to sign in and read it in Backcare); to the
client, that their booked sessions are on hold or cancelled (``SessionsHeld``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from backcare.accounts.models import Role, User
from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.notes.models import Alert
from backcare.notes.queries import treating_therapist_emails
from backcare.notices.outbox import send_notice
from backcare.scheduling.clock import spoken
from backcare.screening.models import Decision, Screening


def staff_to_tell(client: Client) -> list[str]:
    """The owners and the client's care team: who hears about a screening that holds booking."""
    emails = set(
        User.objects.filter(role=Role.OWNER, is_active=True).values_list("email", flat=True)
    )
    emails.update(
        client.care_team.filter(ended_at__isnull=True, therapist__user__is_active=True).values_list(
            "therapist__user__email", flat=True
        )
    )
    return sorted(emails)


def send_screening_alert(screening: Screening) -> None:
    """Tell the owners and the client's care team that a screening holds booking."""
    recipients = staff_to_tell(screening.client)
    if not recipients:
        return
    send_notice(
        key=f"screening-alert-{screening.pk}",
        to=recipients,
        # Subjects never name the client: they show on lock screens and in mail logs.
        subject="A client needs your attention in Backcare",
        template="notices/screening_alert",
        context={
            "client_name": screening.client.full_name,
            "decision": screening.get_decision_display(),
            "urgent": screening.decision == Decision.URGENT_REFERRAL,
            "link": settings.SITE_URL.rstrip("/")
            + reverse("screening:client", args=[screening.client_id]),
        },
        kind="screening_alert",
    )


def send_alert(alert: Alert) -> None:
    """Tell the treating therapist that the response monitor opened an alert."""
    recipients = treating_therapist_emails(alert)
    if not recipients:
        return
    send_notice(
        key=f"clinical-alert-{alert.pk}",
        to=recipients,
        subject="A client's session needs your attention",  # named, and why, inside only
        template="notices/clinical_alert",
        context={
            "client_name": alert.client.full_name,
            "kind": alert.get_kind_display(),
            "paused": alert.paused_program,
            "stopped": alert.kind == "session_stopped",
            "link": settings.SITE_URL.rstrip("/") + reverse("notes:alert", args=[alert.pk]),
        },
        kind="clinical_alert",
    )


def send_sessions_held(
    client: Client, sessions: tuple[Appointment, ...], *, cancelled: bool, key: str, message: str
) -> None:
    """Tell the client that their booked sessions cannot go ahead until the doctor's answer (or
    were cancelled): once per cause of the hold."""
    if not client.email:
        return
    phones = sorted({s.location.phone for s in sessions if s.location.phone})
    send_notice(
        key=f"hold-{client.pk}-{key}",
        to=[client.email],
        subject="Sessions cancelled" if cancelled else "Your upcoming sessions are on hold",
        template="holds/email/sessions_held",
        context={
            "first_name": client.first_name,
            "message": message,
            "cancelled": cancelled,
            "sessions": [
                f"{spoken(s.starts, s.location.time_zone)}, {s.service.name} "
                f"with {s.therapist.name} at {s.location.name}"
                for s in sessions
            ],
            "phone": phones[0] if phones else "",
            "clinic": settings.CLINIC_NAME,
        },
        kind="sessions_held",
    )
