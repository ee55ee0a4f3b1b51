"""Moving in from another practice system: clients and their future appointments from CSV
exports (``rows.py`` reads them), all or nothing per run.

Clients are created by ``register_clients`` and their consents by ``record_consents``, each
audited, a hundred rows at a time; a client already here (the same email, or the same name and
date of birth) is matched, never created twice, and only their blank details are filled in, so
running the same file again changes nothing. Imported clients have answered no health
questions: the clinical hold "not screened" stands for them until they do. Future appointments
are booked by ``book_appointment``, the action behind the staff calendar: every booking rule and
the clinical hold apply, and each refusal is reported with its row and reason.

A run either writes everything or nothing: any row with an error rolls the whole run back, and
a dry run always does, after doing exactly what the real run would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.booking import actions as scheduling
from backcare.booking.models import ACTIVE_STATUSES, Appointment
from backcare.clinic.actions import record_consents, register_clients, update_client
from backcare.clinic.models import Client, Consent, Location, Service, Therapist
from backcare.holds.actions import ClientHeld, record_refusal
from backcare.imports import rows
from backcare.imports.models import ImportRun
from backcare.imports.rows import RowError
from backcare.lib.errors import FieldError

Progress = Callable[[int, int], None]
"""Hears ``(rows done, rows in all)``: at the start, every ``_PROGRESS_EVERY`` rows and at the
end, with every row done."""
CONSENT_VERSION = "imported"
_PROGRESS_EVERY = 100


@dataclass
class Report:
    """What a run did (or, dry, would do)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": [error.as_dict() for error in self.errors],
            "dry_run": self.dry_run,
            "written": self.written,
        }


class _RollBack(Exception):
    """Leaves the run's transaction, undoing everything it wrote."""


def _field_errors(number: int, error: ValidationError) -> list[rows.RowError]:
    return [
        RowError(number, name if name != "__all__" else "row", message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _key(first: str, last: str, born: dt.date) -> tuple[str, str, dt.date]:
    return (first.strip().lower(), last.strip().lower(), born)


class _Clients:
    """Every client, found by email or by name and date of birth, loaded once."""

    def __init__(self) -> None:
        self.by_email: dict[str, Client] = {}
        self.by_name: dict[tuple[str, str, dt.date], Client] = {}
        for client in Client.objects.all():
            self.add(client)

    def add(self, client: Client) -> None:
        if client.email:
            self.by_email.setdefault(client.email.lower(), client)
        self.by_name.setdefault(
            _key(client.first_name, client.last_name, client.date_of_birth), client
        )

    def find(self, email: str, first: str, last: str, born: dt.date | None) -> Client | None:
        if email and email.lower() in self.by_email:
            return self.by_email[email.lower()]
        if first and last and born is not None:
            return self.by_name.get(_key(first, last, born))
        return None


class _ClientImport:
    """Creates or matches one client per row (``"created"``, ``"updated"``: blanks filled, a
    consent added, or ``"unchanged"``). A new client and their consents are validated at their
    row and written with the rows around them (``flush``, before each progress report): an
    import of thousands of clients costs a few queries per hundred rows."""

    def __init__(self, actor: User | None, now: dt.datetime) -> None:
        self.actor, self.now = actor, now
        self.known = _Clients()
        self.consented: set[tuple[int, str]] = set(
            Consent.objects.filter(withdrawn_at__isnull=True).values_list("client_id", "kind")
        )
        self.new_clients: list[Client] = []
        self.new_consents: list[Consent] = []

    def _match(self, item: rows.ClientRecord) -> Client | None:
        values = item.values
        return self.known.find(
            values.get("email", ""),
            values["first_name"],
            values["last_name"],
            values["date_of_birth"],
        )

    def before(self, item: rows.ClientRecord) -> None:
        """A row that matches a client created a few rows up, not written yet: write first."""
        client = self._match(item)
        if client is not None and client.pk is None:
            self.flush()

    def __call__(self, item: rows.ClientRecord) -> str:
        client = self._match(item)
        if client is None:
            client = Client(**{k: v for k, v in item.values.items() if v != ""})
            client.full_clean()
            consents = self._consents(client, item)
            self.known.add(client)
            self.new_clients.append(client)
            self.new_consents.extend(consents)
            return "created"
        outcome = "unchanged"
        blanks = {
            name: value
            for name, value in item.values.items()
            if value not in ("", None) and getattr(client, name) in ("", None)
        }
        if blanks:
            update_client(self.actor, client, blanks)
            outcome = "updated"
        if consents := self._consents(client, item):
            record_consents(self.actor, consents)
            self.consented.update((client.pk, consent.kind) for consent in consents)
            outcome = "updated"
        return outcome

    def _consents(self, client: Client, item: rows.ClientRecord) -> list[Consent]:
        """The row's consents the client has not given yet, validated (not saved)."""
        found = []
        for kind, day in item.consents.items():
            if (client.pk, kind) in self.consented:
                continue
            at = (
                dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
                if day is not None
                else self.now
            )
            consent = Consent(client=client, kind=kind, version=CONSENT_VERSION, given_at=at)
            consent.full_clean(exclude=["client"])  # a new client is not saved yet
            found.append(consent)
        return found

    def flush(self) -> None:
        """Write the new clients and their consents held since the last flush."""
        if not self.new_clients:
            return
        register_clients(self.actor, self.new_clients)
        for consent in self.new_consents:
            consent.client = consent.client  # takes the client's id, now it has one
        record_consents(self.actor, self.new_consents)
        self.consented.update((consent.client_id, consent.kind) for consent in self.new_consents)
        self.new_clients, self.new_consents = [], []


def _count(report: Report, outcome: str) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)


def import_clients(
    actor: User | None,
    text: str,
    mapping: rows.ColumnMapping,
    *,
    dry_run: bool,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Import a client export; all or nothing. Raises :class:`rows.FileError` for a file that
    cannot be read at all."""
    now = now or timezone.now()
    report = Report(dry_run=dry_run)
    items = list(rows.client_rows(text, mapping, today=timezone.localdate(now)))
    report.rows = len(items)
    for item in items:
        report.errors.extend(item.errors)
    if report.errors:
        return report

    def prepare() -> _ClientImport:
        return _ClientImport(actor, now)

    return _all_or_nothing(actor, items, report, prepare, dry_run=dry_run, progress=progress)


class _Step(Protocol):
    """What a run does with each row: ``before`` it (outside the row's savepoint), the row
    itself (its outcome: ``created``, ``updated``, ``unchanged``, or ``skip:<why>``), and
    ``flush``, writing what rows have held back, before each progress report."""

    def before(self, item: Any) -> None: ...

    def __call__(self, item: Any) -> str: ...

    def flush(self) -> None: ...


class _EachRow:
    """A step that writes each row as it goes."""

    def __init__(self, row: Callable[[Any], str]) -> None:
        self.row = row

    def before(self, item: Any) -> None:
        pass

    def __call__(self, item: Any) -> str:
        return self.row(item)

    def flush(self) -> None:
        pass


def _all_or_nothing(
    actor: User | None,
    items: Sequence[Any],
    report: Report,
    prepare: Callable[[], _Step],
    *,
    dry_run: bool,
    progress: Progress | None,
) -> Report:
    """Run the step (made by ``prepare`` inside the run's transaction) on each row, each in a
    savepoint; count its outcome or its refusal. Any refusal, or a dry run, rolls the whole run
    back; a clinical hold's refusals are then written to the audit log again, as every refusal
    at a door is kept."""
    held: list[ClientHeld] = []
    try:
        with transaction.atomic():
            step = prepare()
            if progress is not None:
                progress(0, len(items))
            for done, item in enumerate(items, start=1):
                step.before(item)
                try:
                    with transaction.atomic():
                        outcome = step(item)
                except FieldError as refusal:
                    report.errors.append(RowError(item.row, refusal.field, refusal.message))
                    if isinstance(refusal, ClientHeld):
                        held.append(refusal)
                except ValidationError as error:
                    report.errors.extend(_field_errors(item.row, error))
                else:
                    if outcome.startswith("skip:"):
                        report.skipped.append({"row": item.row, "why": outcome[5:]})
                    else:
                        _count(report, outcome)
                if done % _PROGRESS_EVERY == 0 or done == len(items):
                    step.flush()
                    if progress is not None:
                        progress(done, len(items))
            if report.errors or dry_run:
                raise _RollBack
            report.written = True
    except _RollBack:
        for kept in held:
            record_refusal(actor, kept)
    return report


class _Places:
    """Services, therapists and locations by the names an export gives them (any case)."""

    def __init__(self) -> None:
        self.services = {s.name.lower(): s for s in Service.objects.all()}
        self.locations = {place.name.lower(): place for place in Location.objects.all()}
        self.therapists: dict[str, Therapist] = {}
        for therapist in Therapist.objects.select_related("user"):
            self.therapists[therapist.user.full_name.lower()] = therapist
            self.therapists[therapist.user.email.lower()] = therapist


def _import_appointment(
    actor: User | None,
    item: rows.AppointmentRecord,
    known: _Clients,
    places: _Places,
    now: dt.datetime,
) -> str:
    """Book one future appointment through the booking action; ``"created"``, or
    ``"unchanged"`` when it is already booked, ``"skip:<why>"`` for a past or cancelled one.
    Refusals raise :class:`FieldError`."""
    if not item.booked:
        return f"skip:Status “{item.status}”."
    client = known.find(
        item.client_email, item.client_first_name, item.client_last_name, item.client_date_of_birth
    )
    if client is None:
        raise FieldError("client", "No such client here: import the clients first.")
    service = places.services.get(item.service.lower())
    if service is None:
        raise FieldError("service", f"There is no service called “{item.service}”.")
    therapist = places.therapists.get(item.therapist.lower())
    if therapist is None:
        raise FieldError("therapist", f"There is no therapist called “{item.therapist}”.")
    location = places.locations.get(item.location.lower())
    if location is None:
        raise FieldError("location", f"There is no location called “{item.location}”.")
    if item.starts is None:  # such a row carries its error already
        raise FieldError("starts", "There is no start time.")
    starts = item.starts.replace(tzinfo=location.zone)
    if starts < now:
        return "skip:In the past."
    if Appointment.objects.filter(
        client=client, therapist=therapist, starts=starts, status__in=ACTIVE_STATUSES
    ).exists():
        return "unchanged"
    scheduling.book_appointment(
        actor, client, service, therapist, location, starts, now=now, notes=item.notes
    )
    return "created"


def import_appointments(
    actor: User | None,
    text: str,
    mapping: rows.ColumnMapping,
    *,
    dry_run: bool,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Book the future appointments of an export through the booking action; all or nothing.
    Past and cancelled appointments are listed as skipped."""
    now = now or timezone.now()
    report = Report(dry_run=dry_run)
    items = list(rows.appointment_rows(text, mapping))
    report.rows = len(items)
    for item in items:
        report.errors.extend(item.errors)
    if report.errors:
        return report

    def prepare() -> _Step:
        known, places = _Clients(), _Places()
        return _EachRow(lambda item: _import_appointment(actor, item, known, places, now))

    return _all_or_nothing(actor, items, report, prepare, dry_run=dry_run, progress=progress)


# --- Runs from the staff page, in the background queue ----------------------------------------

IMPORTERS = {"clients": import_clients, "appointments": import_appointments}


@transaction.atomic
def start_run(
    actor: User, kind: str, system: str, filename: str, content: str, *, dry_run: bool
) -> ImportRun:
    """Record an uploaded export and queue its run (after this transaction commits)."""
    from backcare.imports.tasks import run_import

    if kind not in IMPORTERS:
        raise FieldError("kind", "Please choose clients or appointments.")
    try:
        rows.load_mapping(system)
    except rows.MappingError as error:
        raise FieldError("system", str(error)) from None
    run = ImportRun.objects.create(
        kind=kind,
        system=system,
        filename=filename[:200],
        content=content,
        dry_run=dry_run,
        total=max(0, content.count("\n") - 1) or 1,
        created_by=actor,
        created_at=timezone.now(),
    )
    record(
        actor,
        "import.started",
        run,
        changes={
            "kind": {"after": kind},
            "system": {"after": system},
            "filename": {"after": run.filename},
            "dry_run": {"after": dry_run},
        },
    )
    transaction.on_commit(lambda: run_import.enqueue(run_id=run.pk))
    return run


def progress_is_live() -> bool:
    """Can the staff page follow a run row by row? A run is one transaction (all or nothing);
    on PostgreSQL its progress is written beside it through a second connection. SQLite lets one
    writer in at a time, and the run is that writer until it ends: nothing else can be written
    meanwhile, so the page can only say that the run is going on."""
    return connection.vendor == "postgresql"


class _ProgressWriter:
    """Writes a run's progress where the staff page sees it while the run's own transaction is
    still open, where that can be done (:func:`progress_is_live`)."""

    def __init__(self, run: ImportRun) -> None:
        self.run_id = run.pk
        self.side = connections.create_connection("default") if progress_is_live() else None

    def __call__(self, done: int, total: int) -> None:
        if self.side is None:
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportRun._meta.db_table} SET processed = %s, total = %s "  # noqa: S608
                "WHERE id = %s",
                [done, max(total, 1), self.run_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def run(run: ImportRun) -> ImportRun:
    """Run a recorded import (the background task), keeping its report and an audit row."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    mapping = rows.load_mapping(run.system)
    writer = _ProgressWriter(run)
    try:
        report = IMPORTERS[run.kind](
            run.created_by, run.content, mapping, dry_run=run.dry_run, progress=writer
        )
        result = report.as_dict()
    except rows.FileError as error:
        result = {**Report(dry_run=run.dry_run).as_dict(), "file_error": str(error)}
    finally:
        writer.close()
    run.report = result
    run.processed = result["rows"]
    run.total = max(result["rows"], 1)
    run.status = (
        ImportRun.Status.DONE
        if not result["errors"] and "file_error" not in result
        else ImportRun.Status.FAILED
    )
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "processed", "total", "status", "finished_at"])
    record(
        run.created_by,
        "import.finished",
        run,
        changes={
            "rows": {"after": result["rows"]},
            "created": {"after": result["created"]},
            "updated": {"after": result["updated"]},
            "errors": {"after": len(result["errors"])},
            "written": {"after": result["written"]},
        },
    )
    return run
