from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backcare.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin[Notice]):
    """Read-only: which emails went out, and when. A row is what stops an email going twice."""

    list_display = ("created_at", "kind", "recipient", "appointment_id", "sent_at")
    list_filter = ("kind",)
    search_fields = ("recipient", "key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
