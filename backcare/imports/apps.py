from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "backcare.imports"
    label = "imports"
    verbose_name = "Moving in from another practice system"
