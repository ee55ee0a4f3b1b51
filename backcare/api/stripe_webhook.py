"""Stripe's webhook: public (Stripe is not signed in), answered only to a valid signature. A
machine's door, so in the API front; what a payment does is ``billing.online``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.billing import online
from backcare.billing.ledger import LedgerError


@csrf_exempt
@require_POST
@policy.public
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not online.enabled():
        raise Http404("Online payments are not set up.")
    try:
        online.record_webhook(request.body, request.headers.get("Stripe-Signature", ""))
    except online.NotPaid as refused:
        return HttpResponse(str(refused), status=400, content_type="text/plain")
    except LedgerError as refused:
        # Already paid in full at the desk, say: Stripe must not retry; the owner refunds.
        return HttpResponse(str(refused), status=200, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# Mounted at the site's root under the ``billing_online:`` names (backcare/urls.py).
urlpatterns = [
    path("billing/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
]
