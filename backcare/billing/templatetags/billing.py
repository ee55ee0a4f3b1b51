from __future__ import annotations

from typing import Any

from django import template

from backcare.billing.ledger import format_cents

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    return format_cents(int(cents or 0))


@register.filter
def percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}%"


@register.filter
def report_tables(report: Any) -> list[tuple[str, list[tuple[str, int]], str]]:
    return [
        ("Revenue by month", report.by_month, "revenue_by_month"),
        ("Revenue by location", report.by_location, "revenue_by_location"),
        ("Revenue by therapist", report.by_therapist, "revenue_by_therapist"),
        ("Revenue by service", report.by_service, "revenue_by_service"),
        ("Payments by method (less refunds)", report.by_method, "payments_by_method"),
    ]
