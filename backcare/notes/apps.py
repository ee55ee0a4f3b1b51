from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "backcare.notes"
    verbose_name = "Session notes"

    def ready(self) -> None:
        from backcare.notes import hold_facts  # noqa: F401 - hands the holds app its facts
