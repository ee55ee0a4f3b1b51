"""The ledger's rules: money in integer cents, tax, invoice totals, packages, balances and the
cash count. Pure: no Django, no clock, no database; the actions pass plain values in.

Tax rates are in basis points (hundredths of a percent: 700 is 7%), so that no rate needs a
float. Every rounding is to the nearest cent, halves away from zero, as a till rounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from backcare.lib.errors import FieldError

BASIS_POINTS = 10_000  # 100%
MAX_CENTS = 10_000_000  # $100,000: no line of a massage clinic is larger

AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–30 days", 0, 30),
    ("31–60 days", 31, 60),
    ("61–90 days", 61, 90),
    ("over 90 days", 91, None),
)


class LedgerError(FieldError):
    """Money that cannot be recorded: ``field`` names the form field it came from."""


def _round_half_away(numerator: int, denominator: int) -> int:
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if remainder * 2 >= abs(denominator):
        quotient += 1
    return sign * quotient


def tax_cents(net_cents: int, rate_bp: int) -> int:
    """The tax on ``net_cents`` at ``rate_bp`` basis points, to the nearest cent."""
    return _round_half_away(net_cents * rate_bp, BASIS_POINTS)


@dataclass(frozen=True)
class Line:
    """One line of an invoice as the ledger sees it."""

    description: str
    quantity: int
    unit_cents: int
    tax_rate_bp: int = 0

    @property
    def net_cents(self) -> int:
        return self.quantity * self.unit_cents

    @property
    def tax_cents(self) -> int:
        return tax_cents(self.net_cents, self.tax_rate_bp)

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents

    def negated(self) -> Line:
        """The same line taken back, for a credit note."""
        return Line(self.description, -self.quantity, self.unit_cents, self.tax_rate_bp)


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    tax_cents: int

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.tax_cents


def totals(lines: Iterable[Line]) -> Totals:
    """An invoice's totals: always the sum of its lines, each line taxed on its own."""
    rows = list(lines)
    return Totals(
        subtotal_cents=sum(line.net_cents for line in rows),
        tax_cents=sum(line.tax_cents for line in rows),
    )


def package_price_cents(unit_cents: int, sessions: int, paid_sessions: int) -> int:
    """``sessions`` credits for the price of ``paid_sessions`` (ten for the price of nine)."""
    if sessions < 1:
        raise LedgerError("sessions", "A package has at least one session.")
    if not 1 <= paid_sessions <= sessions:
        raise LedgerError(
            "paid_sessions", "The sessions paid for must be between one and the sessions given."
        )
    return unit_cents * paid_sessions


def credit_value_cents(package_total_cents: int, sessions: int, remaining: int) -> int:
    """What the unused credits of a package are worth: its price shared evenly by its
    sessions (the liability the clinic owes in sessions not yet given)."""
    if sessions <= 0:
        return 0
    return _round_half_away(package_total_cents * remaining, sessions)


def balance_cents(total_cents: int, paid_cents: int) -> int:
    return total_cents - paid_cents


def check_payment(amount_cents: int, balance: int) -> None:
    """A payment is more than nothing and no more than what is owed."""
    if amount_cents <= 0:
        raise LedgerError("amount", "Enter an amount more than $0.00.")
    if amount_cents > balance:
        raise LedgerError("amount", f"That is more than the balance of {format_cents(balance)}.")


def check_refund(amount_cents: int, refundable: int) -> None:
    if amount_cents <= 0:
        raise LedgerError("amount", "Enter an amount more than $0.00.")
    if amount_cents > refundable:
        raise LedgerError(
            "amount", f"At most {format_cents(refundable)} of this payment can be refunded."
        )


def age_bucket(days: int) -> str:
    """The age column an unpaid balance falls in, by days since the invoice was issued."""
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]


_AMOUNT = re.compile(r"^\$?\s*(\d{1,7})(?:\.(\d{1,2}))?$")


def parse_cents(text: str, field: str = "amount") -> int:
    """``"95"``, ``"95.5"``, ``"$1,095.50"`` → cents. A clear :class:`LedgerError` otherwise."""
    cleaned = text.strip().replace(",", "")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise LedgerError(field, "Enter an amount in dollars, such as 95.00.")
    dollars, cents = match.groups()
    value = int(dollars) * 100 + int((cents or "0").ljust(2, "0"))
    if value > MAX_CENTS:
        raise LedgerError(field, "That amount is too large.")
    return value


def format_cents(cents: int) -> str:
    """``-1234`` → ``-$12.34``."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def cash_difference(expected_cents: int, counted_cents: int) -> int:
    """Counted less expected: positive is over, negative is short."""
    return counted_cents - expected_cents
