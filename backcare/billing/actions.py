"""The ledger's named writes (SPEC §9): each validates, saves in one transaction and writes its
audit row. Invoices are numbered under a lock on the location's counter, so numbers run
without gaps; nothing is ever deleted (an invoice is voided by a credit note, a payment taken
back by a refund); payments and refunds carry the key of the form they came from, so a second
press records nothing more."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from backcare.audit.log import record
from backcare.billing import identifiers, ledger
from backcare.billing.ledger import LedgerError
from backcare.billing.models import (
    ClientBilling,
    CreditUse,
    DayClose,
    FeeSchedule,
    GiftCard,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Package,
    Payment,
    PaymentMethod,
    Price,
    ProviderNumbers,
)
from backcare.clinic.models import Client, Location, Service, Therapist
from backcare.holds.queries import booking_hold

if TYPE_CHECKING:
    from backcare.accounts.models import User
    from backcare.booking.models import Appointment
    from backcare.care.models import Program

_T = TypeVar("_T")
FeeKind = Literal["late_cancellation", "no_show"]
FEE_WORDS: dict[FeeKind, str] = {
    "late_cancellation": "Late-cancellation fee",
    "no_show": "No-show fee",
}


@dataclass(frozen=True)
class PriceQuote:
    unit_cents: int
    tax_rate_bp: int
    service_code: str


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _local_day(location: Location, at: dt.datetime) -> dt.date:
    return at.astimezone(location.zone).date()


def price_for(service: Service, location: Location) -> PriceQuote:
    """The service's price at the location; without one set there, the service's list price,
    untaxed."""
    price = Price.objects.filter(service=service, location=location).first()
    if price is not None:
        return PriceQuote(price.amount_cents, price.tax_rate_bp, price.service_code)
    return PriceQuote(int(Decimal(service.price) * 100), 0, "")


@dataclass(frozen=True)
class NewLine:
    line: ledger.Line
    service_code: str = ""


def _next_number(location: Location) -> int:
    """The next invoice number of the location, under a lock on its counter row: two invoices
    issued at once wait for each other, and a rolled-back one gives its number back."""
    InvoiceCounter.objects.get_or_create(location=location)
    counter = InvoiceCounter.objects.select_for_update().get(location=location)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _issue(
    actor: User | None,
    *,
    location: Location,
    client: Client,
    kind: InvoiceKind,
    lines: Sequence[NewLine],
    now: dt.datetime,
    appointment: Appointment | None = None,
    therapist: Therapist | None = None,
    package: Package | None = None,
    gift_card: GiftCard | None = None,
    voids: Invoice | None = None,
    reason: str = "",
) -> Invoice:
    totals = ledger.totals(new.line for new in lines)
    invoice = Invoice.objects.create(
        location=location,
        number=_next_number(location),
        client=client,
        kind=kind,
        status=InvoiceStatus.VOID if kind == InvoiceKind.CREDIT_NOTE else InvoiceStatus.OPEN,
        issued_at=now,
        issued_on=_local_day(location, now),
        appointment=appointment,
        therapist=therapist,
        package=package,
        gift_card=gift_card,
        voids=voids,
        reason=reason,
        # Written as nothing, then as the sum of the lines once they are in: SQLite, with no
        # deferred triggers, checks each write (migration 0003), PostgreSQL at commit.
        subtotal_cents=0,
        tax_cents=0,
        total_cents=0,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            description=new.line.description,
            service_code=new.service_code,
            quantity=new.line.quantity,
            unit_cents=new.line.unit_cents,
            tax_rate_bp=new.line.tax_rate_bp,
            net_cents=new.line.net_cents,
            tax_cents=new.line.tax_cents,
        )
        for new in lines
    )
    invoice.subtotal_cents = totals.subtotal_cents
    invoice.tax_cents = totals.tax_cents
    invoice.total_cents = totals.total_cents
    if invoice.total_cents == 0 and kind != InvoiceKind.CREDIT_NOTE:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["subtotal_cents", "tax_cents", "total_cents", "status"])
    record(
        actor,
        "invoice.issued",
        invoice,
        client=client,
        changes={
            "number": {"before": None, "after": invoice.number_text},
            "kind": {"before": None, "after": kind.value},
            "total": {"before": None, "after": ledger.format_cents(invoice.total_cents)},
        },
    )
    return invoice


# --- Sessions and packages --------------------------------------------------------------------


def credits_left(package: Package) -> int:
    return package.sessions - package.uses.count()


def _usable_package(appointment: Appointment, day: dt.date) -> Package | None:
    """The oldest package of the session's program with a credit left on ``day``, locked."""
    if appointment.program_id is None:
        return None
    for package in (
        Package.objects.select_for_update()
        .filter(program_id=appointment.program_id, voided=False, expires_on__gte=day)
        .order_by("sold_at", "pk")
    ):
        if credits_left(package) > 0:
            return package
    return None


@transaction.atomic
def bill_attended_session(
    actor: User | None, appointment: Appointment, now: dt.datetime | None = None
) -> Invoice | CreditUse | None:
    """An attended session uses a credit of its program's package, or else is invoiced at the
    service's price. Asked twice, it bills once."""
    now = _now(now)
    if (
        CreditUse.objects.filter(appointment=appointment).exists()
        or Invoice.objects.filter(appointment=appointment, kind=InvoiceKind.SESSION).exists()
    ):
        return None
    day = _local_day(appointment.location, appointment.starts)
    package = _usable_package(appointment, day)
    if package is not None:
        use = CreditUse.objects.create(package=package, appointment=appointment, used_at=now)
        record(
            actor,
            "package.credit_used",
            package,
            client=appointment.client,
            changes={"credits_left": {"before": None, "after": credits_left(package)}},
        )
        return use
    quote = price_for(appointment.service, appointment.location)
    local = appointment.starts.astimezone(appointment.location.zone)
    line = ledger.Line(
        f"{appointment.service.name}, {local:%B} {local.day}, {local.year}",
        1,
        quote.unit_cents,
        quote.tax_rate_bp,
    )
    return _issue(
        actor,
        location=appointment.location,
        client=appointment.client,
        kind=InvoiceKind.SESSION,
        lines=[NewLine(line, quote.service_code)],
        now=now,
        appointment=appointment,
        therapist=appointment.therapist,
    )


@transaction.atomic
def sell_package(
    actor: User | None,
    program: Program,
    *,
    location: Location,
    sessions: int,
    paid_sessions: int,
    expires_on: dt.date,
    now: dt.datetime | None = None,
) -> Package:
    """Sell the program as ``sessions`` credits for the price of ``paid_sessions``, used by its
    attended sessions until ``expires_on``; one invoice for the package."""
    now = _now(now)
    quote = price_for(program.service, location)
    total = ledger.package_price_cents(quote.unit_cents, sessions, paid_sessions)
    if expires_on <= _local_day(location, now):
        raise LedgerError("expires_on", "The expiry date must be after today.")
    package = Package.objects.create(
        client=program.client,
        program=program,
        location=location,
        sessions=sessions,
        paid_sessions=paid_sessions,
        unit_cents=quote.unit_cents,
        expires_on=expires_on,
        sold_at=now,
        sold_by=actor if actor is not None and actor.is_authenticated else None,
    )
    description = f"Package: {sessions} sessions of {program.service.name}"
    if paid_sessions < sessions:
        description += f" for the price of {paid_sessions}"
    # One line of the sessions paid for; its total is the package's price.
    line = ledger.Line(description, paid_sessions, quote.unit_cents, quote.tax_rate_bp)
    assert line.net_cents == total  # noqa: S101 - the ledger's own arithmetic
    _issue(
        actor,
        location=location,
        client=program.client,
        kind=InvoiceKind.PACKAGE,
        lines=[NewLine(line, quote.service_code)],
        now=now,
        therapist=program.therapist,
        package=package,
    )
    record(
        actor,
        "package.sold",
        package,
        client=program.client,
        changes={
            "sessions": {"before": None, "after": sessions},
            "paid_sessions": {"before": None, "after": paid_sessions},
            "expires_on": {"before": None, "after": expires_on.isoformat()},
        },
    )
    return package


# --- Fees ---------------------------------------------------------------------------------------


def fee_cents(kind: FeeKind) -> int:
    fees = FeeSchedule.current()
    return fees.late_cancellation_cents if kind == "late_cancellation" else fees.no_show_cents


def held_when_missed(appointment: Appointment) -> bool:
    """Was the client under a clinical hold on the session's day (SPEC §2a)? Such a session is
    never charged: the clinic, not the client, stopped it."""
    return (
        booking_hold(appointment.client, _local_day(appointment.location, appointment.starts))
        is not None
    )


@transaction.atomic
def charge_fee(
    actor: User | None, appointment: Appointment, kind: FeeKind, now: dt.datetime | None = None
) -> Invoice | None:
    """The booking policy's fee for a late cancellation or a no-show, as an invoice of its own.
    None when the fee is nothing, the session was held, or the fee is already charged."""
    now = _now(now)
    amount = fee_cents(kind)
    if amount == 0 or held_when_missed(appointment):
        return None
    if Invoice.objects.filter(appointment=appointment, kind=InvoiceKind.FEE).exists():
        return None
    local = appointment.starts.astimezone(appointment.location.zone)
    line = ledger.Line(
        f"{FEE_WORDS[kind]}: {appointment.service.name}, {local:%B} {local.day}, {local.year}",
        1,
        amount,
    )
    invoice = _issue(
        actor,
        location=appointment.location,
        client=appointment.client,
        kind=InvoiceKind.FEE,
        lines=[NewLine(line)],
        now=now,
        appointment=appointment,
        therapist=appointment.therapist,
    )
    record(
        actor,
        "fee.charged",
        invoice,
        client=appointment.client,
        changes={"fee": {"before": None, "after": FEE_WORDS[kind]}},
    )
    return invoice


# --- Voids and waivers --------------------------------------------------------------------------


def _lock_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


@transaction.atomic
def void_invoice(
    actor: User | None,
    invoice: Invoice,
    reason: str,
    now: dt.datetime | None = None,
    *,
    audit: str = "invoice.voided",
) -> Invoice:
    """Void an invoice by a credit note that takes back each of its lines. Its payments must
    be refunded first; a package must have no credit used. Returns the credit note."""
    now = _now(now)
    invoice = _lock_invoice(invoice)
    reason = reason.strip()
    if not reason:
        raise LedgerError("reason", "Please give the reason.")
    if invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status == InvoiceStatus.VOID:
        raise LedgerError("invoice", "This invoice is already void.")
    if invoice.paid_cents > 0:
        raise LedgerError("invoice", "This invoice has payments: refund them before voiding it.")
    if invoice.package_id is not None:
        package = Package.objects.select_for_update().get(pk=invoice.package_id)
        if package.uses.exists():
            raise LedgerError(
                "invoice", "Sessions of this package have been attended: it cannot be voided."
            )
        package.voided = True
        package.save(update_fields=["voided"])
    if invoice.gift_card_id is not None:
        card = GiftCard.objects.select_for_update().get(pk=invoice.gift_card_id)
        if card.balance_cents != card.initial_cents:
            raise LedgerError("invoice", "This gift card has been used: it cannot be voided.")
        card.balance_cents = 0
        card.save(update_fields=["balance_cents"])
    lines = [
        NewLine(
            ledger.Line(row.description, row.quantity, row.unit_cents, row.tax_rate_bp).negated(),
            row.service_code,
        )
        for row in invoice.lines.all()
    ]
    credit_note = _issue(
        actor,
        location=invoice.location,
        client=invoice.client,
        kind=InvoiceKind.CREDIT_NOTE,
        lines=lines,
        now=now,
        appointment=None,
        therapist=invoice.therapist,
        voids=invoice,
        reason=reason,
    )
    invoice.status = InvoiceStatus.VOID
    invoice.save(update_fields=["status"])
    record(
        actor,
        audit,
        invoice,
        client=invoice.client,
        changes={
            "status": {"before": "open", "after": "void"},
            "credit_note": {"before": None, "after": credit_note.number_text},
            "reason": {"before": None, "after": reason},
        },
    )
    return credit_note


def waive_fee(
    actor: User | None, invoice: Invoice, reason: str, now: dt.datetime | None = None
) -> Invoice:
    """The owner waives a policy fee, with the reason: a credit note voids the fee's invoice."""
    if invoice.kind != InvoiceKind.FEE:
        raise LedgerError("invoice", "Only a fee can be waived.")
    return void_invoice(actor, invoice, reason, now, audit="fee.waived")


# --- Payments and refunds -------------------------------------------------------------------


def _same_key(key: str, invoice: Invoice) -> Payment | None:
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.invoice_id != invoice.pk:
        raise LedgerError("key", "This form was already used for another invoice.")
    return existing


def _settle(invoice: Invoice, change_cents: int) -> None:
    invoice.paid_cents += change_cents
    invoice.status = InvoiceStatus.PAID if invoice.balance_cents == 0 else InvoiceStatus.OPEN
    invoice.save(update_fields=["paid_cents", "status"])


def _insert_once(payment: Payment) -> Payment:
    """Insert; a key taken meanwhile by another request refuses the whole action (its
    transaction rolls back, gift card and all)."""
    try:
        with transaction.atomic():
            payment.save(force_insert=True)
    except IntegrityError:
        raise LedgerError(
            "key", "This form was already sent: please open the invoice again."
        ) from None
    return payment


@transaction.atomic
def record_payment(
    actor: User | None,
    invoice: Invoice,
    *,
    method: str,
    amount_cents: int,
    key: str,
    reference: str = "",
    gift_card_code: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """Record money taken for an invoice: all of its balance or part. ``key`` is the form's
    one-time token: the same key again returns the payment already recorded."""
    now = _now(now)
    if not key:
        raise LedgerError("key", "The form has expired: please open the invoice again.")
    if method not in PaymentMethod.values:
        raise LedgerError("method", "Choose how the client paid.")
    existing = _same_key(key, invoice)
    if existing is not None:
        return existing
    invoice = _lock_invoice(invoice)
    existing = _same_key(key, invoice)  # the other request may have committed while we waited
    if existing is not None:
        return existing
    if invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status == InvoiceStatus.VOID:
        raise LedgerError("invoice", "This invoice is void: it takes no payments.")
    ledger.check_payment(amount_cents, invoice.balance_cents)
    card = None
    if method == PaymentMethod.GIFT_CARD:
        card = (
            GiftCard.objects.select_for_update().filter(code=gift_card_code.strip().upper()).first()
        )
        if card is None:
            raise LedgerError("gift_card_code", "There is no gift card with that code.")
        if card.balance_cents < amount_cents:
            raise LedgerError(
                "gift_card_code",
                f"The gift card has {ledger.format_cents(card.balance_cents)} left.",
            )
        card.balance_cents -= amount_cents
        card.save(update_fields=["balance_cents"])
    payment = _insert_once(
        Payment(
            invoice=invoice,
            method=method,
            amount_cents=amount_cents,
            gift_card=card,
            reference=reference.strip()[:200],
            idempotency_key=key,
            recorded_at=now,
            recorded_on=_local_day(invoice.location, now),
            recorded_by=actor if actor is not None and actor.is_authenticated else None,
        )
    )
    _settle(invoice, amount_cents)
    record(
        actor,
        "payment.recorded",
        payment,
        client=invoice.client,
        changes={
            "invoice": {"before": None, "after": invoice.number_text},
            "method": {"before": None, "after": payment.get_method_display()},
            "amount": {"before": None, "after": ledger.format_cents(amount_cents)},
        },
    )
    return payment


def refundable_cents(payment: Payment) -> int:
    refunded = payment.refunds.aggregate(total=Sum("amount_cents"))["total"] or 0
    return payment.amount_cents - refunded


@transaction.atomic
def refund_payment(
    actor: User | None,
    payment: Payment,
    *,
    amount_cents: int,
    key: str,
    reason: str,
    now: dt.datetime | None = None,
) -> Payment:
    """Give back part or all of a payment, by the way it was paid (a gift card gets its
    balance back). The same ``key`` again returns the refund already recorded."""
    now = _now(now)
    if not key:
        raise LedgerError("key", "The form has expired: please open the invoice again.")
    if not reason.strip():
        raise LedgerError("reason", "Please give the reason for the refund.")
    existing = _same_key(key, payment.invoice)
    if existing is not None:
        return existing
    invoice = _lock_invoice(payment.invoice)
    existing = _same_key(key, invoice)
    if existing is not None:
        return existing
    if payment.is_refund:
        raise LedgerError("payment", "A refund cannot itself be refunded.")
    ledger.check_refund(amount_cents, refundable_cents(payment))
    if payment.gift_card_id is not None:
        card = GiftCard.objects.select_for_update().get(pk=payment.gift_card_id)
        card.balance_cents += amount_cents
        card.save(update_fields=["balance_cents"])
    refund = _insert_once(
        Payment(
            invoice=invoice,
            method=payment.method,
            is_refund=True,
            refund_of=payment,
            amount_cents=amount_cents,
            gift_card_id=payment.gift_card_id,
            reference=reason.strip()[:200],
            idempotency_key=key,
            recorded_at=now,
            recorded_on=_local_day(invoice.location, now),
            recorded_by=actor if actor is not None and actor.is_authenticated else None,
        )
    )
    _settle(invoice, -amount_cents)
    record(
        actor,
        "payment.refunded",
        refund,
        client=invoice.client,
        changes={
            "invoice": {"before": None, "after": invoice.number_text},
            "amount": {"before": None, "after": ledger.format_cents(amount_cents)},
            "reason": {"before": None, "after": reason.strip()},
        },
    )
    return refund


def new_form_key() -> str:
    """The one-time token a payment form carries (a hidden field)."""
    return secrets.token_urlsafe(24)


# --- Gift cards -------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@transaction.atomic
def issue_gift_card(
    actor: User | None,
    client: Client,
    location: Location,
    amount_cents: int,
    now: dt.datetime | None = None,
) -> GiftCard:
    """Sell a gift card of ``amount_cents`` to ``client``: a card with a code, and an invoice
    for it."""
    now = _now(now)
    if amount_cents <= 0:
        raise LedgerError("amount", "Enter an amount more than $0.00.")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    card = GiftCard.objects.create(
        code=code,
        client=client,
        initial_cents=amount_cents,
        balance_cents=amount_cents,
        issued_at=now,
    )
    _issue(
        actor,
        location=location,
        client=client,
        kind=InvoiceKind.GIFT_CARD,
        lines=[NewLine(ledger.Line(f"Gift card {code}", 1, amount_cents))],
        now=now,
        gift_card=card,
    )
    record(
        actor,
        "gift_card.issued",
        card,
        client=client,
        changes={"amount": {"before": None, "after": ledger.format_cents(amount_cents)}},
    )
    return card


# --- Settings and the day-end close -------------------------------------------------------


@transaction.atomic
def set_price(
    actor: User | None,
    service: Service,
    location: Location,
    *,
    amount_cents: int,
    tax_rate_bp: int,
    service_code: str = "",
) -> Price:
    if not 0 <= tax_rate_bp <= ledger.BASIS_POINTS:
        raise LedgerError("tax_rate", "The tax rate must be between 0% and 100%.")
    price, _ = Price.objects.select_for_update().get_or_create(
        service=service,
        location=location,
        defaults={"amount_cents": amount_cents, "tax_rate_bp": tax_rate_bp},
    )
    before = {
        "amount": price.amount_cents,
        "tax_rate_bp": price.tax_rate_bp,
        "code": price.service_code,
    }
    price.amount_cents = amount_cents
    price.tax_rate_bp = tax_rate_bp
    price.service_code = service_code.strip()
    price.save()
    record(
        actor,
        "price.set",
        price,
        changes={
            name: {"before": before[name], "after": after}
            for name, after in (
                ("amount", amount_cents),
                ("tax_rate_bp", tax_rate_bp),
                ("code", price.service_code),
            )
        },
    )
    return price


@transaction.atomic
def set_fees(
    actor: User | None, *, late_cancellation_cents: int, no_show_cents: int
) -> FeeSchedule:
    fees = FeeSchedule.current()
    before = (fees.late_cancellation_cents, fees.no_show_cents)
    fees.late_cancellation_cents = late_cancellation_cents
    fees.no_show_cents = no_show_cents
    fees.save()
    record(
        actor,
        "fees.set",
        fees,
        changes={
            "late_cancellation": {"before": before[0], "after": late_cancellation_cents},
            "no_show": {"before": before[1], "after": no_show_cents},
        },
    )
    return fees


def expected_cash_cents(location: Location, day: dt.date) -> int:
    """Cash taken less cash refunded at the location on its ``day``."""
    return expected_cash_by_location([location], day)[location.pk]


def expected_cash_by_location(locations: Iterable[Location], day: dt.date) -> dict[int, int]:
    """``expected_cash_cents`` of each of ``locations`` (by id), in one query."""
    totals = {location.pk: 0 for location in locations}
    payments = Payment.objects.filter(
        invoice__location__in=list(totals), recorded_on=day, method=PaymentMethod.CASH
    ).annotate(location_id=F("invoice__location_id"))
    for payment in payments:
        totals[payment.location_id] += payment.signed_cents
    return totals


@transaction.atomic
def close_day(
    actor: User | None,
    location: Location,
    day: dt.date,
    *,
    counted_cash_cents: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> DayClose:
    """Record the day-end close: the cash the ledger expects against the cash counted."""
    now = _now(now)
    if day > _local_day(location, now):
        raise LedgerError("day", "A day can be closed once it has begun.")
    if DayClose.objects.filter(location=location, day=day).exists():
        raise LedgerError("day", "This day is already closed at this location.")
    expected = expected_cash_cents(location, day)
    closing = DayClose.objects.create(
        location=location,
        day=day,
        expected_cash_cents=expected,
        counted_cash_cents=counted_cash_cents,
        difference_cents=ledger.cash_difference(expected, counted_cash_cents),
        note=note.strip(),
        closed_at=now,
        closed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record(
        actor,
        "day.closed",
        closing,
        changes={
            "expected": {"before": None, "after": ledger.format_cents(expected)},
            "counted": {"before": None, "after": ledger.format_cents(counted_cash_cents)},
            "difference": {"before": None, "after": ledger.format_cents(closing.difference_cents)},
        },
    )
    return closing


# --- What the superbill prints: provider numbers and diagnosis codes --------------------------


def _checked(field: str, clean: Callable[[str], _T], text: str) -> _T:
    try:
        return clean(text)
    except identifiers.IdentifierError as error:
        raise LedgerError(field, str(error)) from None


@transaction.atomic
def set_provider_numbers(
    actor: User | None, owner: Location | Therapist, *, npi: str, tax_id: str = ""
) -> ProviderNumbers:
    """Set a location's NPI and tax ID, or a therapist's NPI, as the superbill prints them."""
    npi = _checked("npi", identifiers.clean_npi, npi)
    is_location = isinstance(owner, Location)
    tax_id = _checked("tax_id", identifiers.clean_ein, tax_id) if is_location else ""
    found = ProviderNumbers.objects.select_for_update()
    if isinstance(owner, Location):
        numbers, _ = found.get_or_create(location=owner)
    else:
        numbers, _ = found.get_or_create(therapist=owner)
    before = {"npi": numbers.npi, "tax_id": numbers.tax_id}
    if before == {"npi": npi, "tax_id": tax_id}:
        return numbers
    numbers.npi, numbers.tax_id = npi, tax_id
    numbers.save(update_fields=["npi", "tax_id"])
    record(
        actor,
        "provider_numbers.set",
        numbers,
        changes={
            "of": {"before": None, "after": str(owner)},
            **{
                key: {"before": before[key], "after": value}
                for key, value in (("npi", npi), ("tax_id", tax_id))
            },
        },
    )
    return numbers


@transaction.atomic
def set_diagnosis_codes(actor: User | None, client: Client, codes: str) -> ClientBilling:
    """Set the diagnosis codes a client's superbill and letter of medical necessity print."""
    cleaned = ", ".join(_checked("diagnosis_codes", identifiers.clean_diagnosis_codes, codes))
    details, _ = ClientBilling.objects.select_for_update().get_or_create(client=client)
    before = details.diagnosis_codes
    if before == cleaned:
        return details
    details.diagnosis_codes = cleaned
    details.save(update_fields=["diagnosis_codes"])
    record(
        actor,
        "diagnosis_codes.set",
        details,
        client=client,
        changes={"diagnosis_codes": {"before": before, "after": cleaned}},
    )
    return details
