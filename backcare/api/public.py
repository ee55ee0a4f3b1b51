"""The public part of the API: what the clinic's website booking widget shows. No login, no
client data, rate limited per address; CORS lets the clinic's own sites call it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Path, Query, Router

from backcare.api.problems import Problem
from backcare.api.schemas import Availability, FreeTime, LocationOut, ServiceOut
from backcare.api.throttle import PerAddress
from backcare.booking.availability import free_slots
from backcare.clinic.models import Location, Service, Therapist
from backcare.lib.errors import FieldError

router = Router(tags=["public"], auth=None, throttle=[PerAddress()])

MAX_ID = 2**53
MAX_DAYS = 14
PUBLIC_ERRORS = {404: Problem, 422: Problem, 429: Problem}


class InvalidParameter(FieldError):
    """A query parameter outside what the API answers."""

    problem_status = 422
    problem_kind = "invalid-request"
    problem_title = "The request has a wrong or missing value"


@router.get("/services", response={200: list[ServiceOut], 429: Problem})
def public_services(request: HttpRequest) -> list[ServiceOut]:
    """The services clients can book."""
    return [
        ServiceOut(
            id=service.pk,
            name=service.name,
            description=service.description,
            duration_minutes=service.duration_minutes,
            price=f"{service.price:.2f}",
        )
        for service in Service.objects.filter(active=True).order_by("name")
    ]


def _location_out(location: Location) -> LocationOut:
    return LocationOut(
        id=location.pk,
        name=location.name,
        address=location.address_line1,
        city=location.city,
        state=location.state,
        postal_code=location.postal_code,
        phone=location.phone,
        time_zone=location.time_zone,
    )


@router.get("/locations", response={200: list[LocationOut], 429: Problem})
def public_locations(request: HttpRequest) -> list[LocationOut]:
    """The clinic's open locations."""
    return [_location_out(place) for place in Location.objects.filter(active=True)]


def _book_url(service: Service, location: Location, therapist_id: int, starts: dt.datetime) -> str:
    query = urlencode(
        {
            "service": service.pk,
            "location": location.pk,
            "therapist": therapist_id,
            "starts": starts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
        }
    )
    return f"{settings.SITE_URL.rstrip('/')}{reverse('booking:confirm')}?{query}"


@router.get("/locations/{location_id}/availability", response={200: Availability, **PUBLIC_ERRORS})
def public_availability(
    request: HttpRequest,
    location_id: int = Path(..., ge=1, le=MAX_ID),  # type: ignore[type-arg]
    service_id: int = Query(..., ge=1, le=MAX_ID, description="A service from /public/services"),  # type: ignore[type-arg]
    start: dt.date | None = Query(None, description="The first day (the location's calendar)"),  # type: ignore[type-arg]
    days: int = Query(7, ge=1, le=MAX_DAYS),  # type: ignore[type-arg]
) -> Availability:
    """The free times for a service at a location, from ``start`` (today by default) for
    ``days`` days, as a client booking online may choose them (with the clinic's notice and
    horizon)."""
    location = get_object_or_404(Location, pk=location_id, active=True)
    service = get_object_or_404(Service, pk=service_id, active=True)
    today = timezone.now().astimezone(location.zone).date()
    first = start or today
    if not today - dt.timedelta(days=1) <= first <= today + dt.timedelta(days=366):
        raise InvalidParameter("start", "Please choose a day from today to a year ahead.")
    last = first + dt.timedelta(days=days - 1)
    slots = free_slots(
        service, start_day=first, end_day=last, now=timezone.now(), location=location
    )
    names = dict(
        (therapist.pk, therapist.name)
        for therapist in Therapist.objects.filter(
            pk__in={slot.therapist_id for slot in slots}
        ).select_related("user")
    )
    return Availability(
        location_id=location.pk,
        service_id=service.pk,
        time_zone=location.time_zone,
        from_date=first,
        to_date=last,
        free_times=[
            FreeTime(
                starts=slot.start.astimezone(location.zone),
                ends=slot.end.astimezone(location.zone),
                therapist_id=slot.therapist_id,
                therapist_name=names.get(slot.therapist_id, ""),
                book_url=_book_url(service, location, slot.therapist_id, slot.start),
            )
            for slot in slots
        ],
    )
