from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "backcare.notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from backcare.notices import receivers  # noqa: F401 - subscribes to the events
