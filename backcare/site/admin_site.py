from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backcare import policy
from backcare.audit.admin_log import AuditedAdmin
from backcare.policy import Action


class BackcareAdminSite(admin.AdminSite):
    """The Django admin, for the owner only, asked through the access policy."""

    site_header = "Backcare administration"
    site_title = "Backcare admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, Action.ADMIN)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every model admin writes its saves and deletes to the audit log."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(base.__name__, (AuditedAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
