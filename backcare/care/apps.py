from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "backcare.care"
    verbose_name = "Care programs"

    def ready(self) -> None:
        from backcare.care import hold_facts  # noqa: F401 - hands the holds app its facts
