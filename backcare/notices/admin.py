from __future__ import annotations

from django.contrib import admin

from backcare.admin_readonly import ReadOnly
from backcare.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnly, admin.ModelAdmin[Notice]):
    """Read-only: which emails went out, and when. A row is what stops an email going twice."""

    list_display = ("created_at", "kind", "recipient", "appointment_id", "sent_at")
    list_filter = ("kind",)
    search_fields = ("recipient", "key")
