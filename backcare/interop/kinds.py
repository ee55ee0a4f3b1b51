"""What this FHIR server serves: each resource type, the rows it is made from, how they are
found for a patient, a date and a time of change, and how one is read by its id.

A resource type may be made from several kinds of row (a Flag from an alert or from a clinical
hold); each is a :class:`Source`, and a resource's id names its source by a prefix
(``alert-12``, ``hold-7``). Access is decided before: :class:`Scope` carries the clients the
reader may see (None: every client, for a system whose scope names the type)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from backcare.booking.models import Appointment
from backcare.care.models import Goal, Program
from backcare.clinic.models import Client, Consent, Location, Service, Therapist
from backcare.holds.queries import standings
from backcare.interop import codes, resources
from backcare.interop.resources import Resource
from backcare.lib.techniques import TECHNIQUES
from backcare.notes.models import Alert
from backcare.outcomes import catalogue
from backcare.outcomes.models import Response
from backcare.screening.models import HOLDING_DECISIONS, Screening

Comparison = tuple[str, dt.datetime]  # ("ge", when)
Rows = Sequence[Any] | QuerySet[Any]
"""A source's rows: a queryset, or a list where they are not rows of one table."""


def count_rows(rows: Rows) -> int:
    return rows.count() if isinstance(rows, QuerySet) else len(rows)


@dataclass(frozen=True)
class Scope:
    """Which rows a read may return."""

    clients: QuerySet[Client] | None = None  # None: every client
    patient: int | None = None
    dates: tuple[Comparison, ...] = ()
    updated: tuple[Comparison, ...] = ()
    base: str = ""
    now: dt.datetime = field(default_factory=timezone.now)
    read_once: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What one read looks up once for all its rows (the active services and locations)."""


_OPERATORS = {"eq": "", "ge": "__gte", "gt": "__gt", "le": "__lte", "lt": "__lt"}


def _compare(path: str, comparisons: Iterable[Comparison], *, any_field: Sequence[str] = ()) -> Q:
    condition = Q()
    for op, when in comparisons:
        if any_field:
            # The time of change is the latest of several fields: "after" means any of them
            # is after; "before" means none is after.
            if op in ("ge", "gt", "eq"):
                part = Q()
                for name in any_field:
                    part |= Q(**{f"{name}{_OPERATORS['ge' if op == 'eq' else op]}": when})
                condition &= part
            else:
                for name in any_field:
                    condition &= Q(**{f"{name}{_OPERATORS[op]}": when}) | Q(
                        **{f"{name}__isnull": True}
                    )
        else:
            condition &= Q(**{f"{path}{_OPERATORS[op]}": when})
    return condition


class Source:
    """One kind of row a resource type is made from."""

    prefix = ""
    patient_path: str | None = None  # how a row names its client; None: not a client's
    date_path: str | None = None
    updated_paths: tuple[str, ...] = ()

    @property
    def tracks_changes(self) -> bool:
        """Does a row know when it last changed (so ``_lastUpdated`` can find it)?"""
        return bool(self.updated_paths)

    def rows(self, scope: Scope) -> Rows:
        raise NotImplementedError

    def get(self, key: str, scope: Scope) -> Any | None:
        raise NotImplementedError

    def to_resources(self, rows: Sequence[Any], scope: Scope) -> list[Resource]:
        raise NotImplementedError

    def client_of(self, row: Any) -> int | None:
        return None


class ModelSource(Source):
    def __init__(
        self,
        queryset: Callable[[], QuerySet[Any]],
        convert: Callable[[Any, Scope], Resource],
        *,
        prefix: str = "",
        patient_path: str | None = None,
        date_path: str | None = None,
        updated_paths: tuple[str, ...] = (),
        client_attr: str = "client_id",
    ) -> None:
        self.queryset = queryset
        self.convert = convert
        self.prefix = prefix
        self.patient_path = patient_path
        self.date_path = date_path
        self.updated_paths = updated_paths
        self.client_attr = client_attr

    def _filtered(self, scope: Scope) -> QuerySet[Any]:
        rows = self.queryset()
        if self.patient_path is not None:
            if scope.clients is not None:
                rows = rows.filter(**{f"{self.patient_path}__in": scope.clients.values("pk")})
            if scope.patient is not None:
                rows = rows.filter(**{self.patient_path: scope.patient})
        if scope.dates and self.date_path is not None:
            rows = rows.filter(_compare(self.date_path, scope.dates))
        if scope.updated and self.updated_paths:
            rows = rows.filter(_compare("", scope.updated, any_field=self.updated_paths))
        return rows.order_by("pk")

    def rows(self, scope: Scope) -> Rows:
        if self.patient_path is None and scope.patient is not None:
            return []
        if scope.dates and self.date_path is None:
            return []
        return self._filtered(scope)

    def get(self, key: str, scope: Scope) -> Any | None:
        if not key.isdigit():
            return None
        return self._filtered(Scope(clients=scope.clients)).filter(pk=int(key)).first()

    def to_resources(self, rows: Sequence[Any], scope: Scope) -> list[Resource]:
        return [self.convert(row, scope) for row in rows]

    def client_of(self, row: Any) -> int | None:
        if self.patient_path is None:
            return None
        value = row
        for part in self.client_attr.split("."):
            value = getattr(value, part)
        return int(value)


class Organizations(Source):
    """The clinic itself: one Organization."""

    def rows(self, scope: Scope) -> Rows:
        return [] if scope.patient is not None or scope.dates else [resources.ORGANIZATION_ID]

    def get(self, key: str, scope: Scope) -> Any | None:
        return key if key == resources.ORGANIZATION_ID else None

    def to_resources(self, rows: Sequence[Any], scope: Scope) -> list[Resource]:
        return [resources.organization() for _ in rows]


class Questionnaires(Source):
    """The outcome instruments, as the FHIR Questionnaires they are stored as."""

    def rows(self, scope: Scope) -> Rows:
        if scope.patient is not None or scope.dates:
            return []
        return list(catalogue.instruments().values())

    def get(self, key: str, scope: Scope) -> Any | None:
        return catalogue.instruments().get(key)

    def to_resources(self, rows: Sequence[Any], scope: Scope) -> list[Resource]:
        return [resources.questionnaire(instrument) for instrument in rows]


class Holds(Source):
    """An open clinical hold, as a Flag (``hold-<client id>``)."""

    prefix = "hold-"
    patient_path = "pk"

    @property
    def tracks_changes(self) -> bool:
        return True  # since the hold began

    def _held(self, clients: QuerySet[Client], scope: Scope) -> list[tuple[Client, Any]]:
        found = standings(list(clients.order_by("pk")), timezone.localdate(scope.now))
        held = []
        for client in clients.order_by("pk"):
            hold = found[client.pk].clinical
            if not hold:
                continue
            if scope.updated:
                since = hold.since or scope.now
                if not all(_holds_on(op, since, when) for op, when in scope.updated):
                    continue
            held.append((client, hold))
        return held

    def _clients(self, scope: Scope) -> QuerySet[Client]:
        clients = Client.objects.all() if scope.clients is None else scope.clients
        if scope.patient is not None:
            clients = clients.filter(pk=scope.patient)
        return clients

    def rows(self, scope: Scope) -> Rows:
        if scope.dates:
            return []
        return self._held(self._clients(scope), scope)

    def get(self, key: str, scope: Scope) -> Any | None:
        if not key.isdigit():
            return None
        found = self._held(self._clients(Scope(clients=scope.clients, patient=int(key))), scope)
        return found[0] if found else None

    def to_resources(self, rows: Sequence[Any], scope: Scope) -> list[Resource]:
        return [resources.hold_flag(client, hold, scope.now) for client, hold in rows]

    def client_of(self, row: Any) -> int | None:
        return int(row[0].pk)


def _holds_on(op: str, value: dt.datetime, when: dt.datetime) -> bool:
    return {
        "eq": value == when,
        "ge": value >= when,
        "gt": value > when,
        "le": value <= when,
        "lt": value < when,
    }[op]


# --- Converters needing more than one row -----------------------------------------------------


def _services(scope: Scope) -> list[Service]:
    if "services" not in scope.read_once:
        scope.read_once["services"] = list(Service.objects.filter(active=True))
    services: list[Service] = scope.read_once["services"]
    return services


def _places(scope: Scope) -> list[Location]:
    if "places" not in scope.read_once:
        scope.read_once["places"] = list(Location.objects.filter(active=True))
    places: list[Location] = scope.read_once["places"]
    return places


def _encounter_id(response: Response) -> int | None:
    visit = response.appointment
    if visit is None or visit.status not in resources.ATTENDED:
        return None
    return int(visit.pk)


def _instrument(response: Response) -> Any:
    return catalogue.instruments()[response.instrument]


def _referral_screenings() -> QuerySet[Screening]:
    return Screening.objects.select_related("client").filter(decision__in=HOLDING_DECISIONS)


def _letter_alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("client").exclude(letter_purpose="")


ENDED_PROGRAMS = ("completed", "discharged", "referred_out")


def _summary_programs() -> QuerySet[Program]:
    return Program.objects.select_related("client").filter(status__in=ENDED_PROGRAMS)


def _document(
    prefix: str,
    kind: dict[str, Any],
    title: Callable[[Any], str],
    created: Callable[[Any], dt.datetime],
    related: Callable[[Any], dict[str, str]] | None = None,
) -> Callable[[Any, Scope], Resource]:
    """A converter of a client's record to the DocumentReference of the PDF made from it."""

    def convert(record: Any, scope: Scope) -> Resource:
        return resources.document_reference(
            document_id=f"{prefix}{record.pk}",
            client_id=record.client_id,
            kind=kind,
            title=title(record),
            created=created(record),
            base=scope.base,
            related=related(record) if related is not None else None,
        )

    return convert


_screening_letter = _document(
    "referral-s",
    codes.REFERRAL_NOTE,
    lambda screening: "Referral letter: medical clearance before massage",
    lambda screening: screening.created_at,
)
_alert_letter = _document(
    "referral-a",
    codes.REFERRAL_NOTE,
    lambda alert: f"Referral letter: {alert.get_kind_display().lower()}",
    lambda alert: alert.opened_at,
)
_summary = _document(
    "summary-",
    codes.DISCHARGE_SUMMARY,
    lambda program: f"Discharge summary: {program.title}",
    lambda program: program.updated_at,
    lambda program: {"reference": f"CarePlan/{program.pk}"},
)


# --- The registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    type: str
    sources: tuple[Source, ...]
    clinical: bool = True
    """Clinical records are read by the owner and the client's care team; the rest of a
    client's (Patient, Appointment, Consent) by the staff who see the client."""

    @property
    def about_clients(self) -> bool:
        return any(source.patient_path is not None for source in self.sources)

    @property
    def tracks_changes(self) -> bool:
        """Is it searched by ``_lastUpdated``? The clinic's directory (its places, people,
        services, instruments) keeps no time of change: a search by it is refused, and an
        export ``_since`` a time carries all of it, as the resources referred to."""
        return all(source.tracks_changes for source in self.sources)

    def source_for(self, resource_id: str) -> tuple[Source, str] | None:
        for source in sorted(self.sources, key=lambda s: -len(s.prefix)):
            if resource_id.startswith(source.prefix):
                return source, resource_id.removeprefix(source.prefix)
        return None


def _client_records(
    queryset: Callable[[], QuerySet[Any]],
    convert: Callable[[Any, Scope], Resource],
    date_path: str,
    *also_updated: str,
    prefix: str = "",
) -> ModelSource:
    """A source of one client's records (``client_id``), dated by ``date_path``: searched by
    patient, by that date, and as updated when it or any of ``also_updated`` changed."""
    return ModelSource(
        queryset,
        convert,
        prefix=prefix,
        patient_path="client_id",
        date_path=date_path,
        updated_paths=(date_path, *also_updated),
    )


def _condition_clients() -> QuerySet[Client]:
    """Clients under care for low back pain: a program planned or a session attended; recorded
    when the first of those happened."""
    return Client.objects.annotate(
        recorded=Coalesce(
            Min("programs__created_at"),
            Min("appointments__starts", filter=Q(appointments__status__in=resources.ATTENDED)),
        )
    ).filter(recorded__isnull=False)


KINDS: dict[str, Kind] = {
    kind.type: kind
    for kind in (
        Kind(
            "Patient",
            (
                ModelSource(
                    Client.objects.all,
                    lambda client, scope: resources.patient(client),
                    patient_path="pk",
                    updated_paths=("updated_at",),
                    client_attr="pk",
                ),
            ),
            clinical=False,
        ),
        Kind("Organization", (Organizations(),), clinical=False),
        Kind(
            "Location",
            (
                ModelSource(
                    lambda: Location.objects.select_related("billing_numbers"),
                    lambda place, scope: resources.location(place),
                ),
            ),
            clinical=False,
        ),
        Kind(
            "Practitioner",
            (
                ModelSource(
                    lambda: Therapist.objects.select_related("user", "billing_numbers"),
                    lambda therapist, scope: resources.practitioner(therapist),
                ),
            ),
            clinical=False,
        ),
        Kind(
            "PractitionerRole",
            (
                ModelSource(
                    lambda: Therapist.objects.select_related("user").prefetch_related("locations"),
                    lambda therapist, scope: resources.practitioner_role(
                        therapist, _services(scope)
                    ),
                ),
            ),
            clinical=False,
        ),
        Kind(
            "HealthcareService",
            (
                ModelSource(
                    Service.objects.all,
                    lambda service, scope: resources.healthcare_service(service, _places(scope)),
                ),
            ),
            clinical=False,
        ),
        Kind("Questionnaire", (Questionnaires(),), clinical=False),
        Kind(
            "Appointment",
            (
                ModelSource(
                    lambda: Appointment.objects.select_related(
                        "service", "therapist__user", "location"
                    ),
                    lambda visit, scope: resources.appointment(visit),
                    patient_path="client_id",
                    date_path="starts",
                    updated_paths=("updated_at",),
                ),
            ),
            clinical=False,
        ),
        Kind(
            "Consent",
            (
                _client_records(
                    Consent.objects.all,
                    lambda record, scope: resources.consent(record),
                    "given_at",
                    "withdrawn_at",
                ),
            ),
            clinical=False,
        ),
        Kind(
            "Encounter",
            (
                ModelSource(
                    lambda: Appointment.objects.select_related(
                        "service", "therapist__user", "location", "session_note"
                    ).filter(status__in=resources.ATTENDED),
                    lambda visit, scope: resources.encounter(visit, _note_signed(visit)),
                    patient_path="client_id",
                    date_path="starts",
                    updated_paths=("updated_at", "session_note__signed_at"),
                ),
            ),
        ),
        Kind(
            "Condition",
            (
                ModelSource(
                    _condition_clients,
                    lambda client, scope: resources.condition(client, client.recorded),
                    patient_path="pk",
                    date_path="recorded",
                    updated_paths=("recorded",),
                    client_attr="pk",
                ),
            ),
        ),
        Kind(
            "CarePlan",
            (
                ModelSource(
                    lambda: Program.objects.prefetch_related("goals"),
                    lambda program, scope: resources.care_plan(
                        program, program.goals.all(), TECHNIQUES
                    ),
                    patient_path="client_id",
                    date_path="created_at",
                    updated_paths=("updated_at",),
                ),
            ),
        ),
        Kind(
            "Goal",
            (
                ModelSource(
                    lambda: Goal.objects.select_related("program"),
                    lambda item, scope: resources.goal(item),
                    patient_path="program__client_id",
                    updated_paths=("program__updated_at",),
                    client_attr="program.client_id",
                ),
            ),
        ),
        Kind(
            "Observation",
            (
                _client_records(
                    lambda: Response.objects.select_related("appointment"),
                    lambda response, scope: resources.observation(
                        response, _instrument(response), _encounter_id(response)
                    ),
                    "collected_at",
                ),
            ),
        ),
        Kind(
            "QuestionnaireResponse",
            (
                _client_records(
                    Response.objects.all,
                    lambda response, scope: resources.questionnaire_response(
                        response, _instrument(response)
                    ),
                    "collected_at",
                ),
            ),
        ),
        Kind(
            "ServiceRequest",
            (
                _client_records(
                    _referral_screenings,
                    lambda screening, scope: resources.screening_referral(screening),
                    "created_at",
                    prefix="s",
                ),
                _client_records(
                    _letter_alerts,
                    lambda alert, scope: resources.alert_referral(alert),
                    "opened_at",
                    "acknowledged_at",
                    prefix="a",
                ),
            ),
        ),
        Kind(
            "Flag",
            (
                _client_records(
                    Alert.objects.all,
                    lambda alert, scope: resources.alert_flag(alert),
                    "opened_at",
                    "acknowledged_at",
                    prefix="alert-",
                ),
                Holds(),
            ),
        ),
        Kind(
            "DocumentReference",
            (
                _client_records(
                    _referral_screenings,
                    _screening_letter,
                    "created_at",
                    prefix="referral-s",
                ),
                _client_records(
                    _letter_alerts,
                    _alert_letter,
                    "opened_at",
                    prefix="referral-a",
                ),
                _client_records(
                    _summary_programs,
                    _summary,
                    "updated_at",
                    prefix="summary-",
                ),
            ),
        ),
    )
}


def _note_signed(visit: Appointment) -> dt.datetime | None:
    note = getattr(visit, "session_note", None)
    return note.signed_at if note is not None else None


# Every resource type of a patient's record, in the order $everything and exports give them.
PATIENT_TYPES = tuple(name for name, kind in KINDS.items() if kind.about_clients)
DIRECTORY_TYPES = tuple(name for name, kind in KINDS.items() if not kind.about_clients)
