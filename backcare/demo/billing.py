"""The demo clinic's money (docs/billing.md), so the billing pages show real content: a price
for every service at each location, the fees, provider numbers for the superbill, Alex's ten
sessions for the price of nine, a gift card, and the sessions of the past paid for — by card,
cash, cheque or HSA/FSA card — except the last few days', which are still open, and one refund.
Everything goes through the billing actions, as the front desk's pages do."""

from __future__ import annotations

import datetime as dt

from backcare.accounts.models import User
from backcare.billing import actions
from backcare.billing.identifiers import npi_with_check_digit
from backcare.billing.models import Invoice, InvoiceKind, InvoiceStatus, Package, Price
from backcare.care.models import Program, ProgramStatus
from backcare.clinic.models import Client, Location, Service, Therapist

MASSAGE_CODE = "97124"  # CPT: massage, each 15 minutes
UPTOWN_EXTRA_CENTS = 500  # the second location charges $5.00 more
METHODS = ("card", "cash", "hsa_fsa", "card", "cheque")
OPEN_DAYS = 5  # sessions of the last days are not yet paid


def prices(locations: dict[str, Location]) -> None:
    """Before the appointments, so each attended session is invoiced at its location's price."""
    if Price.objects.exists():
        return
    for number, location in enumerate(locations.values()):
        for service in Service.objects.all():
            actions.set_price(
                None,
                service,
                location,
                amount_cents=int(service.price * 100) + (UPTOWN_EXTRA_CENTS if number else 0),
                tax_rate_bp=0,  # massage therapy is not taxed in Georgia
                service_code=MASSAGE_CODE,
            )
        actions.set_provider_numbers(
            None, location, npi=npi_with_check_digit(f"12345{number:04d}"), tax_id="58-1234567"
        )
    for number, therapist in enumerate(Therapist.objects.order_by("pk")):
        actions.set_provider_numbers(
            None, therapist, npi=npi_with_check_digit(f"16795{number:04d}")
        )
    actions.set_fees(None, late_cancellation_cents=4000, no_show_cents=6000)


def load(now: dt.datetime, front_desk: User) -> None:
    """After every session: a package, a gift card, the payments and a refund."""
    if Package.objects.exists():
        return
    program = (
        Program.objects.filter(status=ProgramStatus.ACTIVE, client__email="alex.rivera@example.com")
        .select_related("client", "service")
        .first()
        or Program.objects.filter(status=ProgramStatus.ACTIVE).select_related("client").first()
    )
    location = Location.objects.order_by("pk").first()
    if program is None or location is None:
        return
    package = actions.sell_package(
        front_desk,
        program,
        location=program.client.home_location or location,
        sessions=10,
        paid_sessions=9,
        expires_on=now.date() + dt.timedelta(days=365),
        now=now - dt.timedelta(days=1),
    )
    sold = Invoice.objects.get(package=package)
    actions.record_payment(
        front_desk, sold, method="card", amount_cents=sold.total_cents, key="demo-package", now=now
    )
    buyer = Client.objects.exclude(pk=program.client_id).order_by("pk").first() or program.client
    card = actions.issue_gift_card(front_desk, buyer, location, 10000, now=now)
    gift = Invoice.objects.get(gift_card=card)
    actions.record_payment(
        front_desk, gift, method="cash", amount_cents=gift.total_cents, key="demo-gift", now=now
    )
    _pay_the_past(now, front_desk)


def _pay_the_past(now: dt.datetime, front_desk: User) -> None:
    """Pay each invoice of a session more than a few days old (invoices are issued when the
    attendance is recorded, which for the demo's history is when the demo is loaded)."""
    unpaid = Invoice.objects.filter(
        kind__in=[InvoiceKind.SESSION, InvoiceKind.FEE],
        status=InvoiceStatus.OPEN,
        appointment__starts__lt=now - dt.timedelta(days=OPEN_DAYS),
    ).order_by("appointment__starts", "pk")
    refunded = False
    for number, invoice in enumerate(unpaid):
        payment = actions.record_payment(
            front_desk,
            invoice,
            method=METHODS[number % len(METHODS)],
            amount_cents=invoice.balance_cents,
            key=f"demo-{invoice.pk}",
        )
        if not refunded and payment.method == "card":
            refunded = True
            actions.refund_payment(
                front_desk,
                payment,
                amount_cents=min(2000, payment.amount_cents),
                key=f"demo-refund-{invoice.pk}",
                reason="Session cut short: the client left after 45 minutes.",
            )
