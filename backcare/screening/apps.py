from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "backcare.screening"
    verbose_name = "Safety screening"

    def ready(self) -> None:
        from backcare.screening import (
            actions,  # noqa: F401 - registers the emailed letter's maker
            hold_facts,  # noqa: F401 - hands the holds app its facts
        )
