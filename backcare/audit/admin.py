from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backcare.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is append-only, even for the owner."""

    list_display = ("at", "actor_email", "action", "object_type", "object_repr")
    list_filter = ("action",)
    search_fields = ("actor_email", "object_repr")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
