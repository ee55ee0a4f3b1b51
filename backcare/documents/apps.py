from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "backcare.documents"
    label = "documents"
    verbose_name = "Client documents"
    default_auto_field = "django.db.models.BigAutoField"
