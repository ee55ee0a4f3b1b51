"""Backcare's URLs plus two endpoints that exist only for the benchmark.

``/bench/availability/`` answers the benchmark's availability question (a service, "any
therapist", every active location, 14 days) through Backcare's own engine; ``/bench/floor/``
runs only the floor query for the same window. Both sit behind the same access policy as the
client portal, so a request pays for sessions, authentication and middleware like a real page.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone

from backcare import policy
from backcare.booking.availability import free_slots
from backcare.clinic.models import Location, Service
from backcare.policy import Action, AuthenticatedRequest
from bench.floor import floor_query


def _window(request: AuthenticatedRequest) -> tuple[dt.date, int, Location | None]:
    start = dt.date.fromisoformat(request.GET["start"]) if "start" in request.GET else None
    days = int(request.GET.get("days", "14"))
    location_id = request.GET.get("location")
    location = Location.objects.get(pk=location_id) if location_id else None
    return start or timezone.localdate(), days, location


@policy.requires(Action.CLIENT_HOME)
def availability(request: AuthenticatedRequest) -> HttpResponse:
    service = Service.objects.get(pk=request.GET["service"])
    start, days, location = _window(request)
    slots = free_slots(
        service,
        start_day=start,
        end_day=start + dt.timedelta(days=days - 1),
        now=timezone.now(),
        location=location,
    )
    return JsonResponse(
        {"slots": [[s.start.isoformat(), s.therapist_id, s.location_id] for s in slots]}
    )


@policy.requires(Action.CLIENT_HOME)
def floor(request: AuthenticatedRequest) -> HttpResponse:
    start, days, location = _window(request)
    rows = floor_query(start, start + dt.timedelta(days=days - 1), location)
    return JsonResponse({"appointments": len(rows)})


urlpatterns = [
    path("bench/availability/", availability, name="bench_availability"),
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("backcare.urls")),
]
