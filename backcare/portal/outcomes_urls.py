"""The client's outcome pages, mounted at ``portal/`` under the ``outcomes:`` names."""

from django.urls import path

from backcare.portal import outcomes

urlpatterns = [
    path("progress/", outcomes.portal_progress, name="portal_progress"),
    path("outcomes/", outcomes.portal_collect, name="portal_collect"),
    path(
        "programs/<int:program_id>/discharge-summary.pdf",
        outcomes.portal_summary_pdf,
        name="portal_summary_pdf",
    ),
]
