from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "backcare.staff"
    label = "staff"
    verbose_name = "Staff pages"
