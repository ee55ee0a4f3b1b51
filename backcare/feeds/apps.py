from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "backcare.feeds"
    verbose_name = "Calendar feeds"
