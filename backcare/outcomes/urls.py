from django.urls import path

from backcare.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("staff/clients/<int:client_id>/progress/", views.staff_progress, name="staff_progress"),
    path("staff/programs/<int:program_id>/outcomes/", views.staff_collect, name="staff_collect"),
    path(
        "staff/programs/<int:program_id>/discharge-summary/",
        views.summary_page,
        name="summary",
    ),
    path(
        "staff/programs/<int:program_id>/discharge-summary.pdf",
        views.summary_pdf,
        name="summary_pdf",
    ),
    path(
        "staff/programs/<int:program_id>/discharge-summary/email/",
        views.summary_email,
        name="summary_email",
    ),
    path("portal/progress/", views.portal_progress, name="portal_progress"),
    path("portal/outcomes/", views.portal_collect, name="portal_collect"),
    path(
        "portal/programs/<int:program_id>/discharge-summary.pdf",
        views.portal_summary_pdf,
        name="portal_summary_pdf",
    ),
]
