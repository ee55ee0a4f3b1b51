"""The append-only audit log (SPEC §7): every read, change and export of clinical data.

Rows are only ever inserted. The model refuses ``save()`` of an existing row and ``delete()``;
its queryset refuses ``update()`` and ``delete()``; and the database itself refuses UPDATE and
DELETE through triggers (migrations 0002 and 0006).

Each row is linked to the one before it by a keyed hash (``chain.py``, the key from
``AUDIT_KEY`` or ``SECRET_KEY``, never in the database), so a row changed, removed or added in
the database file itself, past the triggers, is found by ``backcare audit verify``.
"""

from __future__ import annotations

import functools
from typing import Any, NoReturn

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from backcare.audit import chain

# Appends take this PostgreSQL advisory lock, held to the end of their transaction, so that two
# writers never link to the same previous row. (SQLite's writers are serialised already.)
CHAIN_LOCK = 0x6261636B63617265  # "backcare"


class AuditLogIsAppendOnly(Exception):
    """Raised by any attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit rows cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit rows cannot be deleted.")

    # bulk_update is update() in disguise.
    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit rows cannot be updated.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            _link(objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint and no cascade: removing a user never touches the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey(
        "clinic.Client",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        help_text="Whose data this event is about.",
    )
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, default="", editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        # Django's internal manager must carry the append-only guards too.
        base_manager_name = "objects"
        indexes = [models.Index(fields=("client", "-at"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit rows cannot be changed once written.")
        kwargs["force_insert"] = True
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            _link([self], using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit rows cannot be deleted.")


def _link(events: list[AuditEvent], using: str) -> None:
    """Chain ``events`` after the last row written. Call inside the inserting transaction."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    last = AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or chain.GENESIS
    key = chain_keys()[-1]
    for event in events:
        event.at = event.at or timezone.now()
        event.prev_hash = prev_hash
        event.hash = chain.link(key, prev_hash, _content(event))
        prev_hash = event.hash


def _content(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in chain.CONTENT_FIELDS}


def chain_keys() -> tuple[bytes, ...]:
    """The audit chain's keys, oldest first: those of ``AUDIT_OLD_KEYS``, then the current one,
    which every new row is written with."""
    return _derived(tuple(settings.AUDIT_OLD_KEYS), settings.AUDIT_KEY)


@functools.cache
def _derived(old_secrets: tuple[str, ...], current_secret: str) -> tuple[bytes, ...]:
    return tuple(chain.chain_key(secret) for secret in (*old_secrets, current_secret))
