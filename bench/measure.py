"""Timing helpers: percentiles of repeated calls, and a small HTTP client."""

from __future__ import annotations

import http.client
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    runs: int
    p50_ms: float
    p95_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def timed(call: Callable[[], object], *, runs: int, warmup: int = 3) -> Timing:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(runs, round(percentile(samples, 0.5), 2), round(percentile(samples, 0.95), 2))


def paired(
    target: Callable[[], object], floor: Callable[[], object], *, runs: int, warmup: int = 3
) -> tuple[Timing, Timing]:
    """Time `target` and `floor` alternately, so that whatever else the machine is doing
    weighs on both alike and their ratio stays fair."""
    for _ in range(warmup):
        target()
        floor()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for call, into in ((target, samples[0]), (floor, samples[1])):
            started = time.perf_counter()
            call()
            into.append((time.perf_counter() - started) * 1000)
    target_timing, floor_timing = (
        Timing(runs, round(percentile(s, 0.5), 2), round(percentile(s, 0.95), 2)) for s in samples
    )
    return target_timing, floor_timing


class Http:
    """One keep-alive connection to the benchmark's server, signed in by a session cookie."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.csrf = cookies.get("csrftoken", "")

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def get_ok(self, path: str) -> bytes:
        status, content = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {content[:300]!r}")
        return content

    def close(self) -> None:
        self.connection.close()


FAILED: list[str] = []
"""The parts of ``make bench`` that failed in this run: their sections say so, and ``make
bench`` ends with an error after writing the page."""


def failed_section(heading: str, part: str, error: Exception) -> list[str]:
    """The section of a part that failed (``part`` names it: "the page sweep"), noted in
    :data:`FAILED`."""
    FAILED.append(f"{part}: {error}")
    return [heading, "", f"Not measured: {part} failed ({error}).", ""]
