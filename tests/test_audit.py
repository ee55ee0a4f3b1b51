"""The append-only audit log (SPEC §7): every named action writes its row, nothing changes or
removes a row, and the owner can filter and export it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.http import HttpResponseBase, StreamingHttpResponse
from django.urls import reverse

from backcare.accounts.models import User
from backcare.audit.log import record
from backcare.audit.models import AuditEvent, AuditLogIsAppendOnly
from backcare.clinic import actions
from backcare.clinic.models import CareTeamMembership, Client, ConsentKind
from tests.conftest import Clinic
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
    "record_consent": Case(
        "consent.given",
        "front_desk",
        lambda c, u: actions.record_consent(u, c.alice, ConsentKind.TREATMENT, "2025-1", NOW),
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
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite relies on the application guards for DELETE: Django's test flush empties "
            "tables with DELETE there (see audit migration 0002)"
        )

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
    return re.findall(
        r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td><code>([^<]*)</code></td>",
        text(response),
    )


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
