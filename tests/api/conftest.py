"""A connected system with its access token, for the API's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from tests.conftest import Clinic
from tests.systems.smart import OtherSystem, connect, token_for

EVERYTHING = "system/*.read system/Appointment.write"


@pytest.fixture
def api_token(clinic: Clinic) -> Callable[..., str]:
    """A working token of a system the owner connected with ``scopes``."""

    def make(scopes: str = EVERYTHING) -> str:
        other = OtherSystem(alg="ES384")
        system = connect(clinic.owner, other, scopes=scopes)
        return token_for(system, other, scope=scopes)

    return make


class Api:
    """The API as a connected system calls it: JSON in and out, its token in each request."""

    def __init__(self, token: str | None = None) -> None:
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.http.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def system_api(api_token: Callable[..., str]) -> Api:
    return Api(api_token())
