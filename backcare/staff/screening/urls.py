"""A client's screening pages for staff, mounted at ``staff/`` under the ``screening:`` names."""

from django.urls import path

from backcare.staff.screening import views

urlpatterns = [
    path("screening/check/", views.check, name="check"),
    path("clients/<int:client_id>/screening/", views.client_screening, name="client"),
    path(
        "clients/<int:client_id>/screenings/<int:screening_id>/",
        views.screening_detail,
        name="detail",
    ),
    path(
        "clients/<int:client_id>/clearances/new/",
        views.clearance_record,
        name="clearance_record",
    ),
    path(
        "clients/<int:client_id>/clearances/<int:clearance_id>/document/",
        views.clearance_document,
        name="clearance_document",
    ),
    path("clients/<int:client_id>/referral-letter.pdf", views.letter_pdf, name="letter_pdf"),
    path(
        "clients/<int:client_id>/referral-letter/email/",
        views.letter_email,
        name="letter_email",
    ),
]
