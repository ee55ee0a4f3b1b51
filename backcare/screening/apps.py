from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "backcare.screening"
    verbose_name = "Safety screening"
