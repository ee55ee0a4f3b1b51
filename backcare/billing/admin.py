"""The owner's administration of billing: the provider numbers a superbill prints and each
client's diagnosis codes are edited here; the ledger itself is read only (it changes only
through its named actions)."""

from django.contrib import admin

from backcare.admin_readonly import ReadOnly
from backcare.billing.models import ClientBilling, Invoice, Payment, ProviderNumbers


@admin.register(ProviderNumbers)
class ProviderNumbersAdmin(admin.ModelAdmin[ProviderNumbers]):
    list_display = ("__str__", "npi", "tax_id")


@admin.register(ClientBilling)
class ClientBillingAdmin(admin.ModelAdmin[ClientBilling]):
    list_display = ("client", "diagnosis_codes")
    search_fields = ("client__last_name", "client__first_name")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly, admin.ModelAdmin[Invoice]):
    list_display = ("__str__", "client", "kind", "status", "issued_on", "total_cents")
    list_filter = ("location", "kind", "status")


@admin.register(Payment)
class PaymentAdmin(ReadOnly, admin.ModelAdmin[Payment]):
    list_display = ("__str__", "invoice", "method", "recorded_on")
    list_filter = ("method",)
