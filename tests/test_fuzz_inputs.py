"""Bad input is a 4xx, never a server error: every GET parameter and form field of every page in
tests/access_matrix.toml, for every persona, given extreme values.

The fields come from the pages themselves: each page is opened as the persona (a page the
matrix lets them open must answer 200, on either database) and its forms are read from the
HTML (method, action, the values they would submit). GET parameters that no form shows are
declared below, read off each view's use of ``request.GET``. Then one field at a time (or a
parameter of the query string) is given an extreme value — the first and last dates, huge and
negative numbers, a megabyte of text, NUL, a lone surrogate, other odd Unicode, nothing — and
every answer must be below 500. Every field meets the sharpest six, and one more of the others,
chosen by its address and name, so the run is the same every time and a field keeps its value
when forms are added. A form that several personas are shown alike is fuzzed once, by the first
of them (CLAIM_ORDER below). On PostgreSQL (the second pass of `make test`) a field meets again
only those of its values that the two databases take differently (DATABASE_TELLS).

The addresses are dealt into CHUNKS tests, so both test workers share the work; in each, every
persona opens each page once, and then each persona's values are sent from the same starting
point, as if that persona were alone (its changes are rolled back before the next one's).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import PERSONAS, Clinic, login_as
from tests.html_forms import page_forms
from tests.matrix import bob_begins_his_questionnaire
from tests.test_access_matrix import records, row_for, sample_kwargs, url_patterns

__all__ = ["records"]  # the fixture, shared with the access matrix

MEGABYTE = "a" * 1_000_000
EXTREMES = (
    "0001-01-01",
    "9999-12-31",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "0",
    "1e308",
    "NaN",
    "",
    " ",
    MEGABYTE,
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: not valid UTF-8 at all
    "\udfff\ud800",
    "\u202eevil",
    "\ufeff",
    "e\u0301\u0301\u0301",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🦴",
    "Line one\r\nBcc: victim@example.com",
    "<script>alert(1)</script>",
    "'; DROP TABLE clinic_client; --",
    "2026-02-30",
    "25:99",
    "2026-06-01T10:00:00+14:00",
)
# Every field meets each of these, and one of the others (``other_extreme``).
SWEEP = ("0001-01-01", "9999-12-31", "99999999999999999999", MEGABYTE, "a\x00b", "\ud800")
OTHERS = tuple(value for value in EXTREMES if value not in SWEEP)
# The values the two databases take differently, where a value that passed every check could
# still meet a different answer: PostgreSQL refuses NUL in text, has narrower integers and
# dates, enforces text lengths and limits an index entry's size (SQLite does none of these).
# The PostgreSQL pass sends only these, of the values a field meets on the first pass; the
# others (odd Unicode, markup, line breaks, blanks, impossible dates and times) are kept or
# refused alike by both.
DATABASE_TELLS = frozenset(
    {
        "0001-01-01",
        "9999-12-31",
        "99999999999999999999",
        "-99999999999999999999",
        "1e308",
        "NaN",
        MEGABYTE,
        "\x00",
        "a\x00b",
    }
)


@dataclass(frozen=True)
class Target:
    """One way to send input: a form (its method, action and values) or a page's query."""

    method: str
    path: str
    values: tuple[tuple[str, tuple[str, ...]], ...]

    def fields(self) -> list[str]:
        return [name for name, _ in self.values if name != "csrfmiddlewaretoken"]


def other_extreme(target: Target, field: str) -> str:
    """The one of ``OTHERS`` this field meets: chosen by its address and name, so it is the
    same every run and the others are spread over the fields."""
    return OTHERS[zlib.crc32(f"{target.method} {target.path} {field}".encode()) % len(OTHERS)]


# GET parameters a view reads that no form on its page shows (each view's request.GET).
GET_PARAMETERS: dict[str, tuple[str, ...]] = {
    "staff:client_list": ("q", "page"),
    "audit:log": ("who", "action", "client", "since", "until", "page"),
    "audit:export": ("who", "action", "client", "since", "until"),
    "analytics:dashboard": ("start", "end", "location", "therapist", "template"),
    "analytics:export": ("start", "end", "location", "therapist", "template"),
    "scheduling:calendar": ("date", "view"),
    "scheduling:location_calendar": ("date", "view"),
    "scheduling:therapist_calendar": ("date", "view"),
    "scheduling:appointment_create": (
        "q",
        "client",
        "service",
        "location",
        "therapist",
        "date",
        "time",
        "notes",
    ),
    "screening:letter_pdf": ("purpose",),
    "care:start": ("template",),
    "outcomes:staff_collect": ("occasion",),
    "booking:start": ("service", "location", "therapist", "week"),
    "booking:reschedule": ("service", "location", "therapist", "week"),
    "booking:confirm": ("service", "location", "therapist", "starts"),
    "booking:reschedule_confirm": ("service", "location", "therapist", "starts"),
    "booking:appointment": ("done",),
    "waitlist:portal_join": ("service", "location", "therapist"),
    "waitlist:staff_add": ("service", "location", "therapist"),
    "waitlist:staff_list": ("location",),
}

# Not fuzzed: signing out (the persona would be gone), the password pages (a value that passed
# would change the persona's password), the JSON screening endpoint (tests/screening), and the
# calendar feed (a token, no form). The Django admin's pages are opened but not fuzzed (its own
# forms).
SKIPPED = {"logout", "password_change", "screening:check", "feeds:calendar"}


@functools.lru_cache(maxsize=512)
def _quoted(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def encoded(pairs: list[tuple[str, str]]) -> str:
    """A query string as a browser might send it, lone surrogates and all (as raw bytes)."""
    return "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in pairs)


def send(http: HttpClient, target: Target, field: str, value: str) -> int:
    pairs = [
        (name, value if name == field else original)
        for name, originals in target.values
        for original in (originals or ("",))
    ]
    if field not in {name for name, _ in target.values}:
        pairs.append((field, value))
    body = encoded(pairs)
    if target.method == "post":
        response = http.post(target.path, body, content_type="application/x-www-form-urlencoded")
    else:
        response = http.get(f"{target.path}?{body}")
    return int(response.status_code)


CHUNKS = 8


def addresses(
    clinic: Clinic, records: dict[str, str], chunk: int | None = None
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The matrix's addresses that are opened, or the chunk's share of them (every CHUNKS-th, in
    the matrix's order): its URL name, its row and its path. The Django admin's pages are opened
    (on PostgreSQL nothing else opens them), not fuzzed."""
    opened = (
        (name, pattern)
        for name, pattern in url_patterns()
        if name is not None and name != "admin:<unnamed>" and name not in SKIPPED
    )
    for index, (name, pattern) in enumerate(opened):
        if chunk is not None and index % CHUNKS != chunk:
            continue
        row = row_for(name)
        assert row is not None, name
        yield name, row, reverse(name, kwargs=sample_kwargs(name, pattern, clinic, records))


def targets_at(
    http: HttpClient, name: str, row: dict[str, Any], path: str, *, opens: bool
) -> list[Target]:
    """What a signed-in persona can send at one address: a POST-only address as it is (fuzz
    what it reads), or the page's forms and its declared GET parameters. A page the matrix
    lets the persona open (``opens``) must open, on either database."""
    if row.get("method") == "post":
        return [Target("post", path, ())]
    page = http.get(path)
    assert page.status_code < 500, f"{path}: {page.status_code}"
    assert page.status_code == 200 or not opens, f"{path} answered {page.status_code}, not 200"
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []
    found = []
    if name in GET_PARAMETERS:
        found.append(Target("get", path, tuple((p, ()) for p in GET_PARAMETERS[name])))
    for form in page_forms(page.content.decode(), path):
        action = urlsplit(form.action).path or path
        if action == reverse("logout") or not form.values:
            continue
        found.append(
            Target(
                form.method,
                action,
                tuple((field, tuple(values)) for field, values in form.values.items()),
            )
        )
    return found


# A form that several personas are shown alike (the same method, address and fields) reaches one
# view with the same fields, so it is fuzzed once: by the first of them in this order. A
# POST-only address counts as shown to a persona whom the matrix lets through to its view (any
# answer but the policy's refusal). Every persona still fuzzes whatever no one before it is shown.
CLAIM_ORDER = (
    "owner",
    "front_desk",
    "therapist_a",
    "therapist_b",
    "client_a",
    "client_b",
    "anonymous",
)
REFUSED = ("login", 403)
assert sorted(CLAIM_ORDER) == sorted(PERSONAS)


def signature(target: Target) -> tuple[str, str, tuple[str, ...]]:
    return target.method, target.path, tuple(sorted(name for name, _ in target.values))


def persona_client(clinic: Clinic, persona: str) -> HttpClient:
    """A test client as the persona (tests/conftest.py), to whom a server error is an answer."""
    http = login_as(clinic.user(persona))
    http.raise_request_exception = False
    return http


def shares_at(
    clients: dict[str, HttpClient], name: str, row: dict[str, Any], path: str
) -> dict[str, list[Target]]:
    """At one address, what each persona can send that no persona before it in CLAIM_ORDER is
    shown alike. Each persona opens the page once."""
    share: dict[str, list[Target]] = {persona: [] for persona in CLAIM_ORDER}
    claimed: set[tuple[str, str, tuple[str, ...]]] = set()
    for index, persona in enumerate(CLAIM_ORDER):
        mine = targets_at(clients[persona], name, row, path, opens=row[persona] == 200)
        if not mine or name.startswith("admin:"):
            continue
        if row.get("method") == "post":
            if not any(row[other] not in REFUSED for other in CLAIM_ORDER[:index]):
                share[persona].extend(mine)
            continue
        share[persona].extend(target for target in mine if signature(target) not in claimed)
        claimed.update(map(signature, mine))
    return share


def shares(
    clients: dict[str, HttpClient], clinic: Clinic, records: dict[str, str], chunk: int
) -> dict[str, set[Target]]:
    """Each persona's share of the chunk's fuzzing."""
    share: dict[str, set[Target]] = {persona: set() for persona in CLAIM_ORDER}
    for name, row, path in addresses(clinic, records, chunk):
        for persona, mine in shares_at(clients, name, row, path).items():
            share[persona].update(mine)
    return share


def test_every_persona_has_fields_of_its_own_to_fuzz(
    clinic: Clinic, records: dict[str, str]
) -> None:
    """No persona's share is claimed away by the personas before it: across the chunks, each has
    something to send. The addresses are walked only until each persona has found some."""
    bob_begins_his_questionnaire(clinic)
    clients = {persona: persona_client(clinic, persona) for persona in CLAIM_ORDER}
    without = set(CLAIM_ORDER)
    for name, row, path in addresses(clinic, records):
        if name.startswith("admin:"):
            continue  # opened, never fuzzed
        without -= {
            persona for persona, mine in shares_at(clients, name, row, path).items() if mine
        }
        if not without:
            break
    assert without == set(), f"nothing of their own to fuzz: {sorted(without)}"


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda chunk: f"{chunk + 1}-of-{CHUNKS}")
def test_no_input_makes_a_server_error(clinic: Clinic, records: dict[str, str], chunk: int) -> None:
    bob_begins_his_questionnaire(clinic)  # so his questionnaire's review page opens
    clients = {persona: persona_client(clinic, persona) for persona in CLAIM_ORDER}
    share = shares(clients, clinic, records, chunk)
    assert any(share.values()), f"nothing to fuzz in chunk {chunk + 1}"
    failures: list[str] = []

    def sent(values: Iterable[str]) -> list[str]:
        if connection.vendor == "sqlite":
            return list(values)
        return [value for value in values if value in DATABASE_TELLS]

    def check(persona: str, target: Target, field: str, value: str) -> None:
        if send(clients[persona], target, field, value) >= 500:
            failures.append(
                f"{persona}: {target.method.upper()} {target.path} {field}={value[:40]!r}"
            )

    for persona in CLAIM_ORDER:
        found = sorted(share[persona], key=lambda t: (t.path, t.method))
        fields = [(target, field) for target in found for field in (target.fields() or ["q"])]
        with transaction.atomic():  # this persona's changes are undone before the next one's
            # Every field meets the sharpest values ...
            for target, field in fields:
                for value in sent(SWEEP):
                    check(persona, target, field, value)
            # ... and one more of the others.
            for target, field in fields:
                for value in sent([other_extreme(target, field)]):
                    check(persona, target, field, value)
            transaction.set_rollback(True)
    assert failures == [], "\n".join(sorted(set(failures)))
