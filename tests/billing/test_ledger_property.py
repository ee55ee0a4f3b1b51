"""A property of the whole ledger: whatever the desk does, in any order — sessions attended,
packages sold, payments, refunds, late cancellations, no-shows, voids, double-clicks — every
invoice equals its lines, payments less refunds are what the ledger says is paid, no credit is
used twice or beyond its package, and nothing is ever deleted."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.billing import actions
from backcare.billing.ledger import LedgerError
from backcare.billing.models import CreditUse, Invoice, InvoiceLine, Package, Payment
from backcare.booking import actions as scheduling
from tests.billing.conftest import NOW, Billing

fraction = st.integers(1, 100)
step = st.one_of(
    st.tuples(st.just("attend"), st.booleans()),
    st.tuples(st.just("package"), st.integers(1, 4)),
    st.tuples(
        st.just("pay"), st.integers(0, 20), fraction, st.sampled_from(["cash", "card", "hsa_fsa"])
    ),
    st.tuples(st.just("pay_twice"), st.integers(0, 20)),
    st.tuples(st.just("refund"), st.integers(0, 20), fraction),
    st.tuples(st.just("late_cancel"), st.booleans()),
    st.tuples(st.just("no_show"), st.booleans()),
    st.tuples(st.just("void"), st.integers(0, 20)),
)


class Desk:
    def __init__(self, billing: Billing) -> None:
        self.b = billing
        self.days = 0
        self.keys = 0
        self.taken = 0  # what the desk saw succeed: payments less refunds
        self.seen_invoices: set[int] = set()
        self.seen_payments: set[int] = set()

    def key(self) -> str:
        self.keys += 1
        return f"form-{self.keys}"

    def session(self, in_program: bool) -> Any:
        self.days += 1
        return self.b.session(self.days, program=in_program)

    def pick(self, model: Any, index: int) -> Any:
        rows = list(model.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def do(self, kind: str, *args: Any) -> None:
        c = self.b.clinic
        at = NOW + dt.timedelta(days=self.days, hours=4)
        if kind == "attend":
            self.b.attend(self.session(args[0]))
        elif kind == "package":
            actions.sell_package(
                c.front_desk,
                self.b.program,
                location=c.location,
                sessions=args[0],
                paid_sessions=args[0],
                expires_on=NOW.date() + dt.timedelta(days=365),
                now=NOW,
            )
        elif kind in ("pay", "pay_twice"):
            invoice = self.pick(Invoice.objects.exclude(kind="credit_note"), args[0])
            if invoice is None or invoice.balance_cents <= 0:
                return
            share = args[1] if kind == "pay" else 100
            amount = max(1, invoice.balance_cents * share // 100)
            key = self.key()
            for _ in range(2 if kind == "pay_twice" else 1):
                actions.record_payment(
                    c.front_desk,
                    invoice,
                    method=args[2] if kind == "pay" else "card",
                    amount_cents=amount,
                    key=key,
                    now=at,
                )
            self.taken += amount
        elif kind == "refund":
            payment = self.pick(Payment.objects.filter(is_refund=False), args[0])
            if payment is None or actions.refundable_cents(payment) == 0:
                return
            amount = max(1, actions.refundable_cents(payment) * args[1] // 100)
            actions.refund_payment(
                c.owner, payment, amount_cents=amount, key=self.key(), reason="Asked"
            )
            self.taken -= amount
        elif kind == "late_cancel":
            scheduling.cancel_appointment(
                c.front_desk,
                self.session(args[0]),
                "",
                now=NOW + dt.timedelta(days=self.days, hours=1),
            )
        elif kind == "no_show":
            appointment = self.session(args[0])
            scheduling.mark_no_show(c.front_desk, appointment, appointment.ends)
        elif kind == "void":
            invoice = self.pick(Invoice.objects.exclude(kind="credit_note"), args[0])
            if invoice is not None:
                actions.void_invoice(c.owner, invoice, "Billed in error")

    def check(self) -> None:
        for invoice in Invoice.objects.all():
            lines = InvoiceLine.objects.filter(invoice=invoice)
            assert invoice.subtotal_cents == sum(line.net_cents for line in lines)
            assert invoice.tax_cents == sum(line.tax_cents for line in lines)
            assert invoice.total_cents == sum(line.total_cents for line in lines)
            paid = sum(p.signed_cents for p in Payment.objects.filter(invoice=invoice))
            assert invoice.paid_cents == paid
            assert 0 <= invoice.paid_cents <= max(invoice.total_cents, 0)
            if invoice.status == "void" and invoice.kind != "credit_note":
                assert invoice.credit_note.total_cents == -invoice.total_cents
        assert (Invoice.objects.aggregate(s=Sum("paid_cents"))["s"] or 0) == self.taken
        uses = Counter(CreditUse.objects.values_list("appointment_id", flat=True))
        assert all(count == 1 for count in uses.values())
        for package in Package.objects.all():
            assert package.uses.count() <= package.sessions
        invoices = set(Invoice.objects.values_list("pk", flat=True))
        payments = set(Payment.objects.values_list("pk", flat=True))
        assert self.seen_invoices <= invoices and self.seen_payments <= payments
        self.seen_invoices, self.seen_payments = invoices, payments


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=14))
def test_the_ledger_always_adds_up(billing: Billing, steps: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():
        desk = Desk(billing)
        for kind, *args in steps:
            with contextlib.suppress(LedgerError):  # refused with a message; nothing written
                desk.do(kind, *args)
            desk.check()
        transaction.set_rollback(True)
