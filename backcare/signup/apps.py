from django.apps import AppConfig


class SignupConfig(AppConfig):
    name = "backcare.signup"
    label = "signup"
    verbose_name = "New clients from the website"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backcare.signup import (  # noqa: F401
            queries,  # held times block free times
            receivers,  # subscribes to the events
        )
