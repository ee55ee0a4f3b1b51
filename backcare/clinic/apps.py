from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "backcare.clinic"
    verbose_name = "Clinic"
