"""The letterhead of documents about a client: the clinic, at the location of the session the
document concerns (the caller says which), else at the client's home location."""

from __future__ import annotations

from django.conf import settings

from backcare.clinic.models import Client, Location
from backcare.lib.pdf import Letterhead


def letterhead_for(client: Client, location: Location | None = None) -> Letterhead:
    """The clinic's letterhead at ``location``: where the session the document is about took
    place or will take place. Without one, the client's home location; without that, the clinic's
    name alone."""
    place = location if location is not None else client.home_location
    return Letterhead(
        name=settings.CLINIC_NAME if place is None else f"{settings.CLINIC_NAME}, {place.name}",
        address_lines=tuple(place.address.split(", ")) if place is not None else (),
        phone=place.phone if place is not None else "",
        email=settings.CLINIC_EMAIL,
    )
