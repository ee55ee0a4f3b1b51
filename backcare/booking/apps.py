from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "backcare.booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from backcare.booking import receivers  # noqa: F401 - subscribes to the events
