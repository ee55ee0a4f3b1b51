"""Outcome pages for staff, mounted at ``staff/`` under the ``outcomes:`` names."""

from django.urls import path

from backcare.staff.outcomes import views

urlpatterns = [
    path("clients/<int:client_id>/progress/", views.staff_progress, name="staff_progress"),
    path("programs/<int:program_id>/outcomes/", views.staff_collect, name="staff_collect"),
    path("programs/<int:program_id>/discharge-summary/", views.summary_page, name="summary"),
    path(
        "programs/<int:program_id>/discharge-summary.pdf",
        views.summary_pdf,
        name="summary_pdf",
    ),
    path(
        "programs/<int:program_id>/discharge-summary/email/",
        views.summary_email,
        name="summary_email",
    ),
]
