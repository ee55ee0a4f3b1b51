from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "backcare.intake"
    verbose_name = "Intake"
