"""Writing audit rows. Named write actions call :func:`record`; a view that shows a client's
record names its read in ``policy.requires(..., audit=...)``. Every action string is registered
with its sentence in :mod:`backcare.audit.labels`."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import models

from backcare.audit import labels
from backcare.audit.context import current_ip
from backcare.audit.models import AuditEvent

if TYPE_CHECKING:
    from backcare.accounts.models import User
    from backcare.clinic.models import Client

M = TypeVar("M", bound=models.Model)

logger = logging.getLogger(__name__)


# Audit rows are never rewritten, so a model that moved to another app keeps the name its rows
# were first written under: its history reads on, old rows and new alike.
_FIRST_NAMES = {"booking.appointment": "scheduling.appointment"}


def object_type(model: type[models.Model] | models.Model) -> str:
    """The name audit rows give `model`'s objects, or this object's (``AuditEvent.object_type``).
    An object may stand behind a lazy proxy (``request.user``): its ``_meta`` is read through."""
    label = model._meta.label_lower
    return _FIRST_NAMES.get(label, label)


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for the before/after columns."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return [_plain(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value changed, as ``{field: {"before": …, "after": …}}``."""
    return {
        name: {"before": before.get(name), "after": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


def record(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    client: Client | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """Append one audit row. ``client`` names whose data it is, when that is not ``obj``.
    ``actor_email`` is for events of someone not signed in: the address a sign-in attempt or a
    password reset request was made for, so that the log finds it under that address.

    ``action`` must be registered in :mod:`backcare.audit.labels`: with ``DEBUG`` or
    ``AUDIT_STRICT`` (the tests) an unregistered one is refused; in production the row is
    written all the same (it reads as its code) and the omission logged."""
    event = _event(actor, action, obj, changes=changes, client=client, actor_email=actor_email)
    event.save()
    return event


def record_each(
    actor: User | None,
    action: str,
    clients: Iterable[Client | None],
    *,
    changes: Mapping[str, Any] | None = None,
    actor_email: str | None = None,
) -> list[AuditEvent]:
    """One audit row for each of ``clients`` (as ``record`` writes it), written together: a
    page that shows many clients' data costs the same few queries however many it shows."""
    events = [
        _event(actor, action, changes=changes, client=client, actor_email=actor_email)
        for client in clients
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def record_all(
    actor: User | None,
    action: str,
    entries: Iterable[tuple[models.Model, Mapping[str, Any]]],
) -> list[AuditEvent]:
    """One audit row for each ``(obj, changes)``, as ``record`` writes it, written together: an
    import of thousands of records costs a few queries per hundred rather than per record."""
    events = [
        _event(actor, action, obj, changes=changes, client=None, actor_email=None)
        for obj, changes in entries
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def _event(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: Mapping[str, Any] | None,
    client: Client | None,
    actor_email: str | None,
) -> AuditEvent:
    """The audit row ``record`` writes, not saved yet."""
    if labels.label_for(action) is None:
        if settings.DEBUG or getattr(settings, "AUDIT_STRICT", False):
            labels.check(action)
        logger.warning("audit action %r is not registered in backcare/audit/labels.py", action)
    if client is None:
        # A client's own record, or something of theirs: a consent, a membership, their login.
        # (The log's own link to the client names the model: the audit app imports no other.)
        client_model = cast("type[models.Model]", AuditEvent.client.field.related_model)
        owner = obj if isinstance(obj, client_model) else getattr(obj, "client", None)
        client = cast("Client", owner) if isinstance(owner, client_model) else None
    signed_in = actor is not None and actor.is_authenticated
    if actor_email is None:
        actor_email = actor.email if actor is not None and signed_in else ""
    return AuditEvent(
        actor=actor if signed_in else None,
        actor_email=actor_email[:254],
        action=action,
        object_type=object_type(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        client=client,
        changes=dict(changes or {}),
        ip=current_ip.get(),
    )


def _recorded_fields(instance: models.Model) -> list[str]:
    return [field.name for field in instance._meta.concrete_fields if field.name != "id"]


def create_recorded(actor: User | None, instance: M, action: str) -> M:
    """Validate and insert `instance`, and record every field it was created with. Call inside
    the action's transaction."""
    instance.full_clean()
    instance.save(force_insert=True)
    fields = _recorded_fields(instance)
    record(actor, action, instance, changes=diff({}, snapshot(instance, fields)))
    return instance


def create_recorded_each(actor: User | None, instances: Sequence[M], action: str) -> list[M]:
    """``create_recorded`` for many new records of one model (an import): inserted together,
    each with its own audit row of every field it was created with. The caller has validated
    each (``full_clean``), so that an error names its record. For models without a ``save`` of
    their own or signals listening: a bulk insert calls neither."""
    if not instances:
        return []
    created = type(instances[0])._default_manager.bulk_create(instances)
    fields = _recorded_fields(instances[0])
    record_all(actor, action, ((obj, diff({}, snapshot(obj, fields))) for obj in created))
    return created


def delete_recorded(actor: User | None, instance: models.Model, action: str) -> None:
    """Record every field of `instance`, then delete it. Call inside the action's transaction."""
    fields = _recorded_fields(instance)
    record(actor, action, instance, changes=diff(snapshot(instance, fields), {}))
    instance.delete()
