"""The analytics tables as CSV rows, one table per download (SPEC §5 clinic analytics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from backcare.analytics import queries
from backcare.analytics.queries import Filters, Labels
from backcare.analytics.stats import Rate

Row = Sequence[object]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _rate(rate: Rate) -> list[object]:
    if not rate.n:
        return [rate.count, "", "", ""]
    return [rate.count, _percent(rate.share), _percent(rate.low), _percent(rate.high)]


def programs(filters: Filters, now: dt.datetime) -> Iterable[Row]:
    counts = queries.program_counts(filters)
    yield ("measure", "programs")
    yield ("started", counts.started)
    yield ("completed", counts.completed)
    yield ("discharged", counts.discharged)
    yield ("referred_out", counts.referred_out)
    yield ("running_now_of_those_started", counts.running)


def responders(filters: Filters, now: dt.datetime) -> Iterable[Row]:
    result = queries.responders(filters, Labels.load())
    yield (
        "by",
        "group",
        "programs_started",
        "with_baseline_and_follow_up",
        "meaningful_improvement",
        "meaningful_percent",
        "meaningful_ci95_low",
        "meaningful_ci95_high",
        "substantial_improvement",
        "substantial_percent",
        "substantial_ci95_low",
        "substantial_ci95_high",
    )
    rows = [("all", result.overall)]
    rows += [(name, group) for name, groups in result.by.items() for group in groups]
    for name, group in rows:
        yield (
            name,
            group.label,
            group.started,
            group.measured,
            *_rate(group.improved),
            *_rate(group.substantial),
        )


def improvement(filters: Filters, now: dt.datetime) -> Iterable[Row]:
    curve = queries.improvement_curve(filters)
    yield ("week", "at_risk", "improved", "censored", "share_improved_percent")
    for step in curve.steps:
        yield (step.week, step.at_risk, step.improved, step.censored, _percent(step.improved_share))


def attendance(filters: Filters, now: dt.datetime) -> Iterable[Row]:
    result = queries.schedule(filters, Labels.load(), now)
    yield (
        "by",
        "group",
        "appointments_due",
        "attended",
        "no_show",
        "cancelled",
        "late_cancelled",
        "not_marked",
        "attended_percent",
        "no_show_percent",
        "cancelled_percent",
        "late_cancelled_percent",
    )
    rows = [("all", result.attendance)]
    rows += [(name, row) for name, group in result.attendance_by.items() for row in group]
    for name, row in rows:
        yield (
            name,
            row.label,
            row.due,
            row.attended,
            row.no_show,
            row.cancelled,
            row.late,
            row.unmarked,
            _percent(row.attended_rate),
            _percent(row.no_show_rate),
            _percent(row.cancelled_rate),
            _percent(row.late_rate),
        )


def utilisation(filters: Filters, now: dt.datetime) -> Iterable[Row]:
    result = queries.schedule(filters, Labels.load(), now)
    yield ("kind", "name", "available_hours", "booked_hours", "utilisation_percent")
    for kind, uses in (("therapist", result.therapists), ("room", result.rooms)):
        for use in uses:
            yield (
                kind,
                use.label,
                f"{use.available / 60:.1f}",
                f"{use.booked / 60:.1f}",
                _percent(use.share),
            )


TABLES: dict[str, Callable[[Filters, dt.datetime], Iterable[Row]]] = {
    "programs": programs,
    "responders": responders,
    "improvement": improvement,
    "attendance": attendance,
    "utilisation": utilisation,
}
