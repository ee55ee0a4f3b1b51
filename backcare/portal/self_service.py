"""The client looks after their own record in the portal: contact details and doctor, the
doctor's note a clearance needs, their documents, and reminders.

Every change goes through a named, audited action: ``update_client`` for details and reminders
(their login follows a new email address), ``upload_doctor_note`` for a note, which goes to the
client's therapist to read and record the clearance (the note lifts nothing by itself). The desk
edits the same client row: a save over its change since the form was opened is refused, as on
the staff's edit forms (``backcare.pages.guard``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from backcare import policy
from backcare.clinic.actions import update_client
from backcare.clinic.models import Client
from backcare.documents.actions import upload_doctor_note
from backcare.documents.queries import documents_of
from backcare.pages import guard, still_as_seen
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal.own import own_client
from backcare.portal.self_service_forms import ContactForm, DoctorNoteForm, RemindersForm
from backcare.site.texts import texts_can_be_sent


def _save(request: AuthenticatedRequest, client: Client, form: ContactForm | RemindersForm) -> int:
    """Save through the audited action, unless the desk changed the client's record since the
    form was opened (the form then says so and keeps what was typed: 409). 302 when saved; 400
    when the action refused, on the field it names."""
    try:
        with transaction.atomic():
            if not still_as_seen(form, client):
                return 409
            update_client(request.user, client, form.cleaned_data)
    except ValidationError as refused:
        for field, errors in refused.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return 400
    return 302


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def details(request: AuthenticatedRequest) -> HttpResponseBase:
    """My details: contact, emergency contact and doctor."""
    client = own_client(request)
    posted = request.method == "POST"
    form = ContactForm(request.POST if posted else None, instance=Client.objects.get(pk=client.pk))
    guard(form, client)
    status = (_save(request, client, form) if form.is_valid() else 400) if posted else 200
    if status == 302:
        messages.success(request, "Your details are saved.")
        return redirect("self_service:details")
    return render(
        request, "portal/self/details.html", {"form": form, "client": client}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def reminders(request: AuthenticatedRequest) -> HttpResponseBase:
    """Emails about appointments and reminders on or off; reminders by text message only when
    the clinic can send them."""
    client = own_client(request)
    posted = request.method == "POST"
    sms = texts_can_be_sent()
    form = RemindersForm(
        request.POST if posted else None, instance=Client.objects.get(pk=client.pk)
    )
    guard(form, client)
    status = (_save(request, client, form) if form.is_valid() else 400) if posted else 200
    if status == 302:
        messages.success(request, "Your reminder settings are saved.")
        return redirect("self_service:reminders")
    return render(
        request,
        "portal/self/reminders.html",
        {"form": form, "client": client, "sms": sms},
        status=status,
    )


@require_safe
@policy.requires(Action.CLIENT_HOME)
def documents(request: AuthenticatedRequest) -> HttpResponse:
    """My documents: letters, summaries and receipts the clinic made, and notes I sent."""
    client = own_client(request)
    return render(
        request,
        "portal/self/documents.html",
        {"client": client, "kinds": documents_of(client, timezone.localdate())},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def doctor_note(request: AuthenticatedRequest) -> HttpResponseBase:
    """Send the clinic the doctor's note a clearance needs."""
    client = own_client(request)
    posted = request.method == "POST"
    form = DoctorNoteForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            upload_doctor_note(
                request.user,
                client,
                form.cleaned_data["document"],
                message=form.cleaned_data["message"],
                now=timezone.now(),
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                "Thank you: your doctor's note is with your therapist. They will read it and "
                "let you know when you can book.",
            )
            return redirect("self_service:documents")
    return render(
        request,
        "portal/self/doctor_note.html",
        {"form": form, "client": client},
        status=400 if posted else 200,
    )
