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

from backcare.audit.models import AuditEvent
from backcare.billing import actions
from backcare.billing.models import Invoice, Payment
from tests.billing.conftest import Billing
from tests.conftest import login_as
from tests.pages import text

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


@override_settings(**KEYS)
def test_a_webhook_for_more_than_the_balance_is_left_for_the_owner_to_refund(
    billing: Billing, invoice: Invoice
) -> None:
    c = billing.clinic
    # Alice paid at the desk while Stripe's page was open, and then paid online too.
    actions.record_payment(c.front_desk, invoice, method="cash", amount_cents=9500, key="desk")
    payload = completed(invoice, amount=9500)

    assert post_webhook(payload, signed(payload)).status_code == 200  # Stripe must not retry
    assert post_webhook(payload, signed(payload)).status_code == 200  # it may send it again

    assert Payment.objects.get().method == "cash", "the ledger takes no more than is owed"
    event = AuditEvent.objects.get(action="payment.online_unrecorded")  # noted once
    assert event.client == c.alice
    assert event.changes["amount"]["after"] == "$95.00"
    owner = login_as(c.owner)
    page = text(owner.get(reverse("billing:invoice", args=[invoice.pk])))
    assert "Stripe took a card payment of $95.00 online for this invoice on" in page
    assert "but the invoice was already paid, so Backcare did not record it." in page
    assert "Refund it to Alice Anders from your Stripe dashboard (payment pi_test_1)." in page
    reports = text(owner.get(reverse("billing:reports")))
    assert "Card payments to refund" in reports
    assert f'<a href="{reverse("billing:invoice", args=[invoice.pk])}">' in reports
    log = text(owner.get(reverse("audit:log")))
    assert (
        "Stripe took a card payment from Alice Anders online that Backcare could not record" in log
    )


@override_settings(**KEYS)
def test_a_webhook_within_the_balance_leaves_nothing_to_refund(
    billing: Billing, invoice: Invoice
) -> None:
    payload = completed(invoice, amount=9500)
    post_webhook(payload, signed(payload))

    assert not AuditEvent.objects.filter(action="payment.online_unrecorded").exists()
    owner = login_as(billing.clinic.owner)
    assert "Card payments to refund" not in text(owner.get(reverse("billing:reports")))
