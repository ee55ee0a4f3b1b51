"""A double-click never charges twice: two requests with the same form token at once, each on
its own connection, record one payment (PostgreSQL, real concurrency)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from backcare.billing import actions
from backcare.billing.models import Invoice, Payment
from tests.billing.conftest import Billing
from tests.scheduling.test_race import run_together

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_presses_of_pay_record_one_payment(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()

    def press() -> Payment:
        return actions.record_payment(
            c.front_desk, invoice, method="card", amount_cents=9500, key="one-form"
        )

    results = run_together([press, press, press])
    assert all(isinstance(result, Payment) for result in results), results
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.paid_cents, invoice.status) == (9500, "paid")


@pytest.mark.django_db(transaction=True)
def test_two_desks_paying_at_once_never_pay_beyond_the_total(billing: Billing) -> None:
    c = billing.clinic
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()

    def pay(key: str) -> Callable[[], Payment]:
        return lambda: actions.record_payment(
            c.front_desk, invoice, method="cash", amount_cents=9500, key=key
        )

    results = run_together([pay("a"), pay("b")])
    assert sum(isinstance(result, Payment) for result in results) == 1
    invoice.refresh_from_db()
    assert invoice.paid_cents == 9500


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_taken_at_once_have_no_gaps(billing: Billing) -> None:
    c = billing.clinic
    work = [
        (lambda: actions.issue_gift_card(c.front_desk, c.bob, c.location, 1000)) for _ in range(6)
    ]
    run_together(work)
    numbers = sorted(Invoice.objects.filter(location=c.location).values_list("number", flat=True))
    assert numbers == list(range(1, 7))


def test_the_database_refuses_an_invoice_that_differs_from_its_lines(billing: Billing) -> None:
    from django.db import DatabaseError, transaction

    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE billing_invoice SET subtotal_cents = 1, total_cents = 1 WHERE id = %s",
            [invoice.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_to_delete_a_payment(billing: Billing) -> None:
    from django.db import DatabaseError, transaction

    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get()
    actions.record_payment(None, invoice, method="cash", amount_cents=100, key="k")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_payment")
