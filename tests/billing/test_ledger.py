"""The ledger's arithmetic, without a database: tax, totals, packages, amounts typed in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.billing import ledger
from backcare.billing.ledger import LedgerError, Line


@pytest.mark.parametrize(
    ("net", "rate", "tax"),
    [
        (9500, 0, 0),
        (9500, 700, 665),
        (1, 5000, 1),  # half a cent rounds up
        (-1, 5000, -1),  # and a credit note's half cent rounds away from zero too
        (9999, 825, 825),
    ],
)
def test_tax_is_rounded_to_the_nearest_cent(net: int, rate: int, tax: int) -> None:
    assert ledger.tax_cents(net, rate) == tax


lines = st.lists(
    st.builds(
        Line,
        st.just("Massage"),
        st.integers(1, 12),
        st.integers(0, 50_000),
        st.integers(0, 2_000),
    ),
    max_size=8,
)


@given(lines)
def test_an_invoice_total_is_the_sum_of_its_lines(rows: list[Line]) -> None:
    totals = ledger.totals(rows)
    assert totals.total_cents == sum(row.total_cents for row in rows)


@given(lines)
def test_a_credit_note_takes_back_exactly_what_was_invoiced(rows: list[Line]) -> None:
    assert (
        ledger.totals(row.negated() for row in rows).total_cents == -ledger.totals(rows).total_cents
    )


def test_ten_sessions_for_the_price_of_nine() -> None:
    assert ledger.package_price_cents(9500, 10, 9) == 85500


@pytest.mark.parametrize(
    ("sessions", "paid", "field"), [(0, 0, "sessions"), (10, 11, "paid_sessions")]
)
def test_a_package_must_make_sense(sessions: int, paid: int, field: str) -> None:
    with pytest.raises(LedgerError) as refused:
        ledger.package_price_cents(9500, sessions, paid)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("typed", "cents"), [("95", 9500), ("95.5", 9550), ("$1,095.50", 109550), (" 0.07 ", 7)]
)
def test_amounts_are_read_as_dollars(typed: str, cents: int) -> None:
    assert ledger.parse_cents(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "9.999", "-5", "1e3"])
def test_a_bad_amount_names_the_field(typed: str) -> None:
    with pytest.raises(LedgerError, match="amount in dollars") as refused:
        ledger.parse_cents(typed)
    assert refused.value.field == "amount"


def test_a_payment_cannot_exceed_the_balance() -> None:
    with pytest.raises(LedgerError, match=r"more than the balance of \$10.00"):
        ledger.check_payment(1001, 1000)


@pytest.mark.parametrize(
    ("days", "bucket"), [(0, "0–30 days"), (45, "31–60 days"), (200, "over 90 days")]
)
def test_balances_are_aged_by_days(days: int, bucket: str) -> None:
    assert ledger.age_bucket(days) == bucket


def test_unused_credits_are_worth_their_share_of_the_package() -> None:
    assert ledger.credit_value_cents(85500, 10, 7) == 59850


def test_money_reads_as_dollars() -> None:
    assert ledger.format_cents(-123456) == "-$1,234.56"
