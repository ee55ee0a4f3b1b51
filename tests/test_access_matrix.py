"""Every URL of Backcare, for every persona, against tests/access_matrix.toml (SPEC §7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS, Clinic, login_as
from tests.matrix import (
    MATRIX,
    make_records,
    outcome_matches,
    row_for,
    sample_kwargs,
    url_patterns,
)

__all__ = ["MATRIX", "records", "row_for", "sample_kwargs", "url_patterns"]


@pytest.fixture
def records(clinic: Clinic) -> dict[str, str]:
    """Records behind URLs that name one: Alice's questionnaire, screening, clearance and
    appointment."""
    return make_records(clinic)


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


# The policy's answers, alike on either database. On PostgreSQL tests/test_fuzz_inputs.py still
# asks every address as every persona (a page the matrix opens to them must answer 200), all but
# the few it leaves alone: signing out, the password page, the calendar feed and the JSON
# screening check.
@pytest.mark.same_on_every_database
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_matrix_says(
    clinic: Clinic, records: dict[str, str], persona: str
) -> None:
    http = login_as(clinic.user(persona))
    wrong = []
    for name, pattern in url_patterns():
        if name is None or name == "admin:<unnamed>":
            continue
        row = row_for(name)
        assert row is not None, name
        kwargs = sample_kwargs(name, pattern, clinic, records)
        url = reverse(name, kwargs=kwargs)
        response = http.post(url) if row.get("method") == "post" else http.get(url)
        if not outcome_matches(row[persona], response, kwargs):
            wrong.append(
                f"{name} {url}: expected {row[persona]!r}, got {response.status_code} "
                f"{response.get('Location', '')}"
            )
    assert wrong == [], "\n".join(wrong)
