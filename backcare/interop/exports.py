"""Bulk export (HL7 FHIR Bulk Data Access, hl7.org/fhir/uv/bulkdata/export.html): the job is
kicked off by a request, runs on the background queue, and writes one NDJSON file a resource
type into private storage, read back only by whoever asked."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Callable, Iterable
from typing import Protocol

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.interop import reading
from backcare.interop.kinds import KINDS
from backcare.interop.models import ExportJob
from backcare.private_files import private_storage
from backcare.systems.models import SystemClient
from backcare.systems.tokens import SystemAccess

logger = logging.getLogger(__name__)


def job_folder(job: ExportJob) -> str:
    return f"fhir-export/{job.id}"


def file_name(job: ExportJob, resource_type: str) -> str:
    return f"{job_folder(job)}/{resource_type}.ndjson"


def reader_of(job: ExportJob) -> reading.Reader:
    """The job reads with the rights of whoever asked, as they are when it runs."""
    if job.system is not None:
        return SystemAccess(
            system_id=job.system.pk,
            client_id=job.system.client_id,
            name=job.system.name,
            scopes=frozenset(job.scopes.split()),
            token_id=0,
        )
    return job.requested_by


def _actor(reader: reading.Reader) -> tuple[User | None, str | None]:
    if isinstance(reader, SystemAccess):
        return None, reader.audit_name
    return reader, None


def start_export(
    reader: reading.Reader,
    *,
    types: list[str],
    since: dt.datetime | None,
    patient_level: bool,
    request_url: str,
) -> ExportJob:
    """Record the job and queue it (once the transaction commits)."""
    system = (
        SystemClient.objects.get(pk=reader.system_id) if isinstance(reader, SystemAccess) else None
    )
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=reader if isinstance(reader, User) else None,
            system=system,
            scopes=" ".join(sorted(reader.scopes)) if isinstance(reader, SystemAccess) else "",
            request_url=request_url[:2000],
            patient_level=patient_level,
            types=types,
            since=since,
        )
        actor, email = _actor(reader)
        record(
            actor,
            "fhir.export_started",
            job,
            changes={
                "types": {"after": types},
                "since": {"after": since.isoformat() if since else None},
            },
            actor_email=email,
        )
        job_id = str(job.id)
        transaction.on_commit(lambda: run_export.enqueue(job_id=job_id), robust=True)
    return job


class Sink(Protocol):
    """Where an export's lines go: one NDJSON line a resource."""

    def write(self, resource_type: str, line: str) -> None: ...


def write_export(
    reader: reading.Reader,
    types: Iterable[str],
    since: dt.datetime | None,
    sink: Sink,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Stream every resource into ``sink`` (one line a resource); the counts by type.
    ``progress`` hears the type of each resource written."""
    counts: dict[str, int] = {}
    for resource_type, resource in reading.stream(reader, types, since=since):
        sink.write(resource_type, json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
        counts[resource_type] = counts.get(resource_type, 0) + 1
        if progress is not None:
            progress(resource_type)
    return counts


class _SpooledFile:
    """One type's lines, kept in memory up to a few megabytes and on disk beyond."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115

    def write(self, resource_type: str, line: str) -> None:
        self.file.write(line.encode() + b"\n")


@task()
def run_export(job_id: str) -> None:
    job = ExportJob.objects.select_related("system", "requested_by").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return
    job.status = ExportJob.Status.RUNNING
    job.transaction_time = timezone.now()
    job.save(update_fields=["status", "transaction_time"])
    try:
        if job.system is not None and job.system.revoked_at is not None:
            raise PermissionError("The system was disconnected before its export ran.")
        reader = reader_of(job)
        types = reading.readable_types(reader, job.types)
        storage = private_storage()
        output = []
        for done, resource_type in enumerate(types, start=1):
            spooled = _SpooledFile()
            with spooled.file:
                counts = write_export(reader, [resource_type], job.since, spooled)
                if counts.get(resource_type):
                    spooled.file.seek(0)
                    name = storage.save(file_name(job, resource_type), File(spooled.file))
                    output.append(
                        {"type": resource_type, "count": counts[resource_type], "file": name}
                    )
            job.progress = f"{done} of {len(types)} resource types"
            job.save(update_fields=["progress"])
            if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.CANCELLED).exists():
                delete_files(job, output)
                return
        job.output = output
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["output", "status", "finished_at"])
    except Exception as error:  # a failed export is reported to the poller, not lost
        logger.exception("FHIR export %s failed", job_id)
        job.status = ExportJob.Status.FAILED
        job.error = str(error)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])


def delete_files(job: ExportJob, output: list[dict[str, object]] | None = None) -> None:
    storage = private_storage()
    for entry in output if output is not None else job.output:
        name = str(entry["file"])
        if storage.exists(name):
            storage.delete(name)


def cancel_export(reader: reading.Reader, job: ExportJob) -> None:
    """Stop the job (a running one stops after its current type) and delete its files."""
    with transaction.atomic():
        job.status = ExportJob.Status.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        actor, email = _actor(reader)
        record(actor, "fhir.export_cancelled", job, actor_email=email)
    delete_files(job)


def record_download(reader: reading.Reader, job: ExportJob, resource_type: str) -> None:
    actor, email = _actor(reader)
    record(
        actor,
        "fhir.export_downloaded",
        job,
        changes={"type": {"after": resource_type}},
        actor_email=email,
    )


def requested_by(reader: reading.Reader, job: ExportJob) -> bool:
    if isinstance(reader, SystemAccess):
        return job.system_id == reader.system_id
    return reader is not None and job.requested_by_id == reader.pk


def known_types(types: Iterable[str]) -> list[str]:
    return [name for name in types if name in KINDS]
