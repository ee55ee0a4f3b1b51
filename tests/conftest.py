"""The named people every test can use (STYLE.md): an owner, Fran at the front desk, Tess who
treats client Alice, Theo who does not, Alice and another client, Bob."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.template import Template
from django.test import Client as HttpClient
from django.test import utils as test_utils

from backcare.accounts.models import Role, User
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.scheduling import clock
from tests import factories
from tests.flush import allow_test_flush
from tests.two_factor import signed_in

allow_test_flush()


@pytest.fixture(autouse=True, scope="session")
def _templates_unrecorded(django_test_environment: None) -> Iterator[None]:
    """Pages render as they do in production. Django's test set-up has every template render
    tell the test client what it rendered, with a copy of its context, which cost about a
    tenth of each request; a test that reads ``response.context`` asks for ``recorded_pages``."""
    plain = test_utils._TestState.saved_data.template_render  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Template, "_render", plain)
        yield


@pytest.fixture
def recorded_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """``response.context`` (and ``response.templates``) for this test's requests."""
    monkeypatch.setattr(Template, "_render", test_utils.instrumented_test_render)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_clock() -> None:
    """Each test reads the clinic's clock (12- or 24-hour) from its own database, as each
    request does."""
    clock.forget()


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


# The tests that take longest, run first. pytest-xdist (worksteal) hands each worker half of the
# list, in order, and a worker that runs out takes tests only from the end of the other's list,
# never the last two: a long test left near the end kept the other worker idle while it ran
# (about 15 s of one core at the end of the SQLite pass). The demo's tests come first, so its one
# build per worker is made once.
RUN_FIRST = (
    "tests/demo/",
    "tests/test_fuzz_inputs.py",
    "tests/browser/test_accessibility.py",
    "tests/test_page_queries.py",
    "tests/test_access_matrix.py",
    "tests/browser/",
    "tests/imports/test_import.py",
    "tests/notices/test_worker_killed.py",
)


def _run_first_rank(item: pytest.Item) -> int:
    return next(
        (rank for rank, prefix in enumerate(RUN_FIRST) if item.nodeid.startswith(prefix)),
        len(RUN_FIRST),
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest tests first (RUN_FIRST; otherwise the order they are collected in). The
    second pass of `make test` (PostgreSQL, BACKCARE_DATABASE_TESTS_ONLY=true) runs only the
    tests whose answer the database can change: the pure tests, the browser journeys and the
    tests marked ``same_on_every_database`` gave the same answer on the first pass, whatever
    the database."""
    items.sort(key=_run_first_rank)
    if os.environ.get("BACKCARE_DATABASE_TESTS_ONLY") != "true":
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        once = any(item.get_closest_marker(name) for name in ("browser", "same_on_every_database"))
        (kept if uses_database and not once else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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


CLOCK_QUERY = 1
"""A page that shows a time of day reads the clinic's clock (12- or 24-hour) once."""


def audit_row_queries() -> int:
    """The queries one audit row costs: reading the last link of the chain and the insert, and
    on PostgreSQL the lock that keeps two writers from linking to the same row."""
    return 3 if connection.vendor == "postgresql" else 2


def login_as(user: User | None) -> HttpClient:
    """A test client signed in as ``user`` (staff with the second step passed, as after a
    real sign-in: tests/two_factor.py), or nobody."""
    return HttpClient() if user is None else signed_in(user)


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
