from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "backcare.accounts"
    verbose_name = "Accounts"


class BackcareAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "backcare.accounts.sites.BackcareAdminSite"
