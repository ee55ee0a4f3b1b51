"""The staff's billing pages: a client's account (invoices, packages, gift cards), an invoice
with its payments, refunds and voiding, the documents, the day-end close, the owner's reports
and prices. Thin: the access policy, one call into ``backcare.billing``, render or redirect."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.billing import actions, online, paperwork, queries
from backcare.billing.ledger import LedgerError, format_cents
from backcare.billing.models import FeeSchedule, Invoice, InvoiceKind, Payment, Price
from backcare.clinic.models import Client
from backcare.lib.spreadsheet import safe_cell
from backcare.pages import run_action, show_refusal
from backcare.policy import Action, AuthenticatedRequest
from backcare.staff.billing_forms import (
    DayCloseForm,
    FeeForm,
    GiftCardForm,
    PackageForm,
    PaymentForm,
    PriceForm,
    RefundForm,
    VoidForm,
)

load_client = policy.loader(Client, "client_id")
load_invoice = policy.loader(Invoice, "invoice_id")
load_payment = policy.loader(Payment, "payment_id")


def _today() -> dt.date:
    return timezone.localdate()


def _package_form(client: Client, data: Any = None) -> PackageForm:
    return PackageForm(data, programs=client.programs.exclude(status="draft"), today=_today())


def _account(
    request: AuthenticatedRequest, client: Client, *, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request,
        "billing/client.html",
        {
            "client": client,
            "invoices": queries.invoices_of(client),
            "packages": queries.packages_of(client),
            "gift_cards": queries.gift_cards_of(client),
            "balance": queries.balance_of(client),
            "package_form": forms.get("package_form") or _package_form(client),
            "gift_card_form": forms.get("gift_card_form") or GiftCardForm(),
            "can_record": policy.can(request.user, Action.BILLING_RECORD, client),
            "can_set_codes": policy.can(request.user, Action.BILLING_SETTINGS, client),
        },
        status=status,
    )


@policy.requires(Action.BILLING_VIEW, load=load_client, audit="billing.viewed")
def client_account(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return _account(request, client)


@require_POST
@policy.requires(Action.BILLING_RECORD, load=load_client)
def sell_package(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    form = _package_form(client, request.POST)
    if run_action(
        form,
        lambda data: actions.sell_package(
            request.user,
            data["program"],
            location=data["location"],
            sessions=data["sessions"],
            paid_sessions=data["paid_sessions"],
            expires_on=data["expires_on"],
        ),
    ):
        messages.success(request, "Package sold. Its invoice is below.")
        return redirect("billing:client", client_id=client.pk)
    return _account(request, client, status=400, package_form=form)


@require_POST
@policy.requires(Action.BILLING_RECORD, load=load_client)
def sell_gift_card(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    form = GiftCardForm(request.POST)
    if issued := run_action(
        form,
        lambda data: actions.issue_gift_card(
            request.user, client, data["location"], data["amount"]
        ),
    ):
        (card,) = issued
        messages.success(request, f"Gift card {card.code} issued.")
        return redirect("billing:client", client_id=client.pk)
    return _account(request, client, status=400, gift_card_form=form)


# --- An invoice -----------------------------------------------------------------------------


def _invoice_page(
    request: AuthenticatedRequest, invoice: Invoice, *, status: int = 200, **forms: Any
) -> HttpResponse:
    payments = list(invoice.payments.select_related("recorded_by", "refund_of"))
    refundable = {
        payment.pk: actions.refundable_cents(payment)
        for payment in payments
        if not payment.is_refund
    }
    refund_forms = {
        pk: RefundForm(
            initial={"key": actions.new_form_key(), "amount": f"{cents / 100:.2f}"},
            prefix=f"refund-{pk}",
        )
        for pk, cents in refundable.items()
        if cents > 0
    }
    if "refund_form" in forms:
        refund_forms[forms["refund_payment"]] = forms["refund_form"]
    return render(
        request,
        "billing/invoice.html",
        {
            "invoice": invoice,
            "client": invoice.client,
            "lines": invoice.lines.all(),
            "payments": [(payment, refund_forms.get(payment.pk)) for payment in payments],
            "payment_form": forms.get("payment_form")
            or PaymentForm(
                initial={
                    "key": actions.new_form_key(),
                    "amount": f"{invoice.balance_cents / 100:.2f}",
                }
            ),
            "void_form": forms.get("void_form") or VoidForm(),
            "can_record": policy.can(request.user, Action.BILLING_RECORD, invoice.client),
            "can_void": policy.can(request.user, Action.BILLING_VOID, invoice.client),
            "credit_note": getattr(invoice, "credit_note", None),
            "unrecorded": online.unrecorded_payments_of(invoice),
        },
        status=status,
    )


@policy.requires(Action.BILLING_VIEW, load=load_invoice, audit="billing.viewed")
def invoice_detail(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    return _invoice_page(request, invoice)


@require_POST
@policy.requires(Action.BILLING_RECORD, load=load_invoice)
def pay(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    form = PaymentForm(request.POST)
    if run_action(
        form,
        lambda data: actions.record_payment(
            request.user,
            invoice,
            method=data["method"],
            amount_cents=data["amount"],
            key=data["key"],
            reference=data["reference"],
            gift_card_code=data["gift_card_code"],
        ),
    ):
        messages.success(request, "Payment recorded.")
        return redirect("billing:invoice", invoice_id=invoice.pk)
    invoice.refresh_from_db()
    return _invoice_page(request, invoice, status=400, payment_form=form)


@require_POST
@policy.requires(Action.BILLING_RECORD, load=load_payment)
def refund(request: AuthenticatedRequest, payment: Payment) -> HttpResponse:
    form = RefundForm(request.POST, prefix=f"refund-{payment.pk}")
    if run_action(
        form,
        lambda data: actions.refund_payment(
            request.user,
            payment,
            amount_cents=data["amount"],
            key=data["key"],
            reason=data["reason"],
        ),
    ):
        messages.success(request, "Refund recorded.")
        return redirect("billing:invoice", invoice_id=payment.invoice_id)
    return _invoice_page(
        request, payment.invoice, status=400, refund_form=form, refund_payment=payment.pk
    )


@require_POST
@policy.requires(Action.BILLING_VOID, load=load_invoice)
def void(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    """Void an invoice by a credit note; a fee's is a waiver."""
    form = VoidForm(request.POST)
    fee = invoice.kind == InvoiceKind.FEE
    cancel = actions.waive_fee if fee else actions.void_invoice
    if run_action(form, lambda data: cancel(request.user, invoice, data["reason"])):
        word = "Fee waived" if fee else "Invoice voided"
        messages.success(request, f"{word}: a credit note was issued.")
        return redirect("billing:invoice", invoice_id=invoice.pk)
    return _invoice_page(request, invoice, status=400, void_form=form)


# --- Documents ------------------------------------------------------------------------------


def pdf_response(
    request: AuthenticatedRequest,
    kind: paperwork.DocumentKind,
    client: Client,
    invoice: Invoice | None = None,
) -> HttpResponse:
    return paperwork.download(request.user, kind, client, _today(), invoice)


@policy.requires(Action.BILLING_VIEW, load=load_invoice)
def receipt_pdf(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    return pdf_response(request, "receipt", invoice.client, invoice)


@policy.requires(Action.BILLING_VIEW, load=load_client)
def superbill_pdf(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return pdf_response(request, "superbill", client)


@policy.requires(Action.BILLING_VIEW, load=load_client)
def necessity_letter_pdf(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return pdf_response(request, "necessity_letter", client)


@require_POST
@policy.requires(Action.BILLING_RECORD, load=load_client)
def email_document(request: AuthenticatedRequest, client: Client) -> HttpResponseBase:
    kind = request.POST.get("document", "")
    if kind not in paperwork.TITLES:
        return HttpResponse("document: choose a receipt, a superbill or a letter.", status=400)
    invoice = None
    if kind == "receipt":
        invoice = Invoice.objects.filter(client=client, pk=request.POST.get("invoice") or 0).first()
        if invoice is None:
            return HttpResponse("invoice: choose an invoice of this client.", status=400)
    try:
        paperwork.email_document(request.user, kind, client, _today(), invoice)
    except paperwork.NoDocument as missing:
        messages.error(request, str(missing))
    else:
        messages.success(request, f"The {paperwork.TITLES[kind]} is on its way to {client.email}.")
    if invoice is not None:
        return redirect("billing:invoice", invoice_id=invoice.pk)
    return redirect("billing:client", client_id=client.pk)


# --- The day-end close, the owner's reports and prices ------------------------------------


@policy.requires(Action.BILLING_CLOSE)
def day_close(request: AuthenticatedRequest) -> HttpResponse:
    form = DayCloseForm(request.POST or None, initial={"day": _today()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                closing = actions.close_day(
                    request.user,
                    data["location"],
                    data["day"],
                    counted_cash_cents=data["counted"],
                    note=data["note"],
                )
            except LedgerError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    f"Day closed at {closing.location.name}: expected "
                    f"{format_cents(closing.expected_cash_cents)}, counted "
                    f"{format_cents(closing.counted_cash_cents)}.",
                )
                return redirect("billing:day_close")
    places = list(queries.locations())
    cash = actions.expected_cash_by_location(places, _today())
    expected = [(location, cash[location.pk]) for location in places]
    return render(
        request,
        "billing/day_close.html",
        {"form": form, "expected": expected, "closes": queries.recent_closes()},
        status=status,
    )


def _span(request: AuthenticatedRequest) -> tuple[dt.date, dt.date]:
    today = _today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, end


@policy.requires(Action.BILLING_REPORTS)
def reports(request: AuthenticatedRequest) -> HttpResponse:
    start, end = _span(request)
    return render(
        request,
        "billing/reports.html",
        {
            "report": queries.report(start, end, _today()),
            "unrecorded": online.unrecorded_payments_between(start, end),
            "start": start,
            "end": end,
            "tables": REPORT_TABLES,
        },
    )


REPORT_TABLES = {
    "revenue_by_month": ("Month", "by_month"),
    "revenue_by_location": ("Location", "by_location"),
    "revenue_by_therapist": ("Therapist", "by_therapist"),
    "revenue_by_service": ("Service", "by_service"),
    "payments_by_method": ("Method", "by_method"),
}


@policy.requires(Action.BILLING_REPORTS)
def report_csv(request: AuthenticatedRequest, report: str) -> HttpResponse:
    table = report
    start, end = _span(request)
    figures = queries.report(start, end, _today())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="backcare-{table}-{start}-to-{end}.csv"'
    )
    writer = csv.writer(response)
    if table in REPORT_TABLES:
        heading, attribute = REPORT_TABLES[table]
        writer.writerow([heading, "Amount (USD)"])
        for name, cents in getattr(figures, attribute):
            writer.writerow([safe_cell(name), f"{cents / 100:.2f}"])
    elif table == "balances":
        writer.writerow(["Age", "Invoices", "Outstanding (USD)"])
        for label, count, cents in figures.balances:
            writer.writerow([label, count, f"{cents / 100:.2f}"])
    elif table == "package_liability":
        writer.writerow(["Client", "Unused credits", "Value (USD)"])
        for name, credits, cents in figures.liability:
            writer.writerow([safe_cell(name), credits, f"{cents / 100:.2f}"])
    else:
        raise Http404("No such report.")
    record(request.user, "billing.exported", changes={"table": {"before": None, "after": table}})
    return response


@policy.requires(Action.BILLING_SETTINGS)
def billing_settings(request: AuthenticatedRequest) -> HttpResponse:
    fees = FeeSchedule.current()
    price_form = PriceForm(request.POST if request.POST.get("form") == "price" else None)
    fee_form = FeeForm(
        request.POST if request.POST.get("form") == "fees" else None,
        initial={
            "late_cancellation": f"{fees.late_cancellation_cents / 100:.2f}",
            "no_show": f"{fees.no_show_cents / 100:.2f}",
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if price_form.is_bound and price_form.is_valid():
            data = price_form.cleaned_data
            try:
                actions.set_price(
                    request.user,
                    data["service"],
                    data["location"],
                    amount_cents=data["amount"],
                    tax_rate_bp=data["tax_rate"],
                    service_code=data["service_code"],
                )
            except LedgerError as error:
                show_refusal(price_form, error)
            else:
                messages.success(request, "Price saved.")
                return redirect("billing:settings")
        elif fee_form.is_bound and fee_form.is_valid():
            actions.set_fees(
                request.user,
                late_cancellation_cents=fee_form.cleaned_data["late_cancellation"],
                no_show_cents=fee_form.cleaned_data["no_show"],
            )
            messages.success(request, "Fees saved.")
            return redirect("billing:settings")
    return render(
        request,
        "billing/settings.html",
        {
            "prices": Price.objects.select_related("service", "location"),
            "price_form": price_form,
            "fee_form": fee_form,
            "fees": fees,
            "policy_url": reverse("scheduling:booking_policy"),
        },
        status=status,
    )
