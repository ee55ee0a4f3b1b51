"""The documents the clinic has made for a client, by kind, for the portal's documents page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from backcare.clinic.models import Client
from backcare.documents.models import DoctorNote
from backcare.holds.queries import standing


@dataclass(frozen=True)
class Document:
    title: str
    url: str
    dated: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    documents: list[Document] = field(default_factory=list)
    empty: str = "Nothing here yet."


def documents_of(client: Client, today: dt.date) -> list[Kind]:
    """The client's letters, summaries, receipts and the notes they sent, each kind a list.
    Receipts are listed here once the clinic's billing makes them."""
    letters: list[Document] = []
    screening = standing(client, today).screening
    if screening is not None and screening.clearance_codes:
        letters.append(
            Document(
                "Referral letter for your doctor (PDF)",
                reverse("screening:portal_letter"),
                f"{screening.created_at:%B} {screening.created_at.day}, {screening.created_at:%Y}",
            )
        )
    summaries = [
        Document(
            f"Discharge summary: {program.title} (PDF)",
            reverse("outcomes:portal_summary_pdf", args=[program.pk]),
        )
        for program in client.programs.filter(
            status__in=("completed", "discharged", "referred_out")
        )
    ]
    sent = [
        Document(note.document_name, "", f"Sent {note.uploaded_at:%B} {note.uploaded_at.day}")
        for note in DoctorNote.objects.filter(client=client)
    ]
    return [
        Kind("Letters", letters, "The clinic has not written a letter for you."),
        Kind("Summaries", summaries, "A summary is written when your program ends."),
        Kind("Receipts", [], "No receipts yet."),
        Kind("Notes you sent us", sent, "You have not sent us a document."),
    ]
