"""A client's own billing in the portal: their invoices and payments, and their documents
(receipts, the superbill, the letter of medical necessity) to download."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.billing import online, paperwork, queries
from backcare.billing.models import Invoice
from backcare.clinic.models import Client
from backcare.policy import Action, AuthenticatedRequest

load_invoice = policy.loader(Invoice, "invoice_id")


def _today() -> dt.date:
    return timezone.localdate()


def _own_client(request: AuthenticatedRequest) -> Client:
    client = policy.visible_clients(request.user).first()
    if client is None:
        raise Http404("No client record.")
    return client


@policy.requires(Action.BILLING_OWN)
def home(request: AuthenticatedRequest) -> HttpResponse:
    client = _own_client(request)
    return render(
        request,
        "billing/portal.html",
        {
            "client": client,
            "invoices": queries.invoices_of(client),
            "packages": queries.packages_of(client),
            "balance": queries.balance_of(client),
            "has_program": client.programs.exists(),
            "online": online.enabled(),
            "just_paid": request.GET.get("paid") == "1",
        },
    )


@policy.requires(Action.BILLING_OWN, load=load_invoice)
def receipt_pdf(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    return paperwork.download(request.user, "receipt", invoice.client, _today(), invoice)


@policy.requires(Action.BILLING_OWN)
def superbill_pdf(request: AuthenticatedRequest) -> HttpResponse:
    return paperwork.download(request.user, "superbill", _own_client(request), _today())


@policy.requires(Action.BILLING_OWN)
def necessity_letter_pdf(request: AuthenticatedRequest) -> HttpResponse:
    return paperwork.download(request.user, "necessity_letter", _own_client(request), _today())


@require_POST
@policy.requires(Action.BILLING_OWN, load=load_invoice)
def pay_online(request: AuthenticatedRequest, invoice: Invoice) -> HttpResponse:
    """Send the client to Stripe Checkout for the invoice's balance (when the clinic has set
    up online payments)."""
    if not online.enabled() or invoice.balance_cents <= 0 or invoice.status != "open":
        raise Http404("Online payment is not available for this invoice.")
    back = request.build_absolute_uri(reverse("portal_billing:home"))
    return redirect(
        online.start_checkout(invoice, success_url=f"{back}?paid=1", cancel_url=back),
        permanent=False,
    )
