from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backcare.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from backcare.accounts import receivers

        receivers.connect()
