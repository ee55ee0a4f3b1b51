from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "backcare.analytics"
    verbose_name = "Clinic analytics"

    def ready(self) -> None:
        from backcare.analytics import signals  # noqa: F401 - connects the receivers
