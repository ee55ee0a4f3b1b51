"""The emails that tell staff about a client's safety: a screening that holds booking, and an
alert from the response monitor (sent by ``receivers.py`` on ``ScreeningRun`` and
``AlertRaised``).

Neither names a clinical detail: each asks staff to sign in and read it in Backcare.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from backcare.accounts.models import Role, User
from backcare.clinic.models import Client
from backcare.notes.models import Alert
from backcare.notes.queries import treating_therapist_emails
from backcare.notices.outbox import send_notice
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
        subject="A screening needs your attention",
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
        subject="A safety alert needs your attention",  # the client is named inside only
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
