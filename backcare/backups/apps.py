from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backcare.backups"
    verbose_name = "Backups and keys"
