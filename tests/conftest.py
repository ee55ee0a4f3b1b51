"""The named people every test can use (STYLE.md): an owner, Fran at the front desk, Tess who
treats client Alice, Theo who does not, Alice and another client, Bob."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from backcare.accounts.models import Role, User
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from tests import factories


@dataclass
class Clinic:
    owner: User
    front_desk: User
    tess: Therapist  # treats Alice
    theo: Therapist  # a colleague who does not treat Alice
    alice: Client
    bob: Client
    location: Location
    room: Room
    service: Service

    def user(self, persona: str) -> User | None:
        return {
            "anonymous": None,
            "client_a": self.alice.user,
            "client_b": self.bob.user,
            "therapist_a": self.tess.user,
            "therapist_b": self.theo.user,
            "front_desk": self.front_desk,
            "owner": self.owner,
        }[persona]


PERSONAS = (
    "anonymous",
    "client_a",
    "client_b",
    "therapist_a",
    "therapist_b",
    "front_desk",
    "owner",
)


@pytest.fixture
def clinic(db: None) -> Clinic:
    location = factories.LocationFactory.create(name="Midtown")
    owner = factories.UserFactory.create(
        email="owner@example.com",
        full_name="Olivia Owner",
        role=Role.OWNER,
        is_staff=True,
        is_superuser=True,
    )
    front_desk = factories.UserFactory.create(email="fran@example.com", full_name="Fran Desk")
    tess = factories.TherapistFactory.create(
        user__email="tess@example.com", user__full_name="Tess Therapist"
    )
    theo = factories.TherapistFactory.create(
        user__email="theo@example.com", user__full_name="Theo Colleague"
    )
    tess.locations.add(location)
    alice = factories.ClientFactory.create(
        first_name="Alice",
        last_name="Anders",
        email="alice@example.com",
        user=factories.UserFactory.create(
            email="alice@example.com", full_name="Alice Anders", role=Role.CLIENT
        ),
    )
    bob = factories.ClientFactory.create(
        first_name="Bob",
        last_name="Baker",
        email="bob@example.com",
        user=factories.UserFactory.create(
            email="bob@example.com", full_name="Bob Baker", role=Role.CLIENT
        ),
    )
    factories.treat(tess, alice)
    return Clinic(
        owner=owner,
        front_desk=front_desk,
        tess=tess,
        theo=theo,
        alice=alice,
        bob=bob,
        location=location,
        room=factories.RoomFactory.create(location=location, name="Magnolia"),
        service=factories.ServiceFactory.create(name="Back massage — 60 minutes"),
    )


def login_as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


@pytest.fixture
def as_owner(clinic: Clinic) -> HttpClient:
    return login_as(clinic.owner)


@pytest.fixture
def as_front_desk(clinic: Clinic) -> HttpClient:
    return login_as(clinic.front_desk)


@pytest.fixture
def as_tess(clinic: Clinic) -> HttpClient:
    return login_as(clinic.tess.user)


@pytest.fixture
def as_theo(clinic: Clinic) -> HttpClient:
    return login_as(clinic.theo.user)


@pytest.fixture
def as_alice(clinic: Clinic) -> HttpClient:
    return login_as(clinic.alice.user)
