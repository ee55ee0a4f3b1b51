"""The statistics of the clinic analytics (SPEC §5). Pure: no Django, no clock.

- Responder rates carry a 95% Wilson score interval (Wilson EB. J Am Stat Assoc 1927;22:209-212;
  recommended for proportions by Newcombe RG. Stat Med 1998;17:857-872), from statsmodels'
  ``proportion_confint(method="wilson")``.
- Weeks to the first meaningful improvement are a Kaplan–Meier estimate (Kaplan EL, Meier P.
  J Am Stat Assoc 1958;53:457-481) from statsmodels' ``SurvfuncRight``: a program that ended or
  stopped without a meaningful improvement is censored at its last answer, so it counts while it
  was watched and no longer after.
- Utilisation counts working time from the weekly hours by arithmetic over weekdays, so a range
  of years costs no more than a week.

statsmodels (with numpy and scipy) is imported when first needed: it takes a few seconds to
load, which the rest of Backcare (a command, the worker, a test) should not pay. The web server
pays it once at start-up instead of in the first analytics page (:func:`warm_up`, called by
``backcare/wsgi.py`` through ``settings.WARM_UP_AT_STARTUP``).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backcare.lib.errors import FieldError
from backcare.lib.spans import length, minus, union

Z_95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


# --- Proportions -----------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``n``; 95% with the default ``z``.

    With ``n == 0`` there is no information and the interval is the whole of (0, 1). All or
    none observed touch the ends exactly (0.0 or 1.0).
    """
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(name, f"expected a whole number, got {value!r}")
    if n < 0:
        raise FieldError("n", f"must be 0 or more, got {n}")
    if not 0 <= successes <= n:
        raise FieldError("successes", f"must be 0 to {n}, got {successes}")
    if isinstance(z, bool) or not isinstance(z, int | float) or not (math.isfinite(z) and z > 0):
        raise FieldError("z", f"must be a positive number, got {z!r}")
    if n == 0:
        return (0.0, 1.0)
    from scipy.stats import norm  # type: ignore[import-untyped]
    from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

    alpha = float(2 * norm.sf(z))
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return (
        0.0 if successes == 0 else max(0.0, float(low)),
        1.0 if successes == n else min(1.0, float(high)),
    )


@dataclass(frozen=True)
class Rate:
    """``count`` of ``n``, with its 95% Wilson interval."""

    count: int
    n: int
    low: float
    high: float

    @property
    def share(self) -> float | None:
        return self.count / self.n if self.n else None

    @property
    def percent(self) -> str:
        """``"62%"``, or an en dash when there is nothing to divide by."""
        return "–" if self.share is None else f"{self.share * 100:.0f}%"

    @property
    def interval(self) -> str:
        """``"48–75%"``: the 95% interval in percent, or an en dash."""
        if not self.n:
            return "–"
        return f"{self.low * 100:.0f}–{self.high * 100:.0f}%"


def rate(count: int, n: int) -> Rate:
    low, high = wilson_interval(count, n)
    return Rate(count, n, low, high)


def share(part: float, whole: float) -> float | None:
    """``part / whole``, or None when ``whole`` is not positive."""
    return part / whole if whole > 0 else None


def warm_up() -> None:
    """Import the statistics libraries and run each estimate once on a tiny sample, so that the
    first analytics page does not pay for them (the web server calls this when it starts)."""
    rate(1, 2)
    kaplan_meier([(1, True, 1), (2, False, 1)])


# --- Kaplan–Meier -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The estimate at the end of one week in which something happened."""

    week: int
    at_risk: int
    """Programs still being watched without an improvement at the start of the week."""
    improved: int
    censored: int
    waiting: float
    """The estimated share not yet meaningfully improved by the end of the week, S(t)."""

    @property
    def improved_share(self) -> float:
        """The estimated share meaningfully improved by the end of the week, 1 − S(t)."""
        return 1.0 - self.waiting


@dataclass(frozen=True)
class KaplanMeier:
    steps: tuple[Step, ...]
    programs: int
    improved: int
    median_weeks: float | None
    """Weeks by which half had improved, if the curve reaches half."""
    median_interval: tuple[float | None, float | None]
    """Its 95% confidence interval (Brookmeyer and Crowley 1982); None where it is open."""

    @property
    def censored(self) -> int:
        return self.programs - self.improved


def kaplan_meier(rows: Iterable[tuple[int, bool, int]]) -> KaplanMeier:
    """The curve from ``(week, improved, programs)`` rows: ``programs`` programs whose first
    meaningful improvement came in ``week`` (``improved``), or that were last seen in ``week``
    without one (censored). Weeks are whole and not negative; rows may repeat a week."""
    counts: Counter[tuple[int, bool]] = Counter()
    for week, improved, programs in rows:
        if isinstance(week, bool) or not isinstance(week, int) or week < 0:
            raise FieldError("week", f"must be a whole number of weeks, 0 or more, got {week!r}")
        if isinstance(programs, bool) or not isinstance(programs, int) or programs < 0:
            raise FieldError("programs", f"must be a count, 0 or more, got {programs!r}")
        if programs:
            counts[(week, bool(improved))] += programs
    total = sum(counts.values())
    events = sum(n for (_, improved), n in counts.items() if improved)
    if not total:
        return KaplanMeier((), 0, 0, None, (None, None))
    if not events:
        # Nothing to estimate: the curve stays at 1. statsmodels needs at least one event.
        return KaplanMeier(_steps(counts, {}), total, 0, None, (None, None))

    import numpy as np
    from statsmodels.duration.survfunc import SurvfuncRight  # type: ignore[import-untyped]

    keys = sorted(counts)
    curve = SurvfuncRight(
        np.array([week for week, _ in keys], dtype=float),
        np.array([1 if improved else 0 for _, improved in keys]),
        freq_weights=np.array([counts[key] for key in keys], dtype=float),
    )
    waiting = {
        int(week): float(s) for week, s in zip(curve.surv_times, curve.surv_prob, strict=True)
    }
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # The interval's transform takes log(-log S): S of 0 or 1 gives infinities that
        # statsmodels turns into open ends, with warnings we do not need to show.
        warnings.simplefilter("ignore", RuntimeWarning)
        median = _number(curve.quantile(0.5))
        low, high = curve.quantile_ci(0.5)
    return KaplanMeier(
        _steps(counts, waiting),
        total,
        events,
        median,
        (_number(low), _number(high)),
    )


def _steps(counts: Counter[tuple[int, bool]], waiting: dict[int, float]) -> tuple[Step, ...]:
    steps = []
    at_risk = sum(counts.values())
    s = 1.0
    for week in sorted({week for week, _ in counts}):
        improved = counts[(week, True)]
        censored = counts[(week, False)]
        s = waiting.get(week, s)
        steps.append(Step(week, at_risk, improved, censored, s))
        at_risk -= improved + censored
    return tuple(steps)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def weeks_since(start: dt.date, day: dt.date) -> int:
    """Whole weeks from ``start`` to ``day``, counting a part-week as a week: the first session
    is week 0, days 1 to 7 after it week 1, days 8 to 14 week 2. Never negative."""
    days = (day - start).days
    return max(0, -(-days // 7))


# --- Working time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """Working hours on one weekday (0 = Monday), wall-clock minutes from midnight."""

    weekday: int
    starts: int
    ends: int
    breaks: tuple[tuple[int, int], ...] = ()

    @property
    def minutes(self) -> int:
        spans = union([(self.starts, self.ends)])
        return length(minus(spans, union(self.breaks)))


def weekday_counts(first: dt.date, last: dt.date, closed: Iterable[dt.date] = ()) -> list[int]:
    """How many of each weekday (index 0 = Monday) fall from ``first`` to ``last`` inclusive,
    leaving out ``closed`` days."""
    counts = [0] * 7
    days = (last - first).days + 1
    if days <= 0:
        return counts
    whole, rest = divmod(days, 7)
    for weekday in range(7):
        counts[weekday] = whole
    for offset in range(rest):
        counts[(first.weekday() + offset) % 7] += 1
    for day in set(closed):
        if first <= day <= last:
            counts[day.weekday()] -= 1
    return counts


def working_minutes(shifts: Iterable[Shift], counts: Sequence[int]) -> int:
    """Minutes of work in a range whose weekdays are counted by :func:`weekday_counts`."""
    return sum(shift.minutes * counts[shift.weekday] for shift in shifts)


def open_minutes(shifts: Iterable[Shift], counts: Sequence[int]) -> int:
    """Minutes in which anyone works (breaks aside): the time a location's rooms are open."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for shift in shifts:
        by_day.setdefault(shift.weekday, []).append((shift.starts, shift.ends))
    return sum(length(union(spans)) * counts[day] for day, spans in by_day.items())


def time_off_minutes(
    shifts: Sequence[Shift],
    away: Iterable[tuple[dt.datetime, dt.datetime]],
    zone: dt.tzinfo,
    first: dt.date,
    last: dt.date,
    closed: Iterable[dt.date] = (),
) -> int:
    """Working minutes from ``first`` to ``last`` that fall in time off (``away``: aware
    start and end pairs), read on the wall clock of ``zone``. Closed days are not counted twice.
    """
    closed_days = set(closed)
    by_day: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_day.setdefault(shift.weekday, []).append(shift)
    taken: dict[dt.date, list[tuple[int, int]]] = {}
    for starts, ends in away:
        local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
        day = max(local_start.date(), first)
        while day <= min(local_end.date(), last):
            begin = _minute_of(local_start) if day == local_start.date() else 0
            finish = _minute_of(local_end) if day == local_end.date() else 24 * 60
            taken.setdefault(day, []).append((begin, finish))
            day += dt.timedelta(days=1)
    minutes = 0
    for day, spans in taken.items():
        if day in closed_days:
            continue
        away_spans = union(spans)
        for shift in by_day.get(day.weekday(), ()):
            working = minus([(shift.starts, shift.ends)], union(shift.breaks))
            minutes += length(working) - length(minus(working, away_spans))
    return minutes


def _minute_of(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute
