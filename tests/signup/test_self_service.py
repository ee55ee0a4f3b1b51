"""Clients look after their own record in the portal: details and doctor, the doctor's note a
clearance needs, their documents, and reminders."""

from __future__ import annotations

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.documents.models import DoctorNote
from backcare.holds.queries import booking_hold
from tests import factories
from tests.conftest import Clinic

DETAILS = {
    "email": "alice@example.com",
    "phone": "404-555-0100",
    "address": "12 Peachtree St",
    "emergency_contact_name": "Ann Anders",
    "emergency_contact_relationship": "Sister",
    "emergency_contact_phone": "404-555-0101",
    "physician_name": "Dr. Grace Lee",
    "physician_practice": "Midtown Family Practice",
    "physician_phone": "404-555-0102",
    "physician_email": "grace.lee@example.com",
}


def test_a_client_changes_their_doctor_and_contact_details_and_it_is_audited(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    saved = as_alice.post(reverse("self_service:details"), DETAILS, follow=True)
    assert "Your details are saved." in saved.content.decode()
    clinic.alice.refresh_from_db()
    assert clinic.alice.physician_name == "Dr. Grace Lee"
    assert clinic.alice.phone == "404-555-0100"
    event = AuditEvent.objects.filter(action="client.updated", client=clinic.alice).get()
    assert event.actor == clinic.alice.user
    assert event.changes["physician_name"] == {"before": "", "after": "Dr. Grace Lee"}


def test_header_breaking_characters_are_refused_naming_the_field(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    refused = as_alice.post(
        reverse("self_service:details"), {**DETAILS, "physician_name": "Dr. Lee\r\nBcc: x@y.z"}
    )
    assert refused.status_code == 400
    assert "The doctor&#x27;s name cannot contain line breaks" in refused.content.decode()
    clinic.alice.refresh_from_db()
    assert clinic.alice.physician_name == ""
    assert not AuditEvent.objects.filter(action="client.updated").exists()


def test_a_new_email_address_becomes_the_login_unless_someone_else_has_it(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    as_alice.post(reverse("self_service:details"), {**DETAILS, "email": "alice.new@example.com"})
    assert clinic.alice.user is not None
    clinic.alice.user.refresh_from_db()
    assert clinic.alice.user.email == "alice.new@example.com"

    taken = as_alice.post(reverse("self_service:details"), {**DETAILS, "email": "bob@example.com"})
    assert taken.status_code == 400
    assert "Someone else already signs in with this address." in taken.content.decode()


def test_reminders_by_email_can_be_turned_off(clinic: Clinic, as_alice: HttpClient) -> None:
    page = as_alice.get(reverse("self_service:reminders")).content.decode()
    assert "Email me a reminder before each appointment" in page
    assert "text message" not in page  # no SMS provider: no box
    as_alice.post(reverse("self_service:reminders"), {"contact_by_email": "on"})
    clinic.alice.refresh_from_db()
    assert clinic.alice.appointment_reminders is False
    assert clinic.alice.contact_by_email is True


def test_the_client_chooses_whether_to_get_appointment_emails_at_all(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    page = as_alice.get(reverse("self_service:reminders")).content.decode()
    assert "Email me when an appointment is booked, changed or cancelled" in page
    assert "always go out" not in page  # they stop when the client (or the desk) says so
    as_alice.post(reverse("self_service:reminders"), {"appointment_reminders": "on"})
    clinic.alice.refresh_from_db()
    assert clinic.alice.contact_by_email is False


@override_settings(SMS_PROVIDER="twilio")
def test_the_text_message_box_shows_only_with_an_sms_provider(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    page = as_alice.get(reverse("self_service:reminders")).content.decode()
    assert "Also send reminders by text message" in page
    as_alice.post(
        reverse("self_service:reminders"),
        {"contact_by_email": "on", "appointment_reminders": "on", "contact_by_sms": "on"},
    )
    clinic.alice.refresh_from_db()
    assert clinic.alice.contact_by_sms is True


def test_a_doctors_note_goes_to_the_therapist_and_lifts_nothing_by_itself(
    clinic: Clinic, as_alice: HttpClient, as_tess: HttpClient, django_capture_on_commit_callbacks
) -> None:
    factories.screened(clinic.alice, ["history_of_cancer"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = as_alice.post(
            reverse("self_service:doctor_note"),
            {
                "document": SimpleUploadedFile("note.pdf", b"%PDF-1.4 cleared", "application/pdf"),
                "message": "Dr. Lee says massage is fine.",
            },
            follow=True,
        )
    assert "note is with your therapist" in sent.content.decode()
    note = DoctorNote.objects.get()
    assert note.client == clinic.alice
    assert AuditEvent.objects.filter(action="doctor_note.uploaded", client=clinic.alice).exists()
    (email,) = mail.outbox
    assert set(email.to) == {"tess@example.com", "owner@example.com"}
    assert "Alice" not in email.subject
    # The hold stays until the therapist records the clearance.
    assert booking_hold(clinic.alice, note.uploaded_at.date()) is not None

    listed = as_tess.get(reverse("staff:doctor_notes", args=[clinic.alice.pk])).content.decode()
    assert "note.pdf" in listed
    opened = as_tess.get(reverse("staff:doctor_note", args=[clinic.alice.pk, note.pk]))
    assert opened.getvalue() == b"%PDF-1.4 cleared"
    assert AuditEvent.objects.filter(action="doctor_note.viewed", actor=clinic.tess.user).exists()


def test_a_file_that_is_not_a_pdf_or_photo_is_refused_naming_the_field(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    refused = as_alice.post(
        reverse("self_service:doctor_note"),
        {"document": SimpleUploadedFile("note.exe", b"MZ...", "application/x-msdownload")},
    )
    assert refused.status_code == 400
    assert "Please upload a PDF, JPEG, PNG or HEIC file." in refused.content.decode()
    assert not DoctorNote.objects.exists()
    assert mail.outbox == []


def test_documents_lists_letters_summaries_receipts_and_notes_sent(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    factories.screened(clinic.alice, ["history_of_cancer"])
    page = as_alice.get(reverse("self_service:documents")).content.decode()
    assert "Referral letter for your doctor (PDF)" in page
    assert reverse("screening:portal_letter") in page
    assert "Summaries" in page
    assert "Receipts" in page
    assert "No receipts yet." in page
