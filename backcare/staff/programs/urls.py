"""A client's program pages for staff, mounted at ``staff/`` under the ``care:`` names."""

from django.urls import path

from backcare.staff.programs import views

urlpatterns = [
    path("clients/<int:client_id>/programs/new/", views.program_start, name="start"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/status/", views.program_status, name="status"),
    path("programs/<int:program_id>/book/", views.program_book, name="book"),
]
