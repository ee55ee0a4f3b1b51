"""The admin's read-only mixin: records that change only through audited actions (or never)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ReadOnly:
    """Put before ``admin.ModelAdmin``: the admin lists and shows, and never adds, changes or
    deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
