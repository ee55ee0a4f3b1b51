"""The ledger's named actions: sessions, packages, fees, payments, refunds, voids, gift cards
and the day-end close, as the front desk and the owner meet them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from backcare.audit.models import AuditEvent
from backcare.billing import actions
from backcare.billing.ledger import LedgerError
from backcare.billing.models import CreditUse, Invoice, InvoiceLine, Package, Payment
from backcare.booking import actions as scheduling
from tests import factories
from tests.billing.conftest import NOW, Billing

TODAY = NOW.date()


def _package(b: Billing, *, expires: dt.date | None = None) -> Package:
    return actions.sell_package(
        b.clinic.front_desk,
        b.program,
        location=b.clinic.location,
        sessions=10,
        paid_sessions=9,
        expires_on=expires or TODAY + dt.timedelta(days=180),
        now=NOW,
    )


def test_an_attended_session_is_invoiced_at_the_location_price(billing: Billing) -> None:
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get(kind="session")
    assert (invoice.total_cents, invoice.balance_cents, invoice.status) == (9500, 9500, "open")
    assert invoice.lines.get().service_code == "97124"
    assert AuditEvent.objects.filter(action="invoice.issued").count() == 1


def test_tax_is_added_per_location(billing: Billing) -> None:
    c = billing.clinic
    actions.set_price(c.owner, c.service, c.location, amount_cents=10000, tax_rate_bp=700)
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get(kind="session")
    assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (10000, 700, 10700)


def test_the_package_is_ten_sessions_for_the_price_of_nine(billing: Billing) -> None:
    package = _package(billing)
    invoice = package.invoices.get()
    assert invoice.total_cents == 85500
    assert "10 sessions" in invoice.lines.get().description


def test_package_sessions_use_credits_and_are_not_invoiced(billing: Billing) -> None:
    package = _package(billing)
    for day in range(10):
        billing.attend(billing.session(day * 7))
    assert actions.credits_left(package) == 0
    assert not Invoice.objects.filter(kind="session").exists()
    billing.attend(billing.session(70))  # the eleventh: no credit left
    assert Invoice.objects.filter(kind="session").count() == 1


def test_an_expired_package_is_not_used(billing: Billing) -> None:
    _package(billing, expires=TODAY + dt.timedelta(days=3))
    billing.attend(billing.session(7))
    assert Invoice.objects.filter(kind="session").count() == 1


def test_a_cancelled_package_session_keeps_its_credit(billing: Billing) -> None:
    package = _package(billing)
    scheduling.cancel_appointment(billing.clinic.front_desk, billing.session(7), "Away", now=NOW)
    assert actions.credits_left(package) == 10


def test_a_credit_is_used_once_per_session(billing: Billing) -> None:
    package = _package(billing)
    appointment = billing.attend(billing.session())
    assert actions.bill_attended_session(None, appointment) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditUse.objects.create(package=package, appointment=appointment, used_at=NOW)
    assert actions.credits_left(package) == 9


def test_a_late_cancellation_is_charged_the_policy_fee(billing: Billing) -> None:
    appointment = billing.session()  # in two hours: inside the 24-hour window
    scheduling.cancel_appointment(billing.clinic.front_desk, appointment, "Sick", now=NOW)
    fee = Invoice.objects.get(kind="fee")
    assert fee.total_cents == 4000
    assert fee.lines.get().description.startswith("Late-cancellation fee")


def test_an_early_cancellation_costs_nothing(billing: Billing) -> None:
    scheduling.cancel_appointment(billing.clinic.front_desk, billing.session(3), "", now=NOW)
    assert not Invoice.objects.exists()


def test_a_no_show_is_charged_the_policy_fee(billing: Billing) -> None:
    appointment = billing.session()
    scheduling.mark_no_show(billing.clinic.front_desk, appointment, appointment.ends)
    assert Invoice.objects.get(kind="fee").total_cents == 6000


def test_a_session_cancelled_by_a_hold_is_never_charged(billing: Billing) -> None:
    scheduling.cancel_appointment(None, billing.session(), "On hold", now=NOW, held=True)
    assert not Invoice.objects.exists()


def test_a_session_missed_under_a_hold_is_never_charged(billing: Billing) -> None:
    c = billing.clinic
    factories.screened(c.alice, ["history_of_cancer"], actor=c.owner)  # clearance needed
    appointment = billing.session()
    scheduling.mark_no_show(c.front_desk, appointment, appointment.ends)
    assert not Invoice.objects.exists()


def test_the_owner_waives_a_fee_with_a_reason(billing: Billing) -> None:
    c = billing.clinic
    scheduling.cancel_appointment(c.front_desk, billing.session(), "Sick", now=NOW)
    fee = Invoice.objects.get(kind="fee")
    with pytest.raises(LedgerError, match="reason"):
        actions.waive_fee(c.owner, fee, " ", NOW)
    credit_note = actions.waive_fee(c.owner, fee, "Flu: first time", NOW)
    fee.refresh_from_db()
    assert fee.status == "void" and credit_note.total_cents == -4000
    assert credit_note.voids == fee
    event = AuditEvent.objects.get(action="fee.waived")
    assert event.changes["reason"]["after"] == "Flu: first time"


def test_partial_payments_then_the_balance(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    actions.record_payment(c.front_desk, invoice, method="cash", amount_cents=5000, key="k1")
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (5000, "open")
    actions.record_payment(c.front_desk, invoice, method="hsa_fsa", amount_cents=4500, key="k2")
    invoice.refresh_from_db()
    assert (invoice.balance_cents, invoice.status) == (0, "paid")


def test_the_same_form_sent_twice_records_one_payment(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    first = actions.record_payment(c.front_desk, invoice, method="card", amount_cents=9500, key="k")
    again = actions.record_payment(c.front_desk, invoice, method="card", amount_cents=9500, key="k")
    assert first == again and Payment.objects.count() == 1


def test_a_payment_beyond_the_balance_is_refused(billing: Billing) -> None:
    billing.attend(billing.session(program=False))
    with pytest.raises(LedgerError, match="more than the balance") as refused:
        actions.record_payment(
            None, Invoice.objects.get(), method="cash", amount_cents=9501, key="k"
        )
    assert refused.value.field == "amount"


def test_a_refund_gives_back_part_of_a_payment(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    payment = actions.record_payment(
        c.front_desk, invoice, method="card", amount_cents=9500, key="p"
    )
    actions.refund_payment(c.owner, payment, amount_cents=2000, key="r", reason="Shortened session")
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (7500, "open")
    with pytest.raises(LedgerError, match=r"At most \$75.00"):
        actions.refund_payment(c.owner, payment, amount_cents=8000, key="r2", reason="Again")


def test_a_paid_invoice_is_voided_only_after_a_refund(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    payment = actions.record_payment(
        c.front_desk, invoice, method="cash", amount_cents=9500, key="p"
    )
    with pytest.raises(LedgerError, match="refund them"):
        actions.void_invoice(c.owner, invoice, "Billed in error")
    actions.refund_payment(c.owner, payment, amount_cents=9500, key="r", reason="Billed in error")
    actions.void_invoice(c.owner, invoice, "Billed in error")
    assert Invoice.objects.filter(kind="credit_note").get().total_cents == -9500


def test_a_gift_card_pays_and_a_refund_returns_its_balance(billing: Billing) -> None:
    c = billing.clinic
    card = actions.issue_gift_card(c.front_desk, c.bob, c.location, 5000, NOW)
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get(kind="session")
    with pytest.raises(LedgerError, match=r"has \$50.00 left"):
        actions.record_payment(
            c.front_desk,
            invoice,
            method="gift_card",
            amount_cents=9500,
            key="a",
            gift_card_code=card.code,
        )
    payment = actions.record_payment(
        c.front_desk,
        invoice,
        method="gift_card",
        amount_cents=5000,
        key="b",
        gift_card_code=card.code.lower(),
    )
    card.refresh_from_db()
    assert card.balance_cents == 0
    actions.refund_payment(c.owner, payment, amount_cents=5000, key="c", reason="Wrong card")
    card.refresh_from_db()
    assert card.balance_cents == 5000


def test_invoices_are_numbered_per_location_without_gaps(billing: Billing) -> None:
    c = billing.clinic
    uptown = factories.LocationFactory.create(name="Uptown")
    actions.issue_gift_card(c.front_desk, c.bob, c.location, 1000, NOW)
    actions.issue_gift_card(c.front_desk, c.bob, uptown, 1000, NOW)
    with pytest.raises(LedgerError), transaction.atomic():
        actions.issue_gift_card(c.front_desk, c.bob, c.location, 0, NOW)
    actions.issue_gift_card(c.front_desk, c.bob, c.location, 1000, NOW)
    numbers = {
        location: sorted(Invoice.objects.filter(location=location).values_list("number", flat=True))
        for location in (c.location, uptown)
    }
    assert numbers == {c.location: [1, 2], uptown: [1]}


def test_ledger_records_are_never_deleted(billing: Billing) -> None:
    billing.attend(billing.session(program=False))
    with pytest.raises(PermissionError):
        Invoice.objects.get().delete()
    with pytest.raises(PermissionError):
        InvoiceLine.objects.all().delete()


def test_the_day_end_close_compares_counted_with_expected_cash(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    at = NOW + dt.timedelta(hours=3)
    actions.record_payment(c.front_desk, invoice, method="cash", amount_cents=6000, key="a", now=at)
    actions.record_payment(c.front_desk, invoice, method="card", amount_cents=3500, key="b", now=at)
    closing = actions.close_day(
        c.front_desk, c.location, TODAY, counted_cash_cents=5900, note="Till short", now=at
    )
    assert (closing.expected_cash_cents, closing.difference_cents) == (6000, -100)
    with pytest.raises(LedgerError, match="already closed"):
        actions.close_day(c.front_desk, c.location, TODAY, counted_cash_cents=5900, now=at)
