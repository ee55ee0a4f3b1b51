"""The ledger's tables (SPEC §9). Money is integer cents; the database refuses negative
amounts, a total that is not its subtotal plus tax, a payment beyond the total, a gap-prone
number, a credit used twice and a deleted invoice or payment."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from backcare.billing.ledger import BASIS_POINTS, format_cents
from backcare.clinic.models import Client, Location, Service, Therapist

_M = TypeVar("_M", bound=models.Model)

# The longest texts a person writes here (the forms refuse more, naming the field).
VOID_REASON_MAX = 500
DAY_CLOSE_NOTE_MAX = 1000


class Undeletable(models.QuerySet[_M]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Ledger records are never deleted: void them with a credit note.")


class LedgerRecord(models.Model):
    """A record of the ledger: never deleted (an invoice is voided by a credit note, a payment
    taken back by a refund)."""

    class Meta:
        abstract = True

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Ledger records are never deleted: void them with a credit note.")


class Price(models.Model):
    """What a service costs at a location, its sales tax, and the code the clinic bills it as."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="prices")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="prices")
    amount_cents = models.PositiveIntegerField("price (cents)")
    tax_rate_bp = models.PositiveIntegerField(
        "tax rate (basis points)",
        default=0,
        validators=[MaxValueValidator(BASIS_POINTS)],
        help_text="Hundredths of a percent: 700 is 7%.",
    )
    service_code = models.CharField(
        "service code",
        max_length=20,
        blank=True,
        help_text="The code the clinic bills this service as, for example CPT 97124.",
    )

    class Meta:
        ordering = ("location__name", "service__name")
        constraints = [
            models.UniqueConstraint(fields=("service", "location"), name="price_once_per_place"),
            models.CheckConstraint(
                condition=Q(tax_rate_bp__gte=0, tax_rate_bp__lte=BASIS_POINTS),
                name="price_tax_rate_range",
            ),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}: {format_cents(self.amount_cents)}"


class FeeSchedule(models.Model):
    """The fees of the booking policy: one row. Whether a cancellation is late is the booking
    policy's cancellation window; what it costs is here."""

    late_cancellation_cents = models.PositiveIntegerField(
        "late-cancellation fee (cents)", default=0
    )
    no_show_cents = models.PositiveIntegerField("no-show fee (cents)", default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="fee_schedule_single_row")]

    def __str__(self) -> str:
        return "Fees"

    @classmethod
    def current(cls) -> FeeSchedule:
        fees, _ = cls.objects.get_or_create(pk=1)
        return fees


class ProviderNumbers(models.Model):
    """Identifiers a superbill prints: a location's NPI and tax ID, a therapist's NPI. Exactly
    one of ``location`` and ``therapist`` is set."""

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="billing_numbers"
    )
    therapist = models.OneToOneField(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="billing_numbers"
    )
    npi = models.CharField("NPI", max_length=10, blank=True)
    tax_id = models.CharField("tax ID (EIN)", max_length=12, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(location__isnull=True, therapist__isnull=False)
                | Q(location__isnull=False, therapist__isnull=True),
                name="provider_numbers_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Provider numbers of {self.location or self.therapist}"


class ClientBilling(models.Model):
    """What a client's superbill says about them: the diagnosis codes the clinic enters."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="billing")
    diagnosis_codes = models.CharField(
        "diagnosis codes (ICD-10-CM)",
        max_length=120,
        default="M54.50",
        help_text="Separated by commas. M54.50 is low back pain, unspecified.",
    )

    def __str__(self) -> str:
        return f"Billing details of {self.client}"


class InvoiceCounter(models.Model):
    """The last invoice number given at a location: taken under a row lock, so numbers run
    without gaps and never twice."""

    location = models.OneToOneField(
        Location, on_delete=models.PROTECT, related_name="invoice_counter"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Invoice numbers of {self.location}"


class InvoiceKind(models.TextChoices):
    SESSION = "session", "Session"
    PACKAGE = "package", "Package"
    FEE = "fee", "Fee"
    GIFT_CARD = "gift_card", "Gift card"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class Package(LedgerRecord):
    """A program sold as session credits: ``sessions`` for the price of ``paid_sessions``,
    used by attended sessions of the program until ``expires_on``."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="packages")
    program = models.ForeignKey("care.Program", on_delete=models.PROTECT, related_name="packages")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="packages")
    sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    paid_sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    unit_cents = models.PositiveIntegerField()
    expires_on = models.DateField()
    sold_at = models.DateTimeField()
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    voided = models.BooleanField(default=False)

    objects = Undeletable["Package"].as_manager()

    class Meta:
        ordering = ("-sold_at",)
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="package_has_sessions"),
            models.CheckConstraint(
                condition=Q(paid_sessions__gte=1, paid_sessions__lte=F("sessions")),
                name="package_paid_within_sessions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions of {self.program.title}"


class GiftCard(LedgerRecord):
    code = models.CharField(max_length=20, unique=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="gift_cards", null=True, blank=True
    )
    initial_cents = models.PositiveIntegerField()
    balance_cents = models.IntegerField()
    issued_at = models.DateTimeField()

    objects = Undeletable["GiftCard"].as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_cents__gte=0, balance_cents__lte=F("initial_cents")),
                name="gift_card_balance_within_value",
            ),
        ]

    def __str__(self) -> str:
        return f"Gift card {self.code}"


class Invoice(LedgerRecord):
    """One invoice: of an attended session not covered by a package, a package sold, a fee, a
    gift card; or a credit note voiding one of those. Numbered per location without gaps."""

    Kind = InvoiceKind
    Status = InvoiceStatus

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices)
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    issued_at = models.DateTimeField()
    issued_on = models.DateField(help_text="The location's date when it was issued.")
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    gift_card = models.ForeignKey(
        GiftCard, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    voids = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        help_text="The invoice this credit note voids.",
    )
    reason = models.TextField(blank=True, max_length=VOID_REASON_MAX)
    subtotal_cents = models.IntegerField()
    tax_cents = models.IntegerField()
    total_cents = models.IntegerField()
    paid_cents = models.IntegerField(default=0, help_text="Payments less refunds.")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = Undeletable["Invoice"].as_manager()

    class Meta:
        ordering = ("-issued_at", "-number")
        constraints = [
            models.UniqueConstraint(fields=("location", "number"), name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(total_cents=F("subtotal_cents") + F("tax_cents")),
                name="invoice_total_is_subtotal_plus_tax",
            ),
            # An invoice is never negative and never paid beyond its total; a credit note is
            # never positive and takes no payments.
            models.CheckConstraint(
                condition=(
                    ~Q(kind=InvoiceKind.CREDIT_NOTE)
                    & Q(total_cents__gte=0, paid_cents__gte=0, paid_cents__lte=F("total_cents"))
                )
                | Q(
                    kind=InvoiceKind.CREDIT_NOTE,
                    total_cents__lte=0,
                    paid_cents=0,
                    voids__isnull=False,
                ),
                name="invoice_balance_not_negative",
            ),
            models.UniqueConstraint(
                fields=("appointment", "kind"),
                condition=Q(kind__in=[InvoiceKind.SESSION, InvoiceKind.FEE]),
                name="invoice_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_known"
            ),
        ]

    # SQLite checks an invoice's totals against its lines as they are written (migration 0003:
    # an invoice starts empty, its lines come next, its totals last). A restore writes an
    # invoice this way too: with these values first, and its own once its lines are in.
    WRITTEN_AFTER_ITS_LINES: ClassVar[dict[str, object]] = {
        "subtotal_cents": 0,
        "tax_cents": 0,
        "total_cents": 0,
        "paid_cents": 0,
        "status": InvoiceStatus.OPEN,
    }

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        word = "Credit note" if self.kind == InvoiceKind.CREDIT_NOTE else "Invoice"
        return f"{word} {self.number_text}"

    @property
    def number_text(self) -> str:
        return f"{self.location_id}-{self.number:05d}"

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents


class InvoiceLine(LedgerRecord):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(max_length=200)
    service_code = models.CharField(max_length=20, blank=True)
    quantity = models.IntegerField()
    unit_cents = models.PositiveIntegerField()
    tax_rate_bp = models.PositiveIntegerField(default=0)
    net_cents = models.IntegerField()
    tax_cents = models.IntegerField()

    objects = Undeletable["InvoiceLine"].as_manager()

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(
                condition=Q(net_cents=F("quantity") * F("unit_cents")),
                name="invoice_line_net_is_quantity_times_price",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate_bp__lte=BASIS_POINTS), name="invoice_line_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents


class CreditUse(LedgerRecord):
    """A package credit used by an attended session: one per session, by the database."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="uses")
    appointment = models.OneToOneField(
        "booking.Appointment", on_delete=models.PROTECT, related_name="credit_use"
    )
    used_at = models.DateTimeField()
    objects = Undeletable["CreditUse"].as_manager()

    def __str__(self) -> str:
        return f"A credit of {self.package}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card terminal"
    CHEQUE = "cheque", "Cheque"
    HSA_FSA = "hsa_fsa", "HSA/FSA card"
    GIFT_CARD = "gift_card", "Gift card"
    ONLINE = "online", "Card online"


class Payment(LedgerRecord):
    """Money in (a payment) or back out (a refund, of one payment). Each carries the key of
    the form it came from, so a second press of the button records nothing more."""

    Method = PaymentMethod

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    is_refund = models.BooleanField(default=False)
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount_cents = models.PositiveIntegerField()
    gift_card = models.ForeignKey(
        GiftCard, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    reference = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    recorded_at = models.DateTimeField()
    recorded_on = models.DateField(help_text="The location's date: the day it closes with.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = Undeletable["Payment"].as_manager()

    class Meta:
        ordering = ("recorded_at", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_more_than_zero"),
            models.CheckConstraint(
                condition=Q(is_refund=False, refund_of__isnull=True)
                | Q(is_refund=True, refund_of__isnull=False),
                name="refund_names_its_payment",
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="payment_method_known"
            ),
        ]

    def __str__(self) -> str:
        word = "Refund" if self.is_refund else "Payment"
        return f"{word} of {format_cents(self.amount_cents)}"

    @property
    def signed_cents(self) -> int:
        return -self.amount_cents if self.is_refund else self.amount_cents


class DayClose(LedgerRecord):
    """The day-end close of a location: the cash the ledger expects against the cash counted."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="day_closes")
    day = models.DateField()
    expected_cash_cents = models.IntegerField()
    counted_cash_cents = models.PositiveIntegerField()
    difference_cents = models.IntegerField()
    note = models.TextField(blank=True, max_length=DAY_CLOSE_NOTE_MAX)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = Undeletable["DayClose"].as_manager()

    class Meta:
        ordering = ("-day",)
        constraints = [
            models.UniqueConstraint(fields=("location", "day"), name="day_closed_once"),
            models.CheckConstraint(
                condition=Q(difference_cents=F("counted_cash_cents") - F("expected_cash_cents")),
                name="day_close_difference",
            ),
        ]

    def __str__(self) -> str:
        return f"Day-end close of {self.location} on {self.day:%B} {self.day.day}, {self.day.year}"
