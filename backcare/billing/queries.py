"""The reads billing pages and documents share: a client's account, and the owner's reports.
Money is summed by the database; the ledger's rules (``ledger.py``) say what a sum means."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from backcare.billing import ledger
from backcare.billing.models import (
    DayClose,
    GiftCard,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Package,
    Payment,
    PaymentMethod,
)
from backcare.clinic.models import Client, Location


@dataclass(frozen=True)
class PackageCredits:
    package: Package
    used: int

    @property
    def left(self) -> int:
        return self.package.sessions - self.used

    @property
    def value_left_cents(self) -> int:
        total = self.package.unit_cents * self.package.paid_sessions
        return ledger.credit_value_cents(total, self.package.sessions, self.left)


def packages_of(client: Client) -> list[PackageCredits]:
    rows = (
        Package.objects.filter(client=client)
        .select_related("program", "location")
        .annotate(used=Count("uses"))
    )
    return [PackageCredits(row, row.used) for row in rows]


def invoices_of(client: Client) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(client=client)
        .select_related("location", "appointment", "voids")
        .order_by("-issued_at", "-pk")
    )


def balance_of(client: Client) -> int:
    open_invoices = Invoice.objects.filter(client=client, status=InvoiceStatus.OPEN).exclude(
        kind=InvoiceKind.CREDIT_NOTE
    )
    return open_invoices.aggregate(owed=Sum(F("total_cents") - F("paid_cents")))["owed"] or 0


def gift_cards_of(client: Client) -> QuerySet[GiftCard]:
    return GiftCard.objects.filter(client=client).order_by("-issued_at")


# --- Documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    """One date of service on a superbill."""

    day: dt.date
    description: str
    service_code: str
    therapist: str
    charged_cents: int
    paid_cents: int


def services_of(client: Client, since: dt.date | None = None) -> list[ServiceLine]:
    """The client's attended sessions, each with what was charged and paid for it: an
    invoiced session at its invoice, a package session at its share of the package."""
    rows: list[ServiceLine] = []
    invoices = Invoice.objects.filter(
        client=client, kind=InvoiceKind.SESSION, status__in=[InvoiceStatus.OPEN, InvoiceStatus.PAID]
    ).select_related("appointment__service", "appointment__location", "therapist__user")
    for invoice in invoices.prefetch_related("lines"):
        appointment = invoice.appointment
        assert appointment is not None  # noqa: S101 - a session invoice names its session
        first = invoice.lines.all()[0]
        rows.append(
            ServiceLine(
                day=appointment.starts.astimezone(appointment.location.zone).date(),
                description=appointment.service.name,
                service_code=first.service_code,
                therapist=invoice.therapist.name if invoice.therapist else "",
                charged_cents=invoice.total_cents,
                paid_cents=invoice.paid_cents,
            )
        )
    for credits in packages_of(client):
        package = credits.package
        sold = package.invoices.filter(kind=InvoiceKind.PACKAGE).first()
        share_paid = ledger.credit_value_cents(sold.paid_cents, package.sessions, 1) if sold else 0
        share = ledger.credit_value_cents(
            package.unit_cents * package.paid_sessions, package.sessions, 1
        )
        code = sold.lines.all()[0].service_code if sold else ""
        for use in package.uses.select_related(
            "appointment__service", "appointment__location", "appointment__therapist__user"
        ):
            appointment = use.appointment
            rows.append(
                ServiceLine(
                    day=appointment.starts.astimezone(appointment.location.zone).date(),
                    description=f"{appointment.service.name} (package)",
                    service_code=code,
                    therapist=appointment.therapist.name,
                    charged_cents=share,
                    paid_cents=share_paid,
                )
            )
    rows.sort(key=lambda row: row.day)
    return [row for row in rows if since is None or row.day >= since]


# --- The owner's reports ----------------------------------------------------------------------


@dataclass
class Report:
    """The owner's billing reports for a span of issue dates."""

    by_month: list[tuple[str, int]] = field(default_factory=list)
    by_location: list[tuple[str, int]] = field(default_factory=list)
    by_therapist: list[tuple[str, int]] = field(default_factory=list)
    by_service: list[tuple[str, int]] = field(default_factory=list)
    balances: list[tuple[str, int, int]] = field(default_factory=list)  # bucket, count, cents
    liability: list[tuple[str, int, int]] = field(default_factory=list)  # client, credits, cents
    by_method: list[tuple[str, int]] = field(default_factory=list)
    closes: list[DayClose] = field(default_factory=list)

    @property
    def revenue_cents(self) -> int:
        return sum(cents for _, cents in self.by_month)

    @property
    def liability_cents(self) -> int:
        return sum(cents for _, _, cents in self.liability)

    @property
    def outstanding_cents(self) -> int:
        return sum(cents for _, _, cents in self.balances)


def _sums(rows: Iterable[dict[str, object]], key: str) -> list[tuple[str, int]]:
    return [(str(row[key] or "—"), int(str(row["cents"] or 0))) for row in rows]


def report(start: dt.date, end: dt.date, today: dt.date) -> Report:
    """Revenue is what was invoiced, net of credit notes (before tax), by the day each
    invoice or credit note was issued; gift cards are not revenue until spent, so they are
    left out."""
    lines = InvoiceLine.objects.filter(
        invoice__issued_on__gte=start, invoice__issued_on__lte=end
    ).exclude(invoice__kind=InvoiceKind.GIFT_CARD)
    result = Report()
    result.by_month = [
        (f"{row['month']:%B %Y}", row["cents"] or 0)
        for row in lines.annotate(month=TruncMonth("invoice__issued_on"))
        .values("month")
        .annotate(cents=Sum("net_cents"))
        .order_by("month")
    ]
    result.by_location = _sums(
        lines.values("invoice__location__name")
        .annotate(cents=Sum("net_cents"))
        .order_by("invoice__location__name"),
        "invoice__location__name",
    )
    result.by_therapist = _sums(
        lines.values("invoice__therapist__user__full_name")
        .annotate(cents=Sum("net_cents"))
        .order_by("invoice__therapist__user__full_name"),
        "invoice__therapist__user__full_name",
    )
    result.by_service = _by_service(lines)
    buckets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for invoice in Invoice.objects.filter(status=InvoiceStatus.OPEN).exclude(
        kind=InvoiceKind.CREDIT_NOTE
    ):
        bucket = buckets[ledger.age_bucket((today - invoice.issued_on).days)]
        bucket[0] += 1
        bucket[1] += invoice.balance_cents
    result.balances = [
        (label, buckets[label][0], buckets[label][1]) for label, _, _ in ledger.AGE_BUCKETS
    ]
    liability: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for package in (
        Package.objects.filter(voided=False, expires_on__gte=today)
        .select_related("client")
        .annotate(used=Count("uses"))
    ):
        left = package.sessions - package.used
        row = liability[package.client.full_name]
        row[0] += left
        row[1] += ledger.credit_value_cents(
            package.unit_cents * package.paid_sessions, package.sessions, left
        )
    result.liability = sorted((name, row[0], row[1]) for name, row in liability.items() if row[0])
    methods = dict(PaymentMethod.choices)
    paid = (
        Payment.objects.filter(recorded_on__gte=start, recorded_on__lte=end)
        .values("method")
        .annotate(
            cents=Sum("amount_cents", filter=Q(is_refund=False), default=0)
            - Sum("amount_cents", filter=Q(is_refund=True), default=0)
        )
        .order_by("method")
    )
    result.by_method = [(methods.get(row["method"], row["method"]), row["cents"]) for row in paid]
    result.closes = list(
        DayClose.objects.filter(day__gte=start, day__lte=end).select_related("location")[:60]
    )
    return result


def _by_service(lines: QuerySet[InvoiceLine]) -> list[tuple[str, int]]:
    """Revenue by service: a session's service, a package's program service; fees apart."""
    totals: dict[str, int] = defaultdict(int)
    for row in lines.values(
        "invoice__kind",
        "invoice__appointment__service__name",
        "invoice__package__program__service__name",
        "invoice__voids__appointment__service__name",
        "invoice__voids__package__program__service__name",
        "invoice__voids__kind",
    ).annotate(cents=Sum("net_cents")):
        kind = row["invoice__voids__kind"] or row["invoice__kind"]
        if kind == InvoiceKind.FEE:
            name = "Fees"
        else:
            name = (
                row["invoice__appointment__service__name"]
                or row["invoice__package__program__service__name"]
                or row["invoice__voids__appointment__service__name"]
                or row["invoice__voids__package__program__service__name"]
                or "Other"
            )
        totals[name] += row["cents"] or 0
    return sorted(totals.items())


def locations() -> QuerySet[Location]:
    return Location.objects.filter(active=True)


def recent_closes() -> QuerySet[DayClose]:
    return DayClose.objects.select_related("location", "closed_by")[:20]
