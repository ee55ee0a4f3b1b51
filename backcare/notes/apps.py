from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "backcare.notes"
    verbose_name = "Session notes"
