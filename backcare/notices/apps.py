from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "backcare.notices"
    verbose_name = "Notices"
