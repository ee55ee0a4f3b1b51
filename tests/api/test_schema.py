"""Schemathesis against the API's own OpenAPI document, in-process (the WSGI application): a
bounded number of generated requests per operation, none answered with a server error, every
answer matching the document (status, content type, body)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from tests import factories
from tests.conftest import Clinic

HOSTS = ["localhost", "testserver"]  # schemathesis calls the application as "localhost"
with override_settings(ALLOWED_HOSTS=HOSTS):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(modes=[GenerationMode.POSITIVE])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connection(token: str) -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; Django's own test
    client stops it doing so (and starts it again after each request: so this comes after the
    token, which the test client fetches), or the test's transaction would go with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(clinic: Clinic, api_token: Callable[..., str]) -> str:
    """An open clinic with a booked appointment, and a system allowed everything."""
    for therapist in (clinic.tess, clinic.theo):
        factories.weekly_hours(therapist, clinic.location)
    factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
    )
    return api_token()


@pytest.mark.django_db(transaction=False)
@override_settings(API_PUBLIC_PER_MINUTE=10_000, ALLOWED_HOSTS=HOSTS)
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_openapi_document(
    case: Any, token: str, keep_connection: None
) -> None:
    """``case`` is a schemathesis Case: one generated request."""
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
