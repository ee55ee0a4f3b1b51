from django.urls import path

from backcare.screening import views

app_name = "screening"

urlpatterns = [
    path("staff/screening/check/", views.check, name="check"),
    path("staff/clients/<int:client_id>/screening/", views.client_screening, name="client"),
    path(
        "staff/clients/<int:client_id>/screenings/<int:screening_id>/",
        views.screening_detail,
        name="detail",
    ),
    path(
        "staff/clients/<int:client_id>/clearances/new/",
        views.clearance_record,
        name="clearance_record",
    ),
    path(
        "staff/clients/<int:client_id>/clearances/<int:clearance_id>/document/",
        views.clearance_document,
        name="clearance_document",
    ),
    path("staff/clients/<int:client_id>/referral-letter.pdf", views.letter_pdf, name="letter_pdf"),
    path(
        "staff/clients/<int:client_id>/referral-letter/email/",
        views.letter_email,
        name="letter_email",
    ),
    path("portal/referral-letter.pdf", views.portal_letter, name="portal_letter"),
]
