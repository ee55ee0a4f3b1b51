"""The letterhead of documents about a client: the clinic, at the client's home location."""

from __future__ import annotations

from django.conf import settings

from backcare.clinic.models import Client
from backcare.lib.pdf import Letterhead


def letterhead_for(client: Client) -> Letterhead:
    location = client.home_location
    return Letterhead(
        name=settings.CLINIC_NAME
        if location is None
        else f"{settings.CLINIC_NAME}, {location.name}",
        address_lines=tuple(location.address.split(", ")) if location is not None else (),
        phone=location.phone if location is not None else "",
        email=settings.CLINIC_EMAIL,
    )
