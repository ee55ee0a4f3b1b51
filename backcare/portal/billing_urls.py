from django.urls import path

from backcare.portal import billing

app_name = "portal_billing"

urlpatterns = [
    path("", billing.home, name="home"),
    path("invoices/<int:invoice_id>/receipt.pdf", billing.receipt_pdf, name="receipt"),
    path("invoices/<int:invoice_id>/pay/", billing.pay_online, name="pay_online"),
    path("superbill.pdf", billing.superbill_pdf, name="superbill"),
    path("medical-necessity.pdf", billing.necessity_letter_pdf, name="necessity_letter"),
]
