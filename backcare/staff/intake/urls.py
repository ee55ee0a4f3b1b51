"""The questionnaire pages for staff, mounted at ``staff/`` under the ``intake:`` names
(``backcare/urls.py`` joins them with the client's)."""

from django.urls import path

from backcare.staff.intake import views

urlpatterns = [
    path("clients/<int:client_id>/intake/start/", views.staff_start, name="staff_start"),
    path("clients/<int:client_id>/intake/review/", views.staff_review, name="staff_review"),
    path("clients/<int:client_id>/intake/<slug:step>/", views.staff_step, name="staff_step"),
    path("clients/<int:client_id>/intakes/<int:intake_id>/", views.detail, name="detail"),
]
