"""Every save and delete through ``/admin/`` leaves an audit row with the values before and after.

The admin site mixes :class:`AuditedAdmin` into every model admin it registers
(``site/admin_site.py``), so a model admin added later is audited without asking. Secrets (a
password hash, a token's hash) are never copied into the log: the row says only that they
changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models.query import QuerySet
from django.forms import Form
from django.http import HttpRequest

from backcare.audit.log import diff, record, snapshot

SECRET_FIELDS = frozenset({"password", "token_hash"})
HIDDEN = "(hidden)"
_BEFORE = "_audit_admin_before"


def admin_snapshot(instance: models.Model) -> dict[str, Any]:
    """Every stored field and many-to-many of ``instance``, secrets masked."""
    meta = instance._meta
    names = [field.name for field in meta.concrete_fields if field.name != "id"]
    values = snapshot(instance, names)
    for name in names:
        # A time read back from the database and the same time from a form differ in zone only.
        value = getattr(instance, name)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            values[name] = value.astimezone(dt.UTC).isoformat()
    if instance.pk is not None:
        for field in meta.many_to_many:
            values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


def _masked(changes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: ({"before": HIDDEN, "after": HIDDEN} if name in SECRET_FIELDS else change)
        for name, change in changes.items()
    }


class AuditedAdmin:
    """Put before a ``ModelAdmin``: its adds, changes and deletes are written to the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Form, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            before = admin_snapshot(stored) if stored is not None else {}
        setattr(obj, _BEFORE, (change, before))
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        change, before = getattr(obj, _BEFORE, (change, {}))
        changes = _masked(diff(before, admin_snapshot(obj)))
        if change and not changes:
            return
        if change:
            record(request.user, "admin.changed", obj, changes=changes)  # type: ignore[arg-type]
        else:
            record(request.user, "admin.added", obj, changes=changes)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_deletion(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _record_deletion(request, obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


def _record_deletion(request: HttpRequest, obj: models.Model) -> None:
    changes = _masked(
        {name: {"before": value, "after": None} for name, value in admin_snapshot(obj).items()}
    )
    record(request.user, "admin.deleted", obj, changes=changes)  # type: ignore[arg-type]
