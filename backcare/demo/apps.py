from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "backcare.demo"
    verbose_name = "Demo clinic"
