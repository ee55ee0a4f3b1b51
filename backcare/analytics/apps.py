from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "backcare.analytics"
    verbose_name = "Clinic analytics"
