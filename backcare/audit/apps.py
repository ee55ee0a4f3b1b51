from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backcare.audit"
    verbose_name = "Audit"
