"""The owner's clinic analytics: one page and its tables as CSV (SPEC §5)."""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from backcare import policy
from backcare.analytics import chart, export, queries
from backcare.audit.log import diff, record
from backcare.lib.spreadsheet import safe_cell
from backcare.policy import Action, AuthenticatedRequest
from backcare.staff.analytics.forms import AnalyticsFilterForm


def _form(request: AuthenticatedRequest) -> AnalyticsFilterForm:
    return AnalyticsFilterForm.for_request(request.GET, timezone.localdate())


@policy.requires(Action.ANALYTICS_VIEW)
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """Programs, responders, weeks to improvement, attendance and utilisation."""
    form = _form(request)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    report = queries.report(form.filters(), timezone.now())
    record(request.user, "analytics.viewed", changes=diff({}, {"filters": form.data}))
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": form,
            "report": report,
            "curve": chart.layout(report.curve),
            "query": request.GET.urlencode(),
        },
    )


@policy.requires(Action.ANALYTICS_VIEW)
def export_csv(request: AuthenticatedRequest, table: str) -> HttpResponse:
    """One table of the page, for a spreadsheet."""
    rows = export.TABLES.get(table)
    if rows is None:
        raise Http404("No such table.")
    form = _form(request)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    record(
        request.user, "analytics.exported", changes=diff({}, {"table": table, "filters": form.data})
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    place = f"-{slugify(filters.location.name)}" if filters.location else ""
    response["Content-Disposition"] = (
        f'attachment; filename="backcare-{table}-{filters.start}-to-{filters.end}{place}.csv"'
    )
    writer = csv.writer(response)
    for row in rows(filters, timezone.now()):
        writer.writerow([safe_cell(cell) for cell in row])
    return response
