"""FHIR R4 at ``/fhir/R4/``, read-only: thin views over :mod:`backcare.interop.reading`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from backcare import policy
from backcare.clinic.models import Client
from backcare.interop import capability, documents, exports, reading
from backcare.interop.fhirhttp import (
    BadParameter,
    audit_read,
    audit_reads,
    fhir_endpoint,
    fhir_response,
    outcome,
    parse_instant,
    parse_when,
)
from backcare.interop.kinds import DIRECTORY_TYPES, KINDS, PATIENT_TYPES, Scope
from backcare.interop.models import ExportJob
from backcare.interop.resources import Resource
from backcare.policy import Action
from backcare.private_files import private_storage
from backcare.systems.tokens import SystemAccess

DEFAULT_COUNT = 50
MAX_COUNT = 500
NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")


@require_safe
@policy.public
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: what this server serves, open to anyone (as FHIR expects)."""
    return fhir_response(capability.capability_statement(reading.base_url(), timezone.now()))


@require_safe
@policy.public
def smart_configuration(request: HttpRequest) -> HttpResponse:
    """SMART discovery: where a connected system gets its token, and how it signs in."""
    response = HttpResponse(
        json.dumps(capability.smart_configuration()), content_type="application/json"
    )
    return response


def _bundle_entry(resource_type: str, resource: Resource, mode: str = "match") -> dict[str, Any]:
    return {
        "fullUrl": f"{reading.base_url()}/{resource_type}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _patient_param(request: HttpRequest) -> int | None:
    value = request.GET.get("patient") or request.GET.get("subject") or ""
    if not value:
        return None
    value = value.removeprefix("Patient/")
    if not value.isdigit():
        raise BadParameter(f"patient: “{value}” is not a Patient id.")
    return int(value)


def _count_param(request: HttpRequest) -> int:
    text = request.GET.get("_count", str(DEFAULT_COUNT))
    if not text.isdigit():
        raise BadParameter("_count: give a whole number.")
    return min(int(text), MAX_COUNT)


@require_safe
@fhir_endpoint
def search(request: HttpRequest, reader: reading.WebReader, resource_type: str) -> HttpResponse:
    kind = KINDS.get(resource_type)
    if kind is None:
        return outcome(404, f"This server does not serve {resource_type}.")
    try:
        patient = _patient_param(request)
        if resource_type == "Patient" and request.GET.get("_id", "").isdigit():
            patient = int(request.GET["_id"])
        dates = tuple(c for v in request.GET.getlist("date") for c in parse_when("date", v))
        updated = tuple(
            c for v in request.GET.getlist("_lastUpdated") for c in parse_when("_lastUpdated", v)
        )
        if updated and not kind.tracks_changes:
            raise BadParameter(
                f"_lastUpdated: {resource_type} keeps no time of change on this server, "
                f"so it cannot be searched by it. Search {resource_type} without it."
            )
        count = _count_param(request)
        offset_text = request.GET.get("_offset", "0")
        if not offset_text.isdigit():
            raise BadParameter("_offset: give a whole number.")
        offset = int(offset_text)
    except BadParameter as problem:
        return outcome(400, str(problem))
    try:
        page = reading.search(
            reader,
            kind,
            Scope(patient=patient, dates=dates, updated=updated, base=reading.base_url()),
            offset=offset,
            count=count,
        )
    except reading.Refused as refused:
        return outcome(403, str(refused))
    audit_reads(reader, "fhir.searched", sorted(page.clients), request.get_full_path()[:300])
    kept = [
        (name, value)
        for name in ("patient", "subject", "_id", "date", "_lastUpdated")
        for value in request.GET.getlist(name)
    ]

    def link(relation: str, at: int) -> dict[str, str]:
        query = urlencode([*kept, ("_count", str(count)), ("_offset", str(at))])
        return {"relation": relation, "url": f"{reading.base_url()}/{resource_type}?{query}"}

    links = [link("self", offset), link("first", 0)]
    if count > 0 and offset + count < page.total:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(offset - count, 0)))
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": page.total,
            "link": links,
            "entry": [_bundle_entry(resource_type, resource) for resource in page.resources],
        }
    )


@require_safe
@fhir_endpoint
def read(
    request: HttpRequest, reader: reading.WebReader, resource_type: str, resource_id: str
) -> HttpResponse:
    kind = KINDS.get(resource_type)
    if kind is None:
        return outcome(404, f"This server does not serve {resource_type}.")
    try:
        found = reading.read(reader, kind, resource_id)
    except reading.Refused as refused:
        return outcome(403, str(refused))
    if found is None:
        return outcome(404, f"{resource_type}/{resource_id} is not here.")
    resource, client_id = found
    if client_id is not None:
        audit_read(reader, "fhir.read", client_id, f"{resource_type}/{resource_id}")
    headers = {}
    if "meta" in resource:
        headers["Last_Modified"] = resource["meta"]["lastUpdated"]
    return fhir_response(resource, **headers)


def _types_param(request: HttpRequest, allowed: tuple[str, ...]) -> list[str] | None:
    text = request.GET.get("_type", "")
    if not text:
        return None
    wanted = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in allowed]
    if unknown:
        raise BadParameter(f"_type: this server does not export {', '.join(unknown)}.")
    return wanted


def _since_param(request: HttpRequest) -> dt.datetime | None:
    text = request.GET.get("_since", "")
    return parse_instant("_since", text) if text else None


def _everything_client(reader: reading.WebReader, resource_id: str) -> Client | None:
    client = Client.objects.filter(pk=int(resource_id)).first() if resource_id.isdigit() else None
    if client is None:
        return None
    if isinstance(reader, SystemAccess):
        return client if policy.system_can(reader, "Patient") else None
    return client if policy.can(reader, Action.CLINICAL_CHART, client) else None


@require_safe
@fhir_endpoint
def everything(request: HttpRequest, reader: reading.WebReader, resource_id: str) -> HttpResponse:
    """``Patient/{id}/$everything``: the client's whole record as one Bundle, with what it
    refers to."""
    client = _everything_client(reader, resource_id)
    if client is None:
        if isinstance(reader, SystemAccess) or policy.can(reader, Action.FHIR_READ):
            seen = (
                not isinstance(reader, SystemAccess)
                and policy.visible_clients(reader)
                .filter(pk=resource_id if resource_id.isdigit() else 0)
                .exists()
            )
            if seen:
                return outcome(
                    403,
                    "The whole record is clinical: the owner and the client's therapists read it.",
                )
        return outcome(404, f"Patient/{resource_id} is not here.")
    try:
        types = _types_param(request, (*PATIENT_TYPES, *DIRECTORY_TYPES))
        since = _since_param(request)
    except BadParameter as problem:
        return outcome(400, str(problem))
    found = reading.everything(reader, client, types=types, since=since)
    audit_read(reader, "fhir.everything", client.pk, f"Patient/{client.pk}/$everything")
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": [
                {
                    "relation": "self",
                    "url": reading.base_url() + request.get_full_path().removeprefix("/fhir/R4"),
                }
            ],
            "entry": [
                _bundle_entry(name, resource, "match" if KINDS[name].about_clients else "include")
                for name, resource in found
            ],
        }
    )


@require_safe
@fhir_endpoint
def binary(request: HttpRequest, reader: reading.WebReader, resource_id: str) -> HttpResponseBase:
    """The PDF of a DocumentReference (its attachment URL), under the same access."""
    try:
        found = reading.read(reader, KINDS["DocumentReference"], resource_id)
    except reading.Refused as refused:
        return outcome(403, str(refused))
    if found is None:
        return outcome(404, f"Binary/{resource_id} is not here.")
    _resource, client_id = found
    pdf, filename = documents.render(resource_id, today=timezone.localdate())
    audit_read(reader, "fhir.document_read", client_id, f"Binary/{resource_id}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Bulk Data Access ----------------------------------------------------------------------


def _kick_off(
    request: HttpRequest, reader: reading.WebReader, *, patient_level: bool
) -> HttpResponse:
    if not isinstance(reader, SystemAccess) and not policy.can(reader, Action.FHIR_EXPORT):
        return outcome(403, "A bulk export of every client is the owner's to ask for.")
    if "respond-async" not in request.headers.get("Prefer", ""):
        return outcome(400, "Prefer: respond-async is required to start an export.")
    output_format = request.GET.get("_outputFormat", "")
    if output_format and output_format not in NDJSON_FORMATS:
        return outcome(400, f"_outputFormat: only {NDJSON_FORMATS[0]} is offered.")
    allowed = PATIENT_TYPES if patient_level else (*PATIENT_TYPES, *DIRECTORY_TYPES)
    try:
        types = _types_param(request, allowed) or list(allowed)
        since = _since_param(request)
    except BadParameter as problem:
        return outcome(400, str(problem))
    types = reading.readable_types(reader, types)
    if not types:
        return outcome(403, "None of these resource types may be read with this access.")
    job = exports.start_export(
        reader,
        types=types,
        since=since,
        patient_level=patient_level,
        request_url=reading.base_url() + request.get_full_path().removeprefix("/fhir/R4"),
    )
    response = HttpResponse(status=202)
    response["Content-Location"] = f"{reading.base_url()}/$export-poll-status/{job.id}"
    return response


@require_safe
@fhir_endpoint
def export(request: HttpRequest, reader: reading.WebReader) -> HttpResponse:
    return _kick_off(request, reader, patient_level=False)


@require_safe
@fhir_endpoint
def patient_export(request: HttpRequest, reader: reading.WebReader) -> HttpResponse:
    return _kick_off(request, reader, patient_level=True)


def _own_job(reader: reading.WebReader, job_id: Any) -> ExportJob | None:
    job = ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.CANCELLED).first()
    return job if job is not None and exports.requested_by(reader, job) else None


@require_http_methods(["GET", "HEAD", "DELETE"])
@fhir_endpoint
def export_status(request: HttpRequest, reader: reading.WebReader, job_id: Any) -> HttpResponse:
    job = _own_job(reader, job_id)
    if job is None:
        return outcome(404, "No such export (it may have been cancelled).")
    if request.method == "DELETE":
        exports.cancel_export(reader, job)
        return HttpResponse(status=202)
    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.get_status_display()
        response["Retry-After"] = "5"
        return response
    if job.status == ExportJob.Status.FAILED:
        return outcome(500, f"The export failed: {job.error}")
    transaction_time = job.transaction_time or job.requested_at
    return HttpResponse(
        json.dumps(
            {
                "transactionTime": transaction_time.astimezone(dt.UTC).isoformat(),
                "request": job.request_url,
                "requiresAccessToken": True,
                "output": [
                    {
                        "type": entry["type"],
                        "url": f"{reading.base_url()}/$export-file/{job.id}/{entry['type']}.ndjson",
                        "count": entry["count"],
                    }
                    for entry in job.output
                ],
                "error": [],
            }
        ),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@require_safe
@fhir_endpoint
def export_file(
    request: HttpRequest, reader: reading.WebReader, job_id: Any, filename: str
) -> HttpResponseBase:
    job = _own_job(reader, job_id)
    entry = next(
        (e for e in (job.output if job else []) if f"{e['type']}.ndjson" == filename), None
    )
    if job is None or entry is None:
        return outcome(404, "No such export file.")
    exports.record_download(reader, job, str(entry["type"]))
    response = FileResponse(
        private_storage().open(str(entry["file"]), "rb"), content_type="application/fhir+ndjson"
    )
    response["Cache-Control"] = "no-store"
    return response
