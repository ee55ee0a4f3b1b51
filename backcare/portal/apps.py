from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "backcare.portal"
    verbose_name = "Portal"
