from django.apps import AppConfig


class EmailsConfig(AppConfig):
    """The emails Backcare sends when something happens: confirmations, changes, reminders and
    the safety emails. It hears the domain events and queues each email in the notices outbox."""

    name = "backcare.emails"
    verbose_name = "Emails"

    def ready(self) -> None:
        from backcare.emails import receivers  # noqa: F401 - subscribes to the events
