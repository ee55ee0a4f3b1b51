from django.apps import AppConfig


class InteropConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backcare.interop"
    verbose_name = "FHIR and bulk export"
