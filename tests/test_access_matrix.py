"""Every URL of Backcare, for every persona, against tests/access_matrix.toml (SPEC §7)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, Clinic, login_as

MATRIX: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "access_matrix.toml").read_text()
)


def url_patterns() -> Iterator[tuple[str | None, URLPattern]]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str | None, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", pattern
            elif namespace.startswith("admin:"):
                # The admin's unnamed redirects sit behind the same admin gate.
                yield "admin:<unnamed>", pattern
            else:
                yield None, pattern

    yield from walk(get_resolver().url_patterns, "")


def row_for(name: str) -> dict[str, Any] | None:
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return MATRIX["admin:*"]
    return None


def sample_kwargs(name: str, pattern: URLPattern, clinic: Clinic) -> dict[str, str]:
    wanted = set(pattern.pattern.regex.groupindex)
    values: dict[str, str] = {
        "client_id": str(clinic.alice.pk),
        "location_id": str(clinic.location.pk),
        "room_id": str(clinic.room.pk),
        "therapist_id": str(clinic.tess.pk),
        "service_id": str(clinic.service.pk),
        "uidb64": "MA",
        "token": "made-up-token",
        "app_label": "clinic",
        "id": "",  # the user admin's password page: filled below
    }
    if "id" in wanted:
        values["id"] = str(clinic.owner.pk)
    if "content_type_id" in wanted:
        values["content_type_id"] = str(ContentType.objects.get_for_model(clinic.alice).pk)
        values["object_id"] = str(clinic.alice.pk)
    elif "object_id" in wanted:
        # admin:<app>_<model>_<view>: an existing object of that model where there is one.
        app_label, model_name = name.removeprefix("admin:").split("_")[:2]
        model = apps.get_model(app_label, model_name)
        first = model._default_manager.order_by("pk").first()
        values["object_id"] = str(first.pk if first is not None else 1)
    return {key: value for key, value in values.items() if key in wanted}


def outcome_matches(expected: Any, response: HttpResponseBase, kwargs: dict[str, str]) -> bool:
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path
    if isinstance(expected, int):
        return bool(status == expected)
    if expected == "login":
        return status == 302 and location == reverse("login")
    if expected == "admin-login":
        return status == 302 and location == reverse("admin:login")
    if expected == "admitted":
        return status == 200 or (
            status == 302 and location not in (reverse("admin:login"), reverse("login"))
        )
    if expected.startswith("redirect:"):
        return status == 302 and location == expected.removeprefix("redirect:").format(**kwargs)
    raise AssertionError(f"unknown expectation {expected!r}")


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = [
        pattern.pattern.describe() if name is None else name
        for name, pattern in url_patterns()
        if name is None or row_for(name) is None
    ]
    assert missing == [], f"add these URLs to tests/access_matrix.toml: {missing}"


def test_every_matrix_row_names_a_real_url() -> None:
    names = {name for name, _ in url_patterns() if name}
    stale = [name for name in MATRIX if name != "admin:*" and name not in names]
    assert stale == []


def test_every_view_goes_through_the_access_policy() -> None:
    unguarded = [
        name
        for name, pattern in url_patterns()
        if name and not name.startswith("admin:") and not hasattr(pattern.callback, "access_action")
    ]
    assert unguarded == [], "wrap these views with policy.requires or policy.public"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_matrix_says(clinic: Clinic, persona: str) -> None:
    http = login_as(clinic.user(persona))
    wrong = []
    for name, pattern in url_patterns():
        if name is None or name == "admin:<unnamed>":
            continue
        row = row_for(name)
        assert row is not None, name
        kwargs = sample_kwargs(name, pattern, clinic)
        url = reverse(name, kwargs=kwargs)
        response = http.post(url) if row.get("method") == "post" else http.get(url)
        if not outcome_matches(row[persona], response, kwargs):
            wrong.append(
                f"{name} {url}: expected {row[persona]!r}, got {response.status_code} "
                f"{response.get('Location', '')}"
            )
    assert wrong == [], "\n".join(wrong)
