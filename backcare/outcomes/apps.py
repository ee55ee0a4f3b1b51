from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backcare.outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from backcare.outcomes import (
            actions,  # noqa: F401 - registers the emailed summary's maker
            receivers,  # noqa: F401 - subscribes to the events
        )
