from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "backcare.waitlist"
    verbose_name = "Waitlist"

    def ready(self) -> None:
        from backcare.waitlist import receivers  # noqa: F401 - subscribes to the events
