from django.urls import path

from backcare.staff import billing, billing_numbers

app_name = "billing"

urlpatterns = [
    path("clients/<int:client_id>/", billing.client_account, name="client"),
    path("clients/<int:client_id>/package/", billing.sell_package, name="sell_package"),
    path("clients/<int:client_id>/gift-card/", billing.sell_gift_card, name="sell_gift_card"),
    path("clients/<int:client_id>/superbill.pdf", billing.superbill_pdf, name="superbill"),
    path(
        "clients/<int:client_id>/medical-necessity.pdf",
        billing.necessity_letter_pdf,
        name="necessity_letter",
    ),
    path("clients/<int:client_id>/email/", billing.email_document, name="email_document"),
    path("invoices/<int:invoice_id>/", billing.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/pay/", billing.pay, name="pay"),
    path("invoices/<int:invoice_id>/void/", billing.void, name="void"),
    path("invoices/<int:invoice_id>/receipt.pdf", billing.receipt_pdf, name="receipt"),
    path("payments/<int:payment_id>/refund/", billing.refund, name="refund"),
    path("close/", billing.day_close, name="day_close"),
    path("reports/", billing.reports, name="reports"),
    path("reports/<str:report>.csv", billing.report_csv, name="report_csv"),
    path("settings/", billing.billing_settings, name="settings"),
    path(
        "settings/provider-numbers/",
        billing_numbers.provider_numbers,
        name="provider_numbers",
    ),
    path(
        "clients/<int:client_id>/diagnosis-codes/",
        billing_numbers.diagnosis_codes,
        name="diagnosis_codes",
    ),
]
