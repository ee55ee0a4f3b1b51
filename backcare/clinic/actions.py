"""Named write actions for people and places. Views, commands and the demo call these; none of
them writes the models directly. Each runs in one transaction, validates, saves only the fields
it changed, and appends an audit row with the before and after values (STYLE.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from backcare.accounts.actions import create_login
from backcare.accounts.models import Role, User
from backcare.audit.log import (
    create_recorded,
    create_recorded_each,
    diff,
    record,
    record_all,
    snapshot,
)
from backcare.clinic.models import (
    CareTeamMembership,
    Client,
    Consent,
    ConsentKind,
    Location,
    PrivacyNotice,
    Room,
    Service,
    Therapist,
)

M = TypeVar("M", bound=models.Model)


def _editable_fields(instance: models.Model, data: Mapping[str, Any]) -> list[str]:
    concrete = {field.name for field in instance._meta.concrete_fields}
    return [name for name in data if name in concrete]


def _update(actor: User | None, instance: M, data: Mapping[str, Any], action: str) -> M:
    fields = _editable_fields(instance, data)
    before = snapshot(instance, fields)
    for name in fields:
        setattr(instance, name, data[name])
    instance.full_clean()
    changes = diff(before, snapshot(instance, fields))
    if changes:
        # A time of last change (``auto_now``) is saved with any change, or it would not move.
        touched = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=[*changes, *touched])
        record(actor, action, instance, changes=changes)
    return instance


def _set_m2m(
    actor: User | None, instance: models.Model, name: str, values: list[Any], action: str
) -> None:
    manager = getattr(instance, name)
    before = sorted(obj.pk for obj in manager.all())
    after = sorted(obj.pk for obj in values)
    if before != after:
        manager.set(values)
        record(actor, action, instance, changes={name: {"before": before, "after": after}})


# --- Clients --------------------------------------------------------------------------------


@transaction.atomic
def register_client(actor: User | None, data: Mapping[str, Any]) -> Client:
    return create_recorded(actor, Client(**data), "client.registered")


@transaction.atomic
def register_clients(actor: User | None, clients: Sequence[Client]) -> list[Client]:
    """Register many new clients at once (an import), each validated already (``full_clean``),
    each audited as ``register_client`` audits one."""
    return create_recorded_each(actor, clients, "client.registered")


@transaction.atomic
def update_client(actor: User | None, client: Client, data: Mapping[str, Any]) -> Client:
    """Save the client's details. Their portal login follows a new email address."""
    login = client.user
    if login is not None and data.get("email") and data["email"].lower() != login.email:
        new_email = data["email"].lower()
        if User.objects.filter(email__iexact=new_email).exclude(pk=login.pk).exists():
            raise ValidationError({"email": "Someone else already signs in with this address."})
        _update(actor, login, {"email": new_email}, "user.updated")
    return _update(actor, client, data, "client.updated")


@transaction.atomic
def record_consents(actor: User | None, consents: Sequence[Consent]) -> list[Consent]:
    """Keep consents given (new, of saved clients): each validated, inserted together, and each
    with its audit row naming its kind and version."""
    if not consents:
        return []
    for consent in consents:
        consent.full_clean()
    saved = Consent.objects.bulk_create(consents)
    record_all(
        actor,
        "consent.given",
        [(c, diff({}, {"kind": ConsentKind(c.kind).value, "version": c.version})) for c in saved],
    )
    return saved


@transaction.atomic
def withdraw_consent(actor: User | None, consent: Consent, at: dt.datetime) -> Consent:
    return _update(actor, consent, {"withdrawn_at": at}, "consent.withdrawn")


@transaction.atomic
def add_to_care_team(
    actor: User | None,
    client: Client,
    therapist: Therapist,
    reason: CareTeamMembership.Reason,
    at: dt.datetime,
) -> CareTeamMembership:
    """Let a therapist treat a client. Adding someone already on the team changes nothing."""
    existing = CareTeamMembership.objects.filter(
        client=client, therapist=therapist, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            membership = CareTeamMembership.objects.create(
                client=client, therapist=therapist, reason=reason, added_at=at
            )
    except IntegrityError:
        # Added by a simultaneous request: the database kept one open membership, use it.
        added = CareTeamMembership.objects.filter(
            client=client, therapist=therapist, ended_at__isnull=True
        ).first()
        if added is None:
            raise
        return added
    record(
        actor,
        "care_team.added",
        membership,
        client=client,
        changes=diff({}, {"therapist": therapist.pk, "reason": reason.value}),
    )
    return membership


@transaction.atomic
def remove_from_care_team(
    actor: User | None, membership: CareTeamMembership, at: dt.datetime
) -> CareTeamMembership:
    return _update(actor, membership, {"ended_at": at}, "care_team.removed")


# --- Places and people ----------------------------------------------------------------------


@transaction.atomic
def create_location(actor: User | None, data: Mapping[str, Any]) -> Location:
    return create_recorded(actor, Location(**data), "location.created")


@transaction.atomic
def update_location(actor: User | None, location: Location, data: Mapping[str, Any]) -> Location:
    return _update(actor, location, data, "location.updated")


@transaction.atomic
def create_room(actor: User | None, data: Mapping[str, Any]) -> Room:
    return create_recorded(actor, Room(**data), "room.created")


@transaction.atomic
def update_room(actor: User | None, room: Room, data: Mapping[str, Any]) -> Room:
    return _update(actor, room, data, "room.updated")


@transaction.atomic
def create_service(actor: User | None, data: Mapping[str, Any]) -> Service:
    return create_recorded(actor, Service(**data), "service.created")


@transaction.atomic
def update_service(actor: User | None, service: Service, data: Mapping[str, Any]) -> Service:
    return _update(actor, service, data, "service.updated")


@transaction.atomic
def create_therapist(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    password: str | None,
    data: Mapping[str, Any],
    locations: list[Location],
) -> Therapist:
    """A therapist's login and professional record, created together (``site/invitations.py``
    adds one and emails them a link to choose a password)."""
    user = create_login(
        actor, email=email, full_name=full_name, role=Role.THERAPIST, password=password
    )
    therapist = create_recorded(actor, Therapist(user=user, **data), "therapist.created")
    _set_m2m(actor, therapist, "locations", locations, "therapist.updated")
    return therapist


@transaction.atomic
def update_therapist(
    actor: User | None,
    therapist: Therapist,
    *,
    full_name: str,
    data: Mapping[str, Any],
    locations: list[Location],
) -> Therapist:
    _update(actor, therapist.user, {"full_name": full_name}, "user.updated")
    _update(actor, therapist, data, "therapist.updated")
    _set_m2m(actor, therapist, "locations", locations, "therapist.updated")
    return therapist


class PortalInviteError(Exception):
    """The client cannot be invited to the portal; the message says why, in plain words."""


@transaction.atomic
def create_client_login(actor: User | None, client: Client, *, password: str | None) -> User:
    """Give a client a portal login with their email address."""
    if client.user_id is not None:
        raise PortalInviteError(f"{client.full_name} already has a portal login.")
    if not client.email:
        raise PortalInviteError("Add the client's email address first: it is their login.")
    if User.objects.filter(email__iexact=client.email).exists():
        raise PortalInviteError(f"Someone already signs in with {client.email}.")
    user = create_login(
        actor,
        email=client.email,
        full_name=client.full_name,
        role=Role.CLIENT,
        password=password,
        about=client,
    )
    _update(actor, client, {"user": user}, "client.updated")
    return user


@transaction.atomic
def update_privacy_notice(actor: User | None, text: str) -> PrivacyNotice:
    """Save the clinic's privacy notice (the owner's words replace the default)."""
    notice = PrivacyNotice.current()
    before = snapshot(notice, ["text"]) if notice.updated_at else {}
    notice.text = text
    notice.full_clean()
    changes = diff(before, snapshot(notice, ["text"]))
    if changes:
        notice.save()
        record(actor, "privacy_notice.updated", notice, changes=changes)
    return notice
