"""The client's own details, documents and reminders in the portal."""

from django.urls import path

from backcare.portal import self_service

app_name = "self_service"

urlpatterns = [
    path("details/", self_service.details, name="details"),
    path("reminders/", self_service.reminders, name="reminders"),
    path("documents/", self_service.documents, name="documents"),
    path("documents/doctor-note/", self_service.doctor_note, name="doctor_note"),
]
