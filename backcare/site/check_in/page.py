"""The check-in page: pain now, the safety questions, and changes in health, answered on the
client's phone (the portal) or on the clinic's tablet (the front desk). Both fronts show this
one page; a hold refuses the check-in and says why instead of showing the questions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from backcare import policy
from backcare.booking.models import Appointment
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.notes import actions
from backcare.notes.models import CheckIn
from backcare.pages import show_refusal
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.check_in.forms import CheckInForm

load_appointment = policy.loader(Appointment, "appointment_id")


def _is_check_in_day(appointment: Appointment) -> bool:
    zone = appointment.location.zone
    now = timezone.now()
    return (
        now.astimezone(zone).date() >= appointment.starts.astimezone(zone).date()
        and now < appointment.ends
    )


def check_in_page(
    request: AuthenticatedRequest, appointment: Appointment, *, portal: bool
) -> HttpResponse:
    """The questions before check-in, what was answered after; ``portal`` when the client
    answers on their own phone."""
    appointment = Appointment.objects.select_related(
        "client", "therapist__user", "service", "location", "program"
    ).get(pk=appointment.pk)
    existing = CheckIn.objects.filter(appointment=appointment).first()
    if request.method == "POST" and existing is not None:
        messages.error(request, "This appointment has already been checked in.")
        return redirect(request.path)
    form = CheckInForm(request.POST if request.method == "POST" and existing is None else None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            actions.record_check_in(
                request.user,
                appointment,
                form.data_for_action(),
                source=CheckIn.Source.PORTAL if portal else CheckIn.Source.DESK,
            )
        except FieldError as problem:
            show_refusal(form, problem)
        else:
            return redirect(request.path)
    where = standing(appointment.client, timezone.localdate())
    hold = where.hold if existing is not None and existing.session_stopped else None
    # Before check-in, a hold refuses it: say why instead of showing the questions.
    held = where.at("check_in") if existing is None else None
    can_note = not portal and policy.can(request.user, Action.NOTE_VIEW, appointment)
    return render(
        request,
        "notes/check_in.html",
        {
            "appointment": appointment,
            "starts": appointment.starts.astimezone(appointment.location.zone),
            "check_in": existing,
            "form": form,
            "portal": portal,
            "open_today": _is_check_in_day(appointment),
            "hold": hold,
            "held": held,
            "can_note": can_note,
            "stopped_alert": existing.alerts.first() if existing and can_note else None,
        },
        status=400 if form.errors else 200,
    )
