from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import diff, record
from backcare.audit.models import AuditEvent
from backcare.lib.spreadsheet import safe_cell
from backcare.policy import Action, AuthenticatedRequest
from backcare.staff.audit.display import describe, line_text
from backcare.staff.audit.forms import AuditFilterForm

CSV_COLUMNS = (
    "at",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "client_id",
    "changes",
    "ip",
    "what_happened",
)


def _filtered(request: AuthenticatedRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor", "client")
    return form, (form.filter(events) if form.is_bound else events)


@policy.requires(Action.AUDIT_VIEW)
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "lines": describe(page), "query": query.urlencode()},
        status=status,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@policy.requires(Action.AUDIT_VIEW)
def audit_export(request: AuthenticatedRequest) -> HttpResponse | StreamingHttpResponse:
    form, events = _filtered(request)
    if form.is_bound and form.errors:
        return render(request, "audit/log.html", {"form": form, "page": None}, status=400)
    record(
        request.user,
        "audit.exported",
        None,
        changes=diff({}, {"filters": request.GET.dict()}),
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        # Sent a few hundred rows at a time: one write to the network per row made a log of
        # 170,000 rows take most of a minute over HTTP.
        batch = [writer.writerow(CSV_COLUMNS)]
        for event in events.iterator(chunk_size=2000):
            batch.append(
                writer.writerow(
                    safe_cell(value)
                    for value in [
                        timezone.localtime(event.at).isoformat(),
                        event.actor_email,
                        event.action,
                        event.object_type,
                        event.object_id,
                        event.object_repr,
                        event.client_id or "",
                        json.dumps(event.changes, sort_keys=True),
                        event.ip or "",
                        line_text(event),
                    ]
                )
            )
            if len(batch) >= 500:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return StreamingHttpResponse(
        rows(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="backcare-audit-{stamp}.csv"'},
    )
