"""Online card payment through Stripe Checkout, with no network: the checkout session is
stubbed, and the webhooks are signed here with the webhook secret, as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.test import override_settings
from django.urls import reverse

from backcare.billing.models import Invoice, Payment
from tests.billing.conftest import Billing
from tests.conftest import login_as

SECRET = "whsec_test_backcare"
KEYS = {"STRIPE_SECRET_KEY": "sk_test_backcare", "STRIPE_WEBHOOK_SECRET": SECRET}


def signed(payload: bytes, secret: str = SECRET) -> str:
    """The Stripe-Signature header Stripe would send with ``payload``."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def completed(invoice: Invoice, *, amount: int, session: str = "cs_test_1") -> bytes:
    event = {
        "id": "evt_test_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": session,
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": amount,
                "payment_intent": "pi_test_1",
                "metadata": {"invoice": str(invoice.pk)},
            }
        },
    }
    return json.dumps(event).encode()


def post_webhook(payload: bytes, signature: str) -> Any:
    return login_as(None).post(
        reverse("billing_online:stripe_webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


@pytest.fixture
def invoice(billing: Billing) -> Invoice:
    billing.attend(billing.session(program=False))
    return Invoice.objects.get()


def test_online_payment_is_off_without_the_keys(billing: Billing, invoice: Invoice) -> None:
    alice = login_as(billing.clinic.alice.user)
    assert "by card" not in alice.get(reverse("portal_billing:home")).content.decode()
    assert alice.post(reverse("portal_billing:pay_online", args=[invoice.pk])).status_code == 404
    payload = completed(invoice, amount=9500)
    assert post_webhook(payload, signed(payload)).status_code == 404


@override_settings(**KEYS)
def test_the_client_is_sent_to_checkout_for_the_balance(
    billing: Billing, invoice: Invoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: dict[str, Any] = {}

    def create(**kwargs: Any) -> SimpleNamespace:
        asked.update(kwargs)
        return SimpleNamespace(url="https://checkout.stripe.test/cs_test_1")

    monkeypatch.setattr(stripe.checkout.Session, "create", create)
    alice = login_as(billing.clinic.alice.user)
    assert "Pay $95.00 by card" in alice.get(reverse("portal_billing:home")).content.decode()
    response = alice.post(reverse("portal_billing:pay_online", args=[invoice.pk]))
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.test/cs_test_1"
    assert asked["line_items"][0]["price_data"]["unit_amount"] == 9500
    assert asked["metadata"] == {"invoice": str(invoice.pk)}


@override_settings(**KEYS)
def test_a_signed_webhook_records_the_payment_once(billing: Billing, invoice: Invoice) -> None:
    payload = completed(invoice, amount=9500)
    assert post_webhook(payload, signed(payload)).status_code == 200
    assert post_webhook(payload, signed(payload)).status_code == 200  # Stripe retries
    payment = Payment.objects.get()
    assert (payment.method, payment.amount_cents, payment.reference) == (
        "online",
        9500,
        "pi_test_1",
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid"


@override_settings(**KEYS)
def test_a_webhook_with_a_wrong_signature_records_nothing(
    billing: Billing, invoice: Invoice
) -> None:
    payload = completed(invoice, amount=9500)
    assert post_webhook(payload, signed(payload, "whsec_someone_else")).status_code == 400
    assert post_webhook(payload, "").status_code == 400
    tampered = completed(invoice, amount=1)
    assert post_webhook(tampered, signed(payload)).status_code == 400
    assert not Payment.objects.exists()
