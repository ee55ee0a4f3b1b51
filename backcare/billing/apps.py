from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "backcare.billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from backcare.billing import (
            paperwork,  # noqa: F401 - registers the emailed PDFs' maker
            receivers,  # noqa: F401 - subscribes to the events
        )
