from django.apps import AppConfig


class HoldsConfig(AppConfig):
    name = "backcare.holds"
    label = "holds"
    verbose_name = "Clinical holds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backcare.holds import receivers  # noqa: F401 - subscribes to the events
