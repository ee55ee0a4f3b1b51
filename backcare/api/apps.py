from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backcare.api"
    label = "api"
    verbose_name = "REST API"
