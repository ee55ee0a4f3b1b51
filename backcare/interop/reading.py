"""Reading FHIR resources under the access policy: who may read which clients' records of a
type (:func:`clients_for`), search with paging, read by id, a patient's ``$everything`` and the
stream of resources an export writes. Shared by the views, the background export and the
command line (which reads as the clinic itself)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from backcare import policy
from backcare.accounts.models import User
from backcare.clinic.models import Client
from backcare.interop.kinds import DIRECTORY_TYPES, KINDS, PATIENT_TYPES, Kind, Scope, count_rows
from backcare.interop.resources import Resource
from backcare.policy import Action
from backcare.systems.tokens import SystemAccess

WebReader = User | SystemAccess
"""Who reads over HTTP: a staff member or a connected system."""
Reader = WebReader | None
"""Who reads: as over HTTP, or None for the clinic itself (the command line)."""


class Refused(Exception):
    """The reader may not read this type at all (403)."""


def base_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/fhir/R4"


def clients_for(reader: Reader, kind: Kind) -> QuerySet[Client] | None:
    """The clients whose records of this type the reader sees; None means every client.

    A system reads every client's records of the types its scopes name (read-only); staff read
    as on the pages: demographics, appointments and consents of the clients they see, the
    clinical record of those they treat (the owner: everyone's)."""
    if reader is None:
        return None
    if isinstance(reader, SystemAccess):
        if not policy.system_can(reader, kind.type):
            raise Refused(f"This system's scopes do not cover {kind.type}.")
        return None
    if not policy.can(reader, Action.FHIR_READ):
        raise Refused("The FHIR server is for clinic staff and connected systems.")
    if not kind.about_clients:
        return None
    if kind.clinical:
        return policy.clinical_clients(reader)
    return policy.visible_clients(reader)


def readable_types(reader: Reader, types: Iterable[str]) -> list[str]:
    found = []
    for name in types:
        try:
            clients_for(reader, KINDS[name])
        except Refused:
            continue
        found.append(name)
    return found


@dataclass(frozen=True)
class Page:
    resources: list[Resource]
    clients: set[int]
    total: int


def search(reader: Reader, kind: Kind, scope: Scope, *, offset: int, count: int) -> Page:
    scope = Scope(
        clients=clients_for(reader, kind),
        patient=scope.patient,
        dates=scope.dates,
        updated=scope.updated,
        base=scope.base,
        now=scope.now,
    )
    found: list[Resource] = []
    clients: set[int] = set()
    total = 0
    for source in kind.sources:
        rows = source.rows(scope)
        size = count_rows(rows)
        start = max(offset - total, 0)
        wanted = count - len(found)
        if wanted > 0 and start < size:
            chosen = list(rows[start : start + wanted])
            found.extend(source.to_resources(chosen, scope))
            clients.update(c for row in chosen if (c := source.client_of(row)) is not None)
        total += size
    return Page(found, clients, total)


def read(reader: Reader, kind: Kind, resource_id: str) -> tuple[Resource, int | None] | None:
    """The resource and its client's id, or None when it does not exist for this reader."""
    scope = Scope(clients=clients_for(reader, kind), base=base_url())
    found = kind.source_for(resource_id)
    if found is None:
        return None
    source, key = found
    row = source.get(key, scope)
    if row is None:
        return None
    return source.to_resources([row], scope)[0], source.client_of(row)


def stream(
    reader: Reader,
    types: Iterable[str],
    *,
    patient: int | None = None,
    since: dt.datetime | None = None,
    clients: QuerySet[Client] | None = None,
    batch: int = 500,
) -> Iterator[tuple[str, Resource]]:
    """Every resource of these types the reader may read, type by type, in batches."""
    now = timezone.now()
    for name in types:
        kind = KINDS[name]
        allowed = clients_for(reader, kind)
        if clients is not None and kind.about_clients:
            allowed = clients if allowed is None else allowed.filter(pk__in=clients.values("pk"))
        scope = Scope(
            clients=allowed,
            patient=patient,
            updated=(("ge", since),) if since is not None else (),
            base=base_url(),
            now=now,
        )
        for source in kind.sources:
            rows = source.rows(scope)
            size = count_rows(rows)
            for start in range(0, size, batch):
                chosen = list(rows[start : start + batch])
                for resource in source.to_resources(chosen, scope):
                    yield name, resource


def everything(
    reader: Reader,
    client: Client,
    *,
    types: Sequence[str] | None = None,
    since: dt.datetime | None = None,
) -> list[tuple[str, Resource]]:
    """A patient's whole record, with the clinic's directory it refers to (practitioners,
    locations, services, questionnaires, the organization), so every reference resolves."""
    wanted = list(types) if types else [*PATIENT_TYPES, *DIRECTORY_TYPES]
    ordered = [name for name in ("Patient", *PATIENT_TYPES, *DIRECTORY_TYPES) if name in wanted]
    ordered = list(dict.fromkeys(readable_types(reader, ordered)))
    found: list[tuple[str, Resource]] = []
    for name in ordered:
        kind = KINDS[name]
        if kind.about_clients:
            found.extend(stream(reader, [name], patient=client.pk, since=since))
        else:
            found.extend(stream(reader, [name]))
    return found
