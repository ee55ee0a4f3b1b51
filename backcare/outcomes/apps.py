from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backcare.outcomes"
    verbose_name = "Outcome measures"
