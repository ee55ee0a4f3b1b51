"""The Django admin, installed with Backcare's own admin site (``site/admin_site.py``)."""

from django.contrib.admin import apps as admin_apps


class BackcareAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "backcare.site.admin_site.BackcareAdminSite"
