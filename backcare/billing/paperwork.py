"""The billing documents, gathered from the ledger and the client's record, and emailed to the
client through the notices outbox."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.http import Http404, HttpResponse

from backcare.audit.log import record
from backcare.billing import documents, queries
from backcare.billing.models import ClientBilling, Invoice, ProviderNumbers
from backcare.clinic.letterhead import letterhead_for
from backcare.clinic.models import Client
from backcare.notices.outbox import Prepared, attachment_maker, send_notice
from backcare.screening.actions import referral_letter

if TYPE_CHECKING:
    from backcare.accounts.models import User

DocumentKind = Literal["receipt", "superbill", "necessity_letter"]
TITLES: dict[DocumentKind, str] = {
    "receipt": "receipt",
    "superbill": "superbill",
    "necessity_letter": "letter of medical necessity",
}
# Subjects show on lock screens and in mail logs: no client's name, nothing about their health.
SUBJECTS: dict[DocumentKind, str] = {
    "receipt": "Your receipt",
    "superbill": "Your superbill",
    "necessity_letter": "Your letter for your health account",
}


class NoDocument(LookupError):
    """The client has nothing this document could say (no program for a letter)."""


def receipt(invoice: Invoice, today: dt.date) -> documents.Receipt:
    void_note = ""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.voids is not None:
        void_note = f"Voids {invoice.voids.label}: {invoice.reason}"
    elif hasattr(invoice, "credit_note"):
        void_note = f"Voided by {invoice.credit_note.label}: {invoice.credit_note.reason}"
    return documents.Receipt(
        letterhead=letterhead_for(invoice.client, invoice.location),
        written_on=today,
        client_name=invoice.client.full_name,
        title=invoice.label,
        issued_on=invoice.issued_on,
        lines=tuple(
            documents.Row(line.description, line.total_cents, line.service_code)
            for line in invoice.lines.all()
        ),
        subtotal_cents=invoice.subtotal_cents,
        tax_cents=invoice.tax_cents,
        total_cents=invoice.total_cents,
        payments=tuple(
            documents.Row(
                "Refund" if payment.is_refund else "Payment",
                payment.signed_cents,
                payment.get_method_display(),
                payment.recorded_on,
            )
            for payment in invoice.payments.all()
        ),
        paid_cents=invoice.paid_cents,
        balance_cents=max(invoice.balance_cents, 0),
        void_note=void_note,
    )


def diagnosis_codes(client: Client) -> tuple[str, ...]:
    entered = ClientBilling.objects.filter(client=client).first()
    text = entered.diagnosis_codes if entered is not None else documents.LOW_BACK_PAIN
    return tuple(code.strip() for code in text.split(",") if code.strip())


def superbill(client: Client, today: dt.date) -> documents.Superbill:
    services = queries.services_of(client)
    invoice = Invoice.objects.filter(client=client).select_related("location").first()
    location = invoice.location if invoice is not None else client.home_location
    numbers = (
        ProviderNumbers.objects.filter(location=location).first() if location is not None else None
    )
    therapists = {
        appointment.therapist
        for appointment in client.appointments.filter(status="completed").select_related(
            "therapist__user"
        )
    }
    providers = []
    for therapist in sorted(therapists, key=lambda each: each.name):
        own = ProviderNumbers.objects.filter(therapist=therapist).first()
        providers.append(
            documents.Provider(
                name=therapist.name,
                licence=f"licence {therapist.licence_number}, {therapist.licence_state}",
                npi=own.npi if own is not None else "",
            )
        )
    return documents.Superbill(
        letterhead=letterhead_for(client, location),
        written_on=today,
        client_name=client.full_name,
        client_date_of_birth=client.date_of_birth,
        client_address=client.address,
        diagnosis_codes=diagnosis_codes(client),
        clinic_npi=numbers.npi if numbers is not None else "",
        clinic_tax_id=numbers.tax_id if numbers is not None else "",
        providers=tuple(providers),
        services=tuple(
            documents.Row(row.description, row.charged_cents, row.service_code, row.day)
            for row in services
        ),
        paid=tuple(row.paid_cents for row in services),
    )


def necessity_letter(client: Client, today: dt.date) -> documents.NecessityLetter:
    program = client.programs.exclude(status="draft").select_related("therapist__user").first()
    if program is None:
        program = client.programs.select_related("therapist__user").first()
    if program is None:
        raise NoDocument("A letter of medical necessity needs a care program.")
    return documents.NecessityLetter(
        referral=referral_letter(
            client, program.screening, therapist=program.therapist.user, today=today
        ),
        program_title=program.title,
        sessions=program.sessions_planned,
        weeks=math.ceil(program.sessions_planned / max(program.sessions_per_week, 1)),
        diagnosis_codes=diagnosis_codes(client),
        goals=tuple(
            f"{goal.activity} (target {goal.target} of 10)" for goal in program.goals.all()
        ),
    )


Document = documents.Receipt | documents.Superbill | documents.NecessityLetter


def gather(
    kind: DocumentKind, client: Client, today: dt.date, invoice: Invoice | None = None
) -> Document:
    """What one document says, read from the records (quick: no PDF is made). NoDocument when
    there is nothing it could say."""
    if kind == "receipt":
        if invoice is None:
            raise NoDocument("A receipt is of an invoice.")
        return receipt(invoice, today)
    if kind == "superbill":
        return superbill(client, today)
    return necessity_letter(client, today)


def file_of(document: Document) -> tuple[str, Callable[[], bytes]]:
    """The file name of a gathered document, and how to make its PDF (the slow part)."""
    if isinstance(document, documents.Receipt):
        return documents.receipt_filename(document), partial(documents.render_receipt, document)
    if isinstance(document, documents.Superbill):
        return documents.superbill_filename(document), partial(documents.render_superbill, document)
    return documents.necessity_letter_filename(document), partial(
        documents.render_necessity_letter, document
    )


def render(
    kind: DocumentKind, client: Client, today: dt.date, invoice: Invoice | None = None
) -> tuple[str, bytes]:
    """The file name and PDF bytes of one document."""
    filename, make = file_of(gather(kind, client, today, invoice))
    return filename, make()


def download(
    actor: User,
    kind: DocumentKind,
    client: Client,
    today: dt.date,
    invoice: Invoice | None = None,
) -> HttpResponse:
    """The document as a PDF download (404 when there is nothing it could say); the audit row
    says who downloaded which."""
    try:
        filename, pdf = render(kind, client, today, invoice)
    except NoDocument as missing:
        raise Http404(str(missing)) from None
    record(
        actor,
        "billing_document.downloaded",
        invoice if invoice is not None else client,
        client=client,
        changes={"document": {"before": None, "after": TITLES[kind]}},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@transaction.atomic
def email_document(
    actor: User | None,
    kind: DocumentKind,
    client: Client,
    today: dt.date,
    invoice: Invoice | None = None,
) -> str:
    """Email one document to the client, through the outbox; the audit row says which. The
    request only checks that the document has something to say: its PDF is made by the
    worker (:func:`document_pdf`)."""
    if not client.email:
        raise NoDocument("The client has no email address on file.")
    filename, _ = file_of(gather(kind, client, today, invoice))  # the worker makes the PDF
    title = TITLES[kind]
    key = send_notice(
        key=None,
        to=[client.email],
        subject=SUBJECTS[kind] + (f" ({invoice.label})" if invoice is not None else ""),
        template="billing/email/document",
        context={"name": client.first_name, "title": title},
        attachments=[
            Prepared(
                filename,
                "application/pdf",
                "billing.document",
                {
                    "kind": kind,
                    "client_id": client.pk,
                    "today": today.isoformat(),
                    "invoice_id": invoice.pk if invoice is not None else None,
                },
            )
        ],
        kind=f"billing_{kind}",
    )
    record(
        actor,
        "billing_document.emailed",
        invoice if invoice is not None else client,
        client=client,
        changes={"document": {"before": None, "after": title}},
    )
    return key


@attachment_maker("billing.document")
def document_pdf(
    *, kind: DocumentKind, client_id: int, today: str, invoice_id: int | None
) -> bytes:
    """The emailed document's PDF, made by the worker from what the request named."""
    invoice = Invoice.objects.get(pk=invoice_id) if invoice_id is not None else None
    client = Client.objects.get(pk=client_id)
    _, make = file_of(gather(kind, client, dt.date.fromisoformat(today), invoice))
    return make()
