from django.apps import AppConfig


class HoldsConfig(AppConfig):
    name = "backcare.holds"
    label = "holds"
    verbose_name = "Clinical holds"
    default_auto_field = "django.db.models.BigAutoField"
