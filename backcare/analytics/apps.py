from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "backcare.analytics"
    verbose_name = "Clinic analytics"

    def ready(self) -> None:
        from backcare.analytics import receivers  # noqa: F401 - subscribes to the events
