"""The append-only audit log (SPEC §7): every named action writes its row, nothing changes or
removes a row, and the owner can filter and export it."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import DatabaseError, connection, models, transaction
from django.http import HttpResponseBase, StreamingHttpResponse
from django.urls import reverse

from backcare import policy
from backcare.accounts.models import User
from backcare.audit.labels import UnregisteredAuditAction, label_for, register
from backcare.audit.log import record
from backcare.audit.models import AuditEvent, AuditLogIsAppendOnly
from backcare.clinic import actions
from backcare.clinic.models import CareTeamMembership, Client, Consent, ConsentKind
from backcare.policy import Action
from tests.conftest import CLOCK_QUERY, Clinic
from tests.pages import field_error, text

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

UTC = dt.UTC


# --- Every named action leaves one row ------------------------------------------------------


@dataclass(frozen=True)
class Case:
    action: str  # what the audit row says happened
    actor: str  # "owner" or "front_desk"
    run: Callable[[Clinic, User], models.Model]
    changed: dict[str, Any]  # a field the row must show, with its before and after
    about_alice: bool = False


NOW = dt.datetime(2025, 3, 10, 14, 30, tzinfo=UTC)

CASES = {
    "register_client": Case(
        "client.registered",
        "front_desk",
        lambda c, u: actions.register_client(
            u, {"first_name": "Carla", "last_name": "Cruz", "date_of_birth": dt.date(1981, 7, 4)}
        ),
        {"last_name": {"before": None, "after": "Cruz"}},
    ),
    "register_clients": Case(  # an import's hundred at a time: one row for each client
        "client.registered",
        "front_desk",
        lambda c, u: actions.register_clients(
            u, [Client(first_name="Dee", last_name="Park", date_of_birth=dt.date(1970, 3, 3))]
        )[0],
        {"last_name": {"before": None, "after": "Park"}},
    ),
    "update_client": Case(
        "client.updated",
        "front_desk",
        lambda c, u: actions.update_client(u, c.alice, {"phone": "(470) 555-0177"}),
        {"phone": {"before": "(404) 555-0100", "after": "(470) 555-0177"}},
        about_alice=True,
    ),
    "create_location": Case(
        "location.created",
        "owner",
        lambda c, u: actions.create_location(
            u,
            {
                "name": "Decatur",
                "address_line1": "220 Church St",
                "city": "Decatur",
                "state": "GA",
                "postal_code": "30030",
            },
        ),
        {"postal_code": {"before": None, "after": "30030"}},
    ),
    "update_location": Case(
        "location.updated",
        "owner",
        lambda c, u: actions.update_location(u, c.location, {"phone": "(404) 555-0300"}),
        {"phone": {"before": "", "after": "(404) 555-0300"}},
    ),
    "create_room": Case(
        "room.created",
        "owner",
        lambda c, u: actions.create_room(u, {"location": c.location, "name": "Dogwood"}),
        {"name": {"before": None, "after": "Dogwood"}},
    ),
    "create_service": Case(
        "service.created",
        "owner",
        lambda c, u: actions.create_service(
            u, {"name": "Back massage — 30 minutes", "duration_minutes": 30, "price": 55}
        ),
        {"duration_minutes": {"before": None, "after": 30}},
    ),
    "update_service": Case(
        "service.updated",
        "owner",
        lambda c, u: actions.update_service(u, c.service, {"price": Decimal("99.00")}),
        {"price": {"before": "95.00", "after": "99.00"}},
    ),
    "add_to_care_team": Case(
        "care_team.added",
        "front_desk",
        lambda c, u: actions.add_to_care_team(
            u, c.alice, c.theo, CareTeamMembership.Reason.ASSIGNED, NOW
        ),
        {"reason": {"before": None, "after": "assigned"}},
        about_alice=True,
    ),
    "record_consents": Case(
        "consent.given",
        "front_desk",
        lambda c, u: actions.record_consents(
            u, [Consent(client=c.alice, kind=ConsentKind.TREATMENT, version="2025-1", given_at=NOW)]
        )[0],
        {"version": {"before": None, "after": "2025-1"}},
        about_alice=True,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_every_named_action_writes_one_audit_row(clinic: Clinic, name: str):
    case = CASES[name]
    actor = clinic.owner if case.actor == "owner" else clinic.front_desk
    before = AuditEvent.objects.count()

    obj = case.run(clinic, actor)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get()
    assert event.action == case.action
    assert event.actor == actor
    assert event.actor_email == actor.email
    assert event.object_type == obj._meta.label_lower
    assert event.object_id == str(obj.pk)
    for field, change in case.changed.items():
        assert event.changes[field] == change
    if isinstance(obj, Client):
        assert event.client == obj
    elif case.about_alice:
        assert event.client == clinic.alice


def test_an_update_that_changes_nothing_writes_no_row(clinic: Clinic):
    actions.update_client(clinic.front_desk, clinic.alice, {"phone": clinic.alice.phone})

    assert not AuditEvent.objects.exists()


# --- Rows never change ----------------------------------------------------------------------


@pytest.fixture
def event(clinic: Clinic) -> AuditEvent:
    return record(clinic.tess.user, "client.viewed", clinic.alice)


def _save_changed(event: AuditEvent) -> None:
    event.action = "x"
    event.save()


ATTEMPTS: dict[str, Callable[[AuditEvent], object]] = {
    "save": _save_changed,
    "delete": lambda event: event.delete(),
    "queryset-update": lambda event: AuditEvent.objects.filter(pk=event.pk).update(action="x"),
    "queryset-delete": lambda event: AuditEvent.objects.filter(pk=event.pk).delete(),
    "all-delete": lambda event: AuditEvent.objects.all().delete(),
    "bulk-update": lambda event: AuditEvent.objects.bulk_update([event], ["action"]),
}


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_application_refuses_to_change_or_remove_an_audit_row(event: AuditEvent, attempt: str):
    with pytest.raises(AuditLogIsAppendOnly):
        ATTEMPTS[attempt](event)

    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.action == "client.viewed"


def test_the_database_refuses_a_raw_update_of_the_audit_log(event: AuditEvent):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")

    assert AuditEvent.objects.get(pk=event.pk).action == "client.viewed"


def test_the_database_refuses_an_upsert_over_an_audit_row(event: AuditEvent):
    forged = AuditEvent(pk=event.pk, action="x", object_type="clinic.client")

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["action"]
        )

    assert AuditEvent.objects.get(pk=event.pk).action == "client.viewed"


def test_the_database_refuses_a_raw_delete_from_the_audit_log(event: AuditEvent):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- The owner's audit page -----------------------------------------------------------------


@pytest.fixture
def history(clinic: Clinic) -> None:
    """Four events over three months, by three people, about two clients and a location."""

    def event(at: dt.datetime, actor: User, action: str, client: Client | None) -> None:
        AuditEvent.objects.create(
            at=at,
            actor=actor,
            actor_email=actor.email,
            action=action,
            object_type="clinic.client" if client else "clinic.location",
            object_id=str(client.pk if client else clinic.location.pk),
            object_repr=str(client or clinic.location),
            client=client,
        )

    event(
        dt.datetime(2025, 1, 15, 15, tzinfo=UTC), clinic.front_desk, "client.viewed", clinic.alice
    )
    event(dt.datetime(2025, 2, 15, 15, tzinfo=UTC), clinic.tess.user, "client.viewed", clinic.alice)
    event(dt.datetime(2025, 2, 20, 15, tzinfo=UTC), clinic.front_desk, "client.updated", clinic.bob)
    event(dt.datetime(2025, 3, 10, 15, tzinfo=UTC), clinic.owner, "location.updated", None)


def shown(response: Response) -> list[tuple[str, str]]:
    """Who did what, for each row of the audit table, newest first."""
    return re.findall(r"<td>([^<]*)</td>\s*<td><code>([^<]*)</code></td>", text(response))


FRAN_UPDATED_BOB = ("fran@example.com", "client.updated")
FRAN_VIEWED_ALICE = ("fran@example.com", "client.viewed")
TESS_VIEWED_ALICE = ("tess@example.com", "client.viewed")
OWNER_UPDATED_LOCATION = ("owner@example.com", "location.updated")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {},
            [OWNER_UPDATED_LOCATION, FRAN_UPDATED_BOB, TESS_VIEWED_ALICE, FRAN_VIEWED_ALICE],
        ),
        ({"who": "FRAN"}, [FRAN_UPDATED_BOB, FRAN_VIEWED_ALICE]),
        ({"action": "client."}, [FRAN_UPDATED_BOB, TESS_VIEWED_ALICE, FRAN_VIEWED_ALICE]),
        ({"action": "client.viewed"}, [TESS_VIEWED_ALICE, FRAN_VIEWED_ALICE]),
        ({"client": "alice"}, [TESS_VIEWED_ALICE, FRAN_VIEWED_ALICE]),
        ({"client": "bob"}, [FRAN_UPDATED_BOB]),
        ({"since": "2025-02-01", "until": "2025-02-28"}, [FRAN_UPDATED_BOB, TESS_VIEWED_ALICE]),
        ({"since": "2025-03-10"}, [OWNER_UPDATED_LOCATION]),
        ({"until": "2025-01-15"}, [FRAN_VIEWED_ALICE]),
        ({"who": "fran", "action": "client.viewed"}, [FRAN_VIEWED_ALICE]),
    ],
)
def test_the_owner_filters_the_audit_log(
    clinic: Clinic, history: None, as_owner, filters: dict[str, str], expected: list[Any]
):
    if filters.get("client") in ("alice", "bob"):
        filters = {**filters, "client": str(getattr(clinic, filters["client"]).pk)}

    response = as_owner.get(reverse("audit:log"), filters)

    assert response.status_code == 200
    assert shown(response) == expected


def test_a_filter_that_matches_nothing_says_so(clinic: Clinic, history: None, as_owner):
    response = as_owner.get(reverse("audit:log"), {"who": "nobody"})

    assert response.status_code == 200
    assert "No events match." in text(response)


def test_audit_dates_are_the_clinics_local_days(clinic: Clinic, as_owner):
    # 10 pm on January 31 in Atlanta is already February 1 in UTC.
    AuditEvent.objects.create(
        at=dt.datetime(2025, 2, 1, 3, tzinfo=UTC),
        actor=clinic.tess.user,
        actor_email=clinic.tess.user.email,
        action="client.viewed",
        object_type="clinic.client",
        client=clinic.alice,
    )

    january = as_owner.get(reverse("audit:log"), {"since": "2025-01-31", "until": "2025-01-31"})
    february = as_owner.get(reverse("audit:log"), {"since": "2025-02-01", "until": "2025-02-01"})

    assert shown(january) == [TESS_VIEWED_ALICE]
    assert shown(february) == []


@pytest.mark.parametrize("view", ["audit:log", "audit:export"])
def test_a_to_date_before_the_from_date_is_refused(clinic: Clinic, as_owner, view: str):
    response = as_owner.get(reverse(view), {"since": "2025-02-10", "until": "2025-02-01"})

    assert response.status_code == 400
    assert field_error(response, "until") == ("To:", "“To” must be on or after “From”.")
    assert 'value="2025-02-10"' in text(response)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def csv_rows(response: HttpResponseBase) -> list[list[str]]:
    """The downloaded file, read as a spreadsheet would."""
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_the_csv_export_has_a_header_and_one_row_per_filtered_event(
    clinic: Clinic, history: None, as_owner
):
    response = as_owner.get(reverse("audit:export"), {"action": "client."})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="backcare-audit-')
    header, *rows = csv_rows(response)
    assert header == [
        "at",
        "actor_email",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "client_id",
        "changes",
        "ip",
        "what_happened",
    ]
    assert [(row[1], row[2]) for row in rows] == [
        FRAN_UPDATED_BOB,
        TESS_VIEWED_ALICE,
        FRAN_VIEWED_ALICE,
    ]
    assert rows[0][5] == "Bob Baker"
    assert rows[0][6] == str(clinic.bob.pk)
    # Times are the clinic's: 15:00 UTC on February 20 is 10 am in Atlanta.
    assert rows[0][0] == "2025-02-20T10:00:00-05:00"
    # What happened, as the audit page says it.
    assert rows[0][9].startswith("Fran Desk changed the record of Bob Baker, 20 Feb")
    assert rows[0][9].endswith(" 10:00 AM")


def test_a_long_log_exports_every_row_once_in_order(clinic: Clinic, as_owner):
    """Rows are sent in batches: none lost or repeated at a batch's edge."""
    start = dt.datetime(2025, 1, 1, 15, tzinfo=UTC)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=start + dt.timedelta(minutes=minute),
            actor=clinic.owner,
            actor_email=clinic.owner.email,
            action="client.viewed",
            object_type="clinic.client",
            object_id=str(clinic.alice.pk),
            object_repr=str(clinic.alice),
            client=clinic.alice,
        )
        for minute in range(1201)
    )
    _, *rows = csv_rows(as_owner.get(reverse("audit:export"), {"until": "2025-01-31"}))
    times = [row[0] for row in rows]
    assert len(times) == len(set(times)) == 1201
    assert times == sorted(times, reverse=True)


def test_the_export_itself_is_audited(clinic: Clinic, history: None, as_owner):
    response = as_owner.get(
        reverse("audit:export"), {"who": "fran", "since": "2025-01-01"}, REMOTE_ADDR="198.51.100.4"
    )
    csv_rows(response)

    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == clinic.owner
    assert exported.ip == "198.51.100.4"
    assert exported.changes == {
        "filters": {"before": None, "after": {"who": "fran", "since": "2025-01-01"}}
    }
    assert shown(as_owner.get(reverse("audit:log"), {"action": "audit."})) == [
        ("owner@example.com", "audit.exported")
    ]


@pytest.mark.parametrize("persona", ["as_front_desk", "as_tess", "as_theo", "as_alice"])
@pytest.mark.parametrize("view", ["audit:log", "audit:export"])
def test_only_the_owner_reads_or_exports_the_audit_log(
    clinic: Clinic, history: None, request, persona: str, view: str
):
    http = request.getfixturevalue(persona)

    response = http.get(reverse(view))

    assert response.status_code == 403
    assert "fran@example.com" not in text(response)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_anonymous_visitors_are_sent_to_sign_in_instead_of_exporting(clinic: Clinic, client):
    response = client.get(reverse("audit:export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


# --- Every action is registered with its sentence -------------------------------------------

BACKCARE = Path(__file__).resolve().parent.parent / "backcare"
# Where the action string goes in each function that writes a row: (position, keyword).
WRITERS: dict[str, tuple[int | None, str]] = {
    "record": (1, "action"),
    "create_recorded": (2, "action"),
    "delete_recorded": (2, "action"),
}


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _action_argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def _forwarding(
    enclosing: list[ast.FunctionDef | ast.AsyncFunctionDef], name: str
) -> tuple[str, tuple[int | None, str]] | None:
    """The innermost enclosing function with a parameter ``name``, as a writer of its own:
    (function name, (position, keyword))."""
    for function in reversed(enclosing):
        arguments = function.args
        positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        if name in positional:
            return function.name, (positional.index(name), name)
        if name in [a.arg for a in arguments.kwonlyargs]:
            return function.name, (None, name)
    return None


@dataclass
class ActionStrings:
    found: dict[str, list[str]]  # action string: where it is written
    unresolved: list[str]  # writes whose action is neither a literal nor a forwarded parameter


def _walk(
    source: dict[Path, ast.Module], writers: dict[str, tuple[int | None, str]]
) -> tuple[ActionStrings, dict[str, tuple[int | None, str]]]:
    """One pass over the source: the action strings, the writes it cannot read, and the
    functions that pass one of their own parameters on as the action (new writers)."""
    strings = ActionStrings({}, [])
    forwarders: dict[str, tuple[int | None, str]] = {}

    def visit(node: ast.AST, enclosing: list[Any], path: Path) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            enclosing = [*enclosing, node]
        if isinstance(node, ast.Call) and (name := _called(node)) in writers:
            argument = _action_argument(node, *writers[name])
            where = f"{path.relative_to(BACKCARE.parent)}:{node.lineno}"
            each: list[ast.expr | None] = (
                [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            )
            for given in each:
                forwarded = (
                    _forwarding(enclosing, given.id) if isinstance(given, ast.Name) else None
                )
                if isinstance(given, ast.Constant) and isinstance(given.value, str):
                    strings.found.setdefault(given.value, []).append(where)
                elif forwarded is not None:
                    forwarders[forwarded[0]] = forwarded[1]
                elif given is not None:
                    strings.unresolved.append(f"{where}: {ast.unparse(given)}")
        for child in ast.iter_child_nodes(node):
            visit(child, enclosing, path)

    for path, tree in source.items():
        visit(tree, [], path)
    return strings, forwarders


def action_strings_in_source() -> ActionStrings:
    """Every audit action string that reaches ``record()`` in backcare/: passed to it, to
    ``create_recorded``/``delete_recorded``, or to any function that hands one of its own
    parameters on to them (``_update(..., "client.updated")``, ``requires(audit=...)``)."""
    source = {
        path: ast.parse(path.read_text(), str(path))
        for path in sorted(BACKCARE.rglob("*.py"))
        if "migrations" not in path.parts
    }
    writers = dict(WRITERS)
    while True:
        strings, forwarders = _walk(source, writers)
        new = {name: how for name, how in forwarders.items() if name not in writers}
        if not new:
            return strings
        writers.update(new)


def test_every_audit_action_written_in_the_code_is_registered_with_a_sentence():
    strings = action_strings_in_source()

    assert strings.unresolved == [], "write the audit action as a string literal"
    # The walk finds the writes through helpers too, not only direct record() calls.
    assert {"client.updated", "appointment.no_show", "waitlist.offer_taken"} <= set(strings.found)
    assert {"client.viewed", "program.viewed", "hold.viewed"} <= set(strings.found)
    unregistered = {
        action: where for action, where in strings.found.items() if label_for(action) is None
    }
    assert unregistered == {}, "register these in backcare/audit/labels.py"


def test_record_refuses_an_action_that_is_not_registered(clinic: Clinic):
    with pytest.raises(UnregisteredAuditAction, match=r"client\.peeked"):
        record(clinic.owner, "client.peeked", clinic.alice)

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("action", "sentence", "problem"),
    [
        ("note.signed", "{actor} signed", "registered twice"),
        ("Note Signed", "{actor} signed", "read like"),
        ("note.countersigned", "{actor} signed for {therapist}", "not therapist"),
    ],
)
def test_the_register_refuses_a_second_label_a_bad_name_or_an_unknown_placeholder(
    action: str, sentence: str, problem: str
):
    with pytest.raises(ValueError, match=problem):
        register(action, sentence)

    assert label_for("note.countersigned") is None


def test_a_view_can_only_record_a_registered_read_of_what_it_loads():
    with pytest.raises(UnregisteredAuditAction):
        policy.requires(Action.CLIENT_VIEW, load=lambda **kw: None, audit="client.peeked")
    with pytest.raises(TypeError, match="load"):
        policy.requires(Action.CLIENT_VIEW, audit="client.viewed")


# --- The owner's audit page reads as sentences ----------------------------------------------

SIGNED_AT = dt.datetime(2026, 12, 3, 15, 41, tzinfo=UTC)  # 10:41 in Atlanta


def _row(clinic: Clinic, action: str, changes: dict[str, Any], **fields: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        at=SIGNED_AT,
        actor=clinic.tess.user,
        actor_email=clinic.tess.user.email,
        action=action,
        object_type="notes.sessionnote",
        object_id="7",
        client=clinic.alice,
        changes=changes,
        **fields,
    )


def sentences(response: Response) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", "", found).split())
        for found in re.findall(r'<p class="sentence">(.*?)</p>', text(response), re.S)
    ]


def test_the_audit_page_says_who_did_what_to_whose_record_and_when(clinic: Clinic, as_owner):
    _row(
        clinic,
        "note.signed",
        {
            "signed_at": {"before": None, "after": SIGNED_AT.isoformat()},
            "tissue_response": {"before": None, "after": "softened"},
        },
    )

    with time_machine.travel(SIGNED_AT + dt.timedelta(hours=2), tick=False):
        response = as_owner.get(reverse("audit:log"))

    assert response.status_code == 200
    assert sentences(response) == [
        "Tess Therapist signed the session note of Alice Anders, 3 Dec 10:41 AM"
    ]
    page = text(response)
    # The field the label shows, in words; the rest only as recorded.
    assert "<li>tissue response: softened</li>" in page
    assert "<li>signed_at" not in page and "<li>signed at" not in page
    assert "<code>note.signed</code>" in page


def test_the_audit_page_names_the_therapists_and_times_a_change_moved_between(
    clinic: Clinic, as_owner
):
    _row(
        clinic,
        "appointment.rescheduled",
        {
            "starts": {
                "before": "2026-12-07T15:00:00+00:00",
                "after": "2026-12-08T19:00:00+00:00",
            },
            "therapist": {"before": clinic.tess.pk, "after": clinic.theo.pk},
        },
    )
    AuditEvent.objects.create(
        at=SIGNED_AT, action="alert.opened", object_type="notes.alert", client=clinic.bob
    )

    with time_machine.travel(SIGNED_AT + dt.timedelta(hours=2), tick=False):
        page = as_owner.get(reverse("audit:log"))

    assert set(sentences(page)) == {
        "Tess Therapist moved the appointment of Alice Anders, 3 Dec 10:41 AM",
        "The response monitor opened an alert about Bob Baker, 3 Dec 10:41 AM",
    }
    assert "time from Monday, December 7 at 10:00 AM to Tuesday, December 8 at 2:00 PM" in text(
        page
    )
    assert "therapist from Tess Therapist to Theo Colleague" in text(page)


def test_a_row_of_an_action_no_longer_registered_still_reads(clinic: Clinic, as_owner):
    _row(clinic, "note.countersigned", {}, object_repr="Note of Alice Anders")

    with time_machine.travel(SIGNED_AT, tick=False):
        page = as_owner.get(reverse("audit:log"))

    assert sentences(page) == [
        "Tess Therapist: note.countersigned (Note of Alice Anders), 3 Dec 10:41 AM"
    ]


def test_the_audit_page_reads_its_rows_in_a_fixed_number_of_queries(
    clinic: Clinic, as_owner, django_assert_max_num_queries
):
    for _ in range(20):
        _row(
            clinic,
            "care_team.added",
            {"therapist": {"before": None, "after": clinic.theo.pk}},
        )
    as_owner.get(reverse("audit:log"))  # the session and the user, once

    # The session and its user (and the idle stamp: three), then the page: the count, the rows
    # with their actors and clients, and the names of the therapists the rows name.
    with django_assert_max_num_queries(8 + CLOCK_QUERY):
        response = as_owner.get(reverse("audit:log"))

    assert response.status_code == 200
    assert text(response).count("<li>therapist: Theo Colleague</li>") == 20


# --- Views record the reads they show -------------------------------------------------------


def test_opening_a_client_record_records_one_read_of_it(clinic: Clinic, as_tess, as_theo):
    # Tess treats Alice; Theo does not.
    assert as_theo.get(clinic.alice.get_absolute_url()).status_code == 403
    assert not AuditEvent.objects.filter(action="client.viewed").exists()
    assert as_tess.get(clinic.alice.get_absolute_url()).status_code == 200

    read = AuditEvent.objects.get(action="client.viewed")
    assert (read.action, read.actor, read.client) == (
        "client.viewed",
        clinic.tess.user,
        clinic.alice,
    )
    assert (read.object_type, read.object_id) == ("clinic.client", str(clinic.alice.pk))
