"""Named writes for the documents a client sends from the portal."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.clinic.models import Client
from backcare.documents.models import DoctorNote
from backcare.emails.clinical import staff_to_tell
from backcare.notices.outbox import send_notice
from backcare.screening.actions import check_document


@transaction.atomic
def upload_doctor_note(
    actor: User, client: Client, document: UploadedFile, *, message: str, now: dt.datetime
) -> DoctorNote:
    """Keep the doctor's note the client sent, in private files, and tell their therapist (and
    the owners) by email, who read it and record the clearance. Refuses a file that is not a
    PDF or a photo, or is too large, naming the field, before anything is stored."""
    check_document(document)
    note = DoctorNote(
        client=client,
        document_name=(document.name or "doctor-note")[:200],
        message=message.strip(),
        uploaded_by=actor,
        uploaded_at=now,
    )
    note.document.save(document.name or "doctor-note", document, save=False)
    try:
        note.save(force_insert=True)
    except BaseException:
        note.document.delete(save=False)
        raise
    record(
        actor,
        "doctor_note.uploaded",
        note,
        client=client,
        changes=diff({}, {"document": note.document_name}),
    )
    recipients = staff_to_tell(client)
    if recipients:
        send_notice(
            key=f"doctor-note-{note.pk}",
            to=recipients,
            subject="A client sent a doctor's note",  # never the client's name in a subject
            template="documents/email/doctor_note",
            context={
                "client_name": client.full_name,
                "link": settings.SITE_URL.rstrip("/")
                + reverse("staff:doctor_notes", args=[client.pk]),
            },
            kind="doctor_note",
        )
    return note
