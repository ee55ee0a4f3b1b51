"""Optional online card payments through Stripe Checkout, on only when the clinic has set both
``STRIPE_SECRET_KEY`` and ``STRIPE_WEBHOOK_SECRET``. The client is sent to Stripe's page for the
invoice's balance; Stripe tells us it was paid by a webhook whose signature is checked against
the webhook secret, and the payment is recorded once however often Stripe sends it (its
checkout session names the payment's key)."""

from __future__ import annotations

import json
from typing import Any

import stripe
from django.conf import settings

from backcare.billing import actions
from backcare.billing.models import Invoice, Payment, PaymentMethod


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
    return actions.record_payment(
        None,
        invoice,
        method=PaymentMethod.ONLINE,
        amount_cents=int(session["amount_total"]),
        key=f"stripe-{session['id']}",
        reference=str(session.get("payment_intent") or session["id"]),
    )
