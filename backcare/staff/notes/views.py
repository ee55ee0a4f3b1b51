"""The front-desk check-in tablet, the session note with its addenda, and alerts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.notes import actions, queries
from backcare.notes.letters import alert_letter
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.pages import (
    CHANGED_MEANWHILE,
    VERSION_FIELD,
    guard,
    run_action,
    show_refusal,
    still_as_seen,
    version_of,
)
from backcare.policy import Action, AuthenticatedRequest
from backcare.scheduling.clock import clock
from backcare.screening import letter as letters
from backcare.site.check_in.page import check_in_page
from backcare.staff.notes.forms import AcknowledgeForm, AddendumForm, NoteForm

load_appointment = policy.loader(Appointment, "appointment_id")
load_alert = policy.loader(Alert, "alert_id")


def _appointment(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_related(
        "client", "therapist__user", "service", "location", "program"
    ).get(pk=appointment.pk)


@policy.requires(Action.CHECK_IN_DESK, load=load_appointment)
def desk_check_in(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    """The front-desk tablet: the client answers on the clinic's device."""
    return check_in_page(request, appointment, portal=False)


# --- The note ---------------------------------------------------------------------------------


def _note_page(
    request: AuthenticatedRequest,
    appointment: Appointment,
    *,
    form: NoteForm | None = None,
    addendum_form: AddendumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    appointment = _appointment(appointment)
    note = (
        SessionNote.objects.select_related("signed_by", "therapist__user")
        .filter(appointment=appointment)
        .first()
    )
    check_in = CheckIn.objects.filter(appointment=appointment).first()
    plan = queries.session_plan(appointment)
    can_write = policy.can(request.user, Action.NOTE_WRITE, appointment)
    stopped = check_in is not None and check_in.session_stopped
    if note is not None:
        record(request.user, "note.viewed", note, client=appointment.client)
    if form is None and can_write and not stopped and (note is None or not note.is_signed):
        values = (
            {name: getattr(note, name) for name in actions.NOTE_FIELDS}
            if note is not None
            else queries.note_defaults(appointment, plan)
        )
        form = NoteForm(initial=NoteForm.initial_from(values), plan=plan)
    if form is not None and VERSION_FIELD not in form.fields:
        guard(form, note)
    return render(
        request,
        "notes/note.html",
        {
            "appointment": appointment,
            "client": appointment.client,
            "starts": appointment.starts.astimezone(appointment.location.zone),
            "note": note,
            "check_in": check_in,
            "stopped": stopped,
            "plan": plan,
            "form": form if not stopped and not (note is not None and note.is_signed) else None,
            "refusals": form.non_field_errors() if form is not None else [],
            "addenda": note.addenda.select_related("written_by") if note is not None else [],
            "addendum_form": addendum_form or AddendumForm(),
            "alerts": note.alerts.all() if note is not None else [],
            "techniques_used": _techniques_used(note),
            "standing": standing(appointment.client, timezone.localdate()),
            "can_lift_hold": policy.can(request.user, Action.HOLD_LIFT, appointment.client),
            "needs_reason": appointment.status == AppointmentStatus.BOOKED,
            "can_open_appointment": policy.can(request.user, Action.APPOINTMENT_VIEW, appointment),
        },
        status=status,
    )


def _techniques_used(note: SessionNote | None) -> list[dict[str, Any]]:
    from backcare.lib.techniques import TECHNIQUES

    if note is None:
        return []
    return [
        {**row, "label": TECHNIQUES.get(str(row["code"]), row["code"])} for row in note.techniques
    ]


@policy.requires(Action.NOTE_VIEW, load=load_appointment)
def note(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    """The SOAP note of one session: the form while a draft, the signed note with addenda."""
    return _note_page(request, appointment)


@require_POST
@policy.requires(Action.NOTE_WRITE, load=load_appointment)
def note_save(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    """Save the draft (the page's autosave posts here too) or sign it."""
    autosave = request.POST.get("autosave") == "1"
    form = NoteForm(request.POST, plan=queries.session_plan(appointment))
    existing = SessionNote.objects.filter(appointment=appointment).first()
    guard(form, existing)
    if form.is_valid():
        try:
            with transaction.atomic():
                if not still_as_seen(form, existing):
                    return _changed_meanwhile(request, appointment, form, autosave=autosave)
            draft = actions.start_note(request.user, appointment)
            draft = actions.save_note(request.user, draft, form.data_for_action())
            if request.POST.get("sign") and not autosave:
                actions.sign_note(
                    request.user,
                    draft,
                    not_checked_in_because=form.cleaned_data.get("not_checked_in_because") or "",
                )
        except FieldError as problem:
            show_refusal(form, problem)
        else:
            saved = timezone.localtime(draft.saved_at)
            if autosave:
                answer = JsonResponse({"saved_at": clock(saved)})
                answer["X-Seen-Version"] = version_of(draft)  # the page's next save compares it
                return answer
            if draft.is_signed:
                messages.success(request, "Note signed. It can no longer be changed.")
            else:
                messages.success(request, f"Draft saved at {clock(saved)}.")
            return redirect("notes:note", appointment.pk)
    if autosave:
        return JsonResponse(
            {"errors": {field: list(errors) for field, errors in form.errors.items()}},
            status=400,
        )
    return _note_page(request, appointment, form=form, status=400)


def _changed_meanwhile(
    request: AuthenticatedRequest, appointment: Appointment, form: NoteForm, *, autosave: bool
) -> HttpResponse:
    """Someone else saved this note since it was opened: nothing is saved, the typed text stays
    in the form (409)."""
    if autosave:
        return JsonResponse(
            {"errors": {"__all__": [CHANGED_MEANWHILE]}, "changed": True}, status=409
        )
    return _note_page(request, appointment, form=form, status=409)


@require_POST
@policy.requires(Action.NOTE_VIEW, load=load_appointment)
def note_addendum(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    note = SessionNote.objects.filter(appointment=appointment).first()
    if note is None:
        raise Http404("There is no note for this appointment yet.")
    form = AddendumForm(request.POST)
    if run_action(form, lambda data: actions.add_addendum(request.user, note, data["text"])):
        messages.success(request, "Addendum added under the note.")
        return redirect("notes:note", appointment.pk)
    return _note_page(request, appointment, addendum_form=form, status=400)


# --- Alerts -----------------------------------------------------------------------------------


@policy.requires(Action.ALERT_LIST)
def alert_list(request: AuthenticatedRequest) -> HttpResponse:
    """Open alerts of the clients this person treats (the owner: every client)."""
    alerts = list(
        queries.open_alerts_for(request.user).select_related("client", "program", "note")[:200]
    )
    return render(
        request,
        "notes/alerts.html",
        {"alerts": alerts, "own_clients": policy.can(request.user, Action.OWN_CLIENTS)},
    )


def _alert_page(
    request: AuthenticatedRequest, alert: Alert, *, form: AcknowledgeForm | None = None
) -> HttpResponse:
    alert = Alert.objects.select_related(
        "client", "program", "note__appointment", "check_in__appointment", "acknowledged_by"
    ).get(pk=alert.pk)
    return render(
        request,
        "notes/alert.html",
        {"alert": alert, "form": form or AcknowledgeForm(), "client": alert.client},
        status=400 if form is not None and form.errors else 200,
    )


@policy.requires(Action.NOTE_VIEW, load=load_alert, audit="alert.viewed")
def alert_detail(request: AuthenticatedRequest, alert: Alert) -> HttpResponse:
    return _alert_page(request, alert)


@require_POST
@policy.requires(Action.NOTE_VIEW, load=load_alert)
def alert_acknowledge(request: AuthenticatedRequest, alert: Alert) -> HttpResponse:
    form = AcknowledgeForm(request.POST)
    if run_action(
        form, lambda data: actions.acknowledge_alert(request.user, alert, data["action_taken"])
    ):
        messages.success(request, "Alert acknowledged.")
        return redirect("notes:alert", alert.pk)
    return _alert_page(request, alert, form=form)


@policy.requires(Action.NOTE_VIEW, load=load_alert)
def alert_letter_pdf(request: AuthenticatedRequest, alert: Alert) -> HttpResponse:
    """The referral letter drafted with the alert, as a PDF to check, sign and send."""
    if not alert.letter_purpose:
        raise Http404("This alert drafts no letter.")
    therapist = request.user if hasattr(request.user, "therapist") else None
    letter = alert_letter(alert, therapist=therapist, today=timezone.localdate())
    record(request.user, "referral_letter.downloaded", alert, client=alert.client)
    response = HttpResponse(letters.render_referral_letter(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{letters.referral_letter_filename(letter)}"'
    )
    return response
