from __future__ import annotations

from django.contrib import admin

from backcare.admin_readonly import ReadOnly
from backcare.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is append-only, even for the owner."""

    list_display = ("at", "actor_email", "action", "object_type", "object_repr")
    list_filter = ("action",)
    search_fields = ("actor_email", "object_repr")
