from django.urls import path

from backcare.interop import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", views.smart_configuration, name="smart_configuration"),
    path("$export", views.export, name="export"),
    path("$export-poll-status/<uuid:job_id>", views.export_status, name="export_status"),
    path("$export-file/<uuid:job_id>/<str:filename>", views.export_file, name="export_file"),
    path("Patient/$export", views.patient_export, name="patient_export"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="everything"),
    path("Binary/<str:resource_id>", views.binary, name="binary"),
    path("<str:resource_type>", views.search, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.read, name="read"),
]
