from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "backcare.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from backcare.accounts import receivers

        receivers.connect()


class BackcareAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "backcare.accounts.sites.BackcareAdminSite"
