"""Factories for the clinic's people and places."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from backcare.accounts.models import Role, User
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.FRONT_DESK
    password = factory.django.Password(PASSWORD)


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Location {n}")
    address_line1 = "1100 Peachtree St NE"
    city = "Atlanta"
    state = "GA"
    postal_code = "30309"
    time_zone = "America/New_York"


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class TherapistFactory(factory.django.DjangoModelFactory[Therapist]):
    class Meta:
        model = Therapist

    user = factory.SubFactory(UserFactory, role=Role.THERAPIST)
    licence_number = factory.Sequence(lambda n: f"MT{n:06d}")
    licence_state = "GA"
    techniques = factory.LazyFunction(lambda: ["swedish", "deep_tissue"])


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1975, 5, 17)
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = "(404) 555-0100"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Back massage {n}")
    duration_minutes = 60
    buffer_after_minutes = 15
    price = Decimal("95.00")
    techniques = factory.LazyFunction(lambda: ["swedish"])


def treat(therapist: Therapist, client: Client) -> CareTeamMembership:
    return CareTeamMembership.objects.create(
        client=client,
        therapist=therapist,
        reason=CareTeamMembership.Reason.ASSIGNED,
        added_at=timezone.now(),
    )
