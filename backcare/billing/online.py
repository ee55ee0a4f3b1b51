"""Optional online card payments through Stripe Checkout, on only when the clinic has set both
``STRIPE_SECRET_KEY`` and ``STRIPE_WEBHOOK_SECRET``. The client is sent to Stripe's page for the
invoice's balance; Stripe tells us it was paid by a webhook whose signature is checked against
the webhook secret, and the payment is recorded once however often Stripe sends it (its
checkout session names the payment's key).

Stripe may take a card payment the ledger cannot take: more than the invoice's balance (the desk
took the money meanwhile) or for a void invoice. Stripe has the money then and Backcare does
not record it, so the webhook leaves an audit row (``payment.online_unrecorded``, once per
checkout) that the invoice's page and the billing reports show the owner, who refunds it in
Stripe."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from backcare.audit.log import object_type, record
from backcare.audit.models import AuditEvent
from backcare.billing import actions
from backcare.billing.ledger import LedgerError, format_cents
from backcare.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod

UNRECORDED = "payment.online_unrecorded"


class NotPaid(ValueError):
    """A webhook that records nothing: an unsigned or wrongly signed one, or one for no
    invoice of ours."""


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def start_checkout(invoice: Invoice, *, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout session for the invoice's balance; the address to send the
    client to."""
    session = stripe.checkout.Session.create(
        api_key=settings.STRIPE_SECRET_KEY,
        mode="payment",
        client_reference_id=str(invoice.pk),
        metadata={"invoice": str(invoice.pk)},
        line_items=[
            {
                "quantity": 1,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": invoice.balance_cents,
                    "product_data": {"name": f"{invoice.label}, {invoice.location.name}"},
                },
            }
        ],
        success_url=success_url,
        cancel_url=cancel_url,
    )
    return str(session.url)


def record_webhook(payload: bytes, signature: str) -> Payment | None:
    """Check the webhook's signature and record the payment of a completed, paid checkout
    session; None for the other events, which need nothing."""
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise NotPaid(f"signature: {error}") from None
    event: dict[str, Any] = json.loads(payload)
    if event.get("type") != "checkout.session.completed":
        return None
    session = event["data"]["object"]
    if session.get("payment_status") != "paid":
        return None
    invoice = Invoice.objects.filter(pk=(session.get("metadata") or {}).get("invoice") or 0).first()
    if invoice is None:
        raise NotPaid("invoice: this checkout names no invoice of ours")
    amount_cents = int(session["amount_total"])
    reference = str(session.get("payment_intent") or session["id"])
    try:
        return actions.record_payment(
            None,
            invoice,
            method=PaymentMethod.ONLINE,
            amount_cents=amount_cents,
            key=f"stripe-{session['id']}",
            reference=reference,
        )
    except LedgerError:
        note_unrecorded_payment(
            invoice, amount_cents=amount_cents, reference=reference, checkout=str(session["id"])
        )
        raise


@transaction.atomic
def note_unrecorded_payment(
    invoice: Invoice, *, amount_cents: int, reference: str, checkout: str
) -> AuditEvent | None:
    """Leave in the audit log, once per checkout, a card payment Stripe took that the ledger
    could not take, with why in plain words; None when it is there already."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)  # as it stands now
    noted = AuditEvent.objects.filter(
        action=UNRECORDED, object_type=object_type(Invoice), object_id=str(invoice.pk)
    )
    if any(_after(row, "checkout") == checkout for row in noted):
        return None
    if invoice.status == InvoiceStatus.VOID or invoice.kind == InvoiceKind.CREDIT_NOTE:
        why = "the invoice is void"
    elif invoice.balance_cents <= 0:
        why = "the invoice was already paid"
    else:
        why = f"only {format_cents(invoice.balance_cents)} was left to pay"
    return record(
        None,
        "payment.online_unrecorded",  # UNRECORDED, as a literal for the audit registry's test
        invoice,
        client=invoice.client,
        changes={
            name: {"before": None, "after": value}
            for name, value in (
                ("invoice", invoice.number_text),
                ("amount", format_cents(amount_cents)),
                ("reason", why),
                ("reference", reference),
                ("checkout", checkout),
            )
        },
    )


def _after(row: AuditEvent, name: str) -> str:
    change = row.changes.get(name)
    return str(change.get("after") or "") if isinstance(change, dict) else ""


# --- What the owner is shown -----------------------------------------------------------------


@dataclass(frozen=True)
class UnrecordedPayment:
    """A card payment Stripe took that Backcare did not record, for the owner to refund."""

    at: dt.datetime
    invoice_id: int
    invoice: str
    amount: str
    reason: str
    reference: str


def _unrecorded(rows: QuerySet[AuditEvent]) -> list[UnrecordedPayment]:
    return [
        UnrecordedPayment(
            at=row.at,
            invoice_id=int(row.object_id),
            invoice=_after(row, "invoice"),
            amount=_after(row, "amount"),
            reason=_after(row, "reason"),
            reference=_after(row, "reference"),
        )
        for row in rows.filter(action=UNRECORDED, object_type=object_type(Invoice)).order_by(
            "at", "pk"
        )
    ]


def unrecorded_payments_of(invoice: Invoice) -> list[UnrecordedPayment]:
    return _unrecorded(AuditEvent.objects.filter(object_id=str(invoice.pk)))


def unrecorded_payments_between(start: dt.date, end: dt.date) -> list[UnrecordedPayment]:
    """Those Stripe told us of from ``start`` to ``end`` (days in the clinic's time zone)."""
    return _unrecorded(AuditEvent.objects.filter(at__date__gte=start, at__date__lte=end))
