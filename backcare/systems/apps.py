from django.apps import AppConfig


class SystemsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backcare.systems"
    verbose_name = "Connected systems"
