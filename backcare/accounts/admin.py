from __future__ import annotations

from typing import Any

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from backcare.accounts.models import User
from backcare.audit.log import record


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]  # typed for AbstractUser only
    ordering = ("full_name",)
    list_display = ("full_name", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("full_name", "email")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "password1", "password2"),
            },
        ),
    )

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        # The admin's "change password" form (set, or sign-in by password switched off).
        match = request.resolver_match
        if match is not None and match.url_name == "auth_user_password_change":
            record(request.user, "password.set_by_admin", obj)  # type: ignore[arg-type]
        return entry


# django-axes' lockouts ("Access attempts") stay in the admin: deleting one unlocks that person
# (docs/operations.md). Its logs of every sign-in are switched off in settings, since the audit
# log keeps sign-ins, so their empty pages go.
# Two-step sign-in devices stay out of the admin: it would show anyone's authenticator key
# and QR code to the owner. The owner resets a colleague on the staff page "Staff sign-in".
for model in (AccessLog, AccessFailureLog, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
