from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "backcare.care"
    verbose_name = "Care programs"
