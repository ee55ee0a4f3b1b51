"""The database itself keeps the ledger's promises, on SQLite as on PostgreSQL: a raw write
that breaks one is refused, whatever code sent it (SPEC §9)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from backcare.billing import actions
from backcare.billing.models import GiftCard, Invoice
from tests.billing.conftest import Billing


@contextmanager
def refused() -> Iterator[None]:
    """The write inside is refused by the database, at once or when it would commit."""
    with pytest.raises(DatabaseError), transaction.atomic():
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _issued(billing: Billing) -> Invoice:
    billing.attend(billing.session(program=False))
    return Invoice.objects.get()


def test_an_invoice_total_that_differs_from_its_lines_is_refused(billing: Billing) -> None:
    invoice = _issued(billing)
    with refused():
        _execute(
            "UPDATE billing_invoice SET subtotal_cents = 1, total_cents = 1 WHERE id = %s",
            [invoice.pk],
        )
    with refused():
        _execute(
            "UPDATE billing_invoiceline SET net_cents = 1, unit_cents = 1, quantity = 1 "
            "WHERE invoice_id = %s",
            [invoice.pk],
        )
    invoice.refresh_from_db()
    assert (invoice.subtotal_cents, invoice.total_cents) == (9500, 9500)


def test_a_line_slipped_into_an_issued_invoice_is_refused(billing: Billing) -> None:
    invoice = _issued(billing)
    with refused():
        _execute(
            "INSERT INTO billing_invoiceline (invoice_id, description, service_code, quantity, "
            "unit_cents, tax_rate_bp, net_cents, tax_cents) "
            "VALUES (%s, 'Extra', '', 1, 500, 0, 500, 0)",
            [invoice.pk],
        )
    assert invoice.lines.count() == 1


def test_an_invoice_with_a_total_and_no_lines_is_refused(billing: Billing) -> None:
    invoice = _issued(billing)
    with refused():
        _execute(
            "INSERT INTO billing_invoice (location_id, number, client_id, kind, status, "
            "issued_at, issued_on, reason, subtotal_cents, tax_cents, total_cents, paid_cents) "
            "VALUES (%s, 999, %s, 'session', 'open', %s, %s, '', 5000, 0, 5000, 0)",
            [invoice.location_id, invoice.client_id, invoice.issued_at, invoice.issued_on],
        )
    assert Invoice.objects.count() == 1


def test_a_balance_below_nothing_is_refused(billing: Billing) -> None:
    invoice = _issued(billing)
    with refused():  # paid beyond the total: a negative balance
        _execute(
            "UPDATE billing_invoice SET paid_cents = total_cents + 1 WHERE id = %s", [invoice.pk]
        )
    c = billing.clinic
    card = actions.issue_gift_card(c.front_desk, c.bob, invoice.location, 1000)
    with refused():  # a gift card spent beyond nothing
        _execute("UPDATE billing_giftcard SET balance_cents = -1 WHERE id = %s", [card.pk])
    assert GiftCard.objects.get(pk=card.pk).balance_cents == 1000


@pytest.mark.parametrize(
    "table",
    ["billing_invoice", "billing_invoiceline", "billing_payment", "billing_giftcard"],
)
def test_ledger_rows_are_never_deleted_by_a_raw_delete(billing: Billing, table: str) -> None:
    invoice = _issued(billing)
    actions.record_payment(None, invoice, method="cash", amount_cents=100, key="k")
    actions.issue_gift_card(billing.clinic.front_desk, billing.clinic.bob, invoice.location, 1000)
    with refused():
        _execute(f"DELETE FROM {table}")  # noqa: S608 (a table of the list above)
    assert Invoice.objects.count() == 2
