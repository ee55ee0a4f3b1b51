"""Clients: registering, editing, finding, the care team that opens a chart, and the portal home
(SPEC §1, §7)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.clinic.models import CareTeamMembership, Client
from backcare.staff.clinic.forms import ClientForm
from tests import factories
from tests.conftest import Clinic, login_as
from tests.pages import field_error, input_value, text

if TYPE_CHECKING:
    pass

REGISTER = reverse("clinic:client_create")
CLIENT_LIST = reverse("staff:client_list")
ON_TEAM = "Remove {} from the care team"


def client_form_data(client: Client, **changes: Any) -> dict[str, Any]:
    """What the edit form posts back when someone changes only ``changes``."""
    data = model_to_dict(client, fields=ClientForm.Meta.fields)
    data.update(changes)
    # Browsers leave unticked boxes and empty values out of a form post.
    return {name: value for name, value in data.items() if value not in (None, False)}


NEW_CLIENT = {
    "first_name": "Carla",
    "last_name": "Cruz",
    "date_of_birth": "1981-07-04",
    "email": "carla@example.com",
    "phone": "(678) 555-0142",
    "contact_by_email": "on",
    "appointment_reminders": "on",
}


# --- Registering ----------------------------------------------------------------------------


def test_front_desk_registers_a_client_and_lands_on_the_chart(clinic: Clinic, as_front_desk):
    response = as_front_desk.post(REGISTER, NEW_CLIENT, follow=True)

    carla = Client.objects.get(email="carla@example.com")
    assert response.redirect_chain[-1][0] == carla.get_absolute_url()
    assert response.status_code == 200
    assert "Client registered." in text(response)
    assert "Carla Cruz" in text(response)
    assert carla.phone == "(678) 555-0142"
    assert str(carla.date_of_birth) == "1981-07-04"


@pytest.mark.parametrize(
    ("field", "typed", "label", "message"),
    [
        ("last_name", "", "Last name", "This field is required."),
        ("date_of_birth", "2026-02-30", "Date of birth", "Enter a valid date."),
        ("email", "carla@", "Email", "Enter a valid email address."),
    ],
)
def test_bad_client_input_is_refused_next_to_its_field_and_keeps_the_rest(
    clinic: Clinic, as_front_desk, field: str, typed: str, label: str, message: str
):
    clients_before = Client.objects.count()

    response = as_front_desk.post(REGISTER, {**NEW_CLIENT, field: typed})

    assert response.status_code == 400
    assert field_error(response, field) == (f"{label}:", message)
    for other in ("first_name", "last_name", "date_of_birth", "email", "phone"):
        if other != field:
            assert input_value(response, other) == NEW_CLIENT[other]
    assert "Nothing has been saved yet." in text(response)
    assert Client.objects.count() == clients_before
    assert not AuditEvent.objects.filter(action="client.registered").exists()


def test_a_date_of_birth_in_the_future_is_refused(clinic: Clinic, as_front_desk):
    response = as_front_desk.post(REGISTER, {**NEW_CLIENT, "date_of_birth": "2090-01-01"})

    assert response.status_code == 400
    assert field_error(response, "date_of_birth")[0] == "Date of birth:"
    assert not Client.objects.filter(email="carla@example.com").exists()


# --- Editing --------------------------------------------------------------------------------


def test_editing_a_client_saves_and_audits_only_the_changed_fields(clinic: Clinic, as_front_desk):
    alice = clinic.alice
    old_phone, old_address = alice.phone, alice.address
    data = client_form_data(alice, phone="(470) 555-0177", address="12 Elm St, Decatur, GA")

    with CaptureQueriesContext(connection) as queries:
        response = as_front_desk.post(reverse("clinic:client_edit", args=[alice.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == alice.get_absolute_url()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "clinic_client"')]
    assert len(updates) == 1
    set_clause = updates[0].split(" WHERE ")[0]
    assert '"phone"' in set_clause
    assert '"address"' in set_clause
    assert '"first_name"' not in set_clause
    assert '"email"' not in set_clause

    alice.refresh_from_db()
    assert alice.phone == "(470) 555-0177"
    assert alice.first_name == "Alice"
    event = AuditEvent.objects.get(action="client.updated")
    assert event.actor == clinic.front_desk
    assert event.client == alice
    assert event.changes == {
        "phone": {"before": old_phone, "after": "(470) 555-0177"},
        "address": {"before": old_address, "after": "12 Elm St, Decatur, GA"},
    }

    chart = as_front_desk.get(alice.get_absolute_url())
    assert "Client details saved." in text(chart)
    assert "(470) 555-0177" in text(chart)


def test_saving_a_client_unchanged_writes_no_audit_row(clinic: Clinic, as_front_desk):
    url = reverse("clinic:client_edit", args=[clinic.alice.pk])

    response = as_front_desk.post(url, client_form_data(clinic.alice))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="client.updated").exists()


# --- Finding clients ------------------------------------------------------------------------


@pytest.fixture
def carla(clinic: Clinic) -> Client:
    return factories.ClientFactory.create(
        first_name="Carla", last_name="Cruz", email="carla@mail.test", phone="(770) 555-0199"
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("alice", {"Anders, Alice"}),
        ("ALICE anders", {"Anders, Alice"}),
        ("anders bob", set()),
        ("bob@example", {"Baker, Bob"}),
        ("mail.test", {"Cruz, Carla"}),
        ("770", {"Cruz, Carla"}),
        ("555-01", {"Anders, Alice", "Baker, Bob", "Cruz, Carla"}),
    ],
)
def test_client_search_matches_every_word_against_name_email_and_phone(
    clinic: Clinic, carla: Client, as_front_desk, query: str, found: set[str]
):
    response = as_front_desk.get(CLIENT_LIST, {"q": query})

    assert response.status_code == 200
    shown = set(re.findall(r'<a href="/staff/clients/\d+/">([^<]+)</a>', text(response)))
    assert shown == found
    if not found:
        assert "No client matches that search." in text(response)


def test_a_therapist_lists_only_the_clients_they_treat(clinic: Clinic, as_tess, as_theo):
    tess_list = text(as_tess.get(CLIENT_LIST))
    assert "Anders, Alice" in tess_list
    assert "Baker" not in tess_list

    theo_list = text(as_theo.get(CLIENT_LIST))
    assert "Anders" not in theo_list
    assert "Baker" not in theo_list
    assert "No clients to show." in theo_list


def test_a_therapist_cannot_find_other_clients_by_searching(clinic: Clinic, as_tess):
    response = as_tess.get(CLIENT_LIST, {"q": "bob"})

    assert "Baker" not in text(response)
    assert "No client matches that search." in text(response)


@pytest.mark.parametrize("extra", [0, 37])
def test_the_client_list_runs_the_same_queries_for_3_or_40_clients(
    clinic: Clinic, as_owner, django_assert_num_queries, extra: int
):
    # Alice, Bob and one more, or forty: session, user, count, page, and the session's
    # last-seen stamp (savepoint, update, release).
    factories.ClientFactory.create_batch(1 + extra, home_location=clinic.location)
    assert Client.objects.count() == 3 + extra

    with django_assert_num_queries(7):
        response = as_owner.get(CLIENT_LIST)

    assert response.status_code == 200
    rows = re.findall(r'<td><a href="/staff/clients/\d+/">', text(response))
    assert len(rows) == min(3 + extra, 25)


# --- The chart and its care team ------------------------------------------------------------


def test_viewing_a_chart_is_audited_with_the_viewer_and_their_ip(clinic: Clinic, as_tess):
    response = as_tess.get(clinic.alice.get_absolute_url(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert "Alice Anders" in text(response)
    event = AuditEvent.objects.get(action="client.viewed")
    assert event.actor == clinic.tess.user
    assert event.actor_email == "tess@example.com"
    assert event.client == clinic.alice
    assert event.ip == "203.0.113.7"


def test_a_refused_chart_view_is_not_logged_as_a_view(clinic: Clinic, as_theo):
    assert as_theo.get(clinic.alice.get_absolute_url()).status_code == 403
    assert not AuditEvent.objects.filter(action="client.viewed").exists()


def test_the_care_team_decides_who_opens_the_chart(clinic: Clinic, as_owner, as_theo):
    chart = clinic.alice.get_absolute_url()
    assert as_theo.get(chart).status_code == 403

    added = as_owner.post(
        reverse("clinic:care_team_add", args=[clinic.alice.pk]), {"therapist": clinic.theo.pk}
    )
    assert added.status_code == 302
    assert added["Location"] == chart
    assert as_theo.get(chart).status_code == 200
    assert ON_TEAM.format("Theo Colleague") in text(as_owner.get(chart))
    event = AuditEvent.objects.get(action="care_team.added")
    assert event.actor == clinic.owner
    assert event.client == clinic.alice
    assert event.changes["therapist"] == {"before": None, "after": clinic.theo.pk}

    membership = CareTeamMembership.objects.get(
        client=clinic.alice, therapist=clinic.theo, ended_at__isnull=True
    )
    removed = as_owner.post(
        reverse("clinic:care_team_remove", args=[clinic.alice.pk]), {"membership": membership.pk}
    )
    assert removed.status_code == 302
    assert as_theo.get(chart).status_code == 403
    assert ON_TEAM.format("Theo Colleague") not in text(as_owner.get(chart))
    event = AuditEvent.objects.get(action="care_team.removed")
    assert event.actor == clinic.owner
    assert event.object_id == str(membership.pk)
    assert event.changes["ended_at"]["before"] is None
    assert event.changes["ended_at"]["after"] is not None


def test_removing_a_therapist_is_in_the_clients_audit_trail(clinic: Clinic, as_owner):
    membership = CareTeamMembership.objects.get(client=clinic.alice, therapist=clinic.tess)

    as_owner.post(
        reverse("clinic:care_team_remove", args=[clinic.alice.pk]), {"membership": membership.pk}
    )

    assert AuditEvent.objects.get(action="care_team.removed").client == clinic.alice


def test_only_the_owner_changes_a_care_team(clinic: Clinic, as_front_desk, as_theo):
    """Access to clinical records follows treatment or the owner's assignment (SPEC §2a); the
    front desk, who never reads clinical records, cannot open them to a therapist."""
    membership = CareTeamMembership.objects.get(client=clinic.alice, therapist=clinic.tess)
    chart = text(as_front_desk.get(clinic.alice.get_absolute_url()))
    assert reverse("clinic:care_team_add", args=[clinic.alice.pk]) not in chart
    assert reverse("clinic:care_team_remove", args=[clinic.alice.pk]) not in chart

    added = as_front_desk.post(
        reverse("clinic:care_team_add", args=[clinic.alice.pk]), {"therapist": clinic.theo.pk}
    )
    removed = as_front_desk.post(
        reverse("clinic:care_team_remove", args=[clinic.alice.pk]), {"membership": membership.pk}
    )

    assert (added.status_code, removed.status_code) == (403, 403)
    assert as_theo.get(clinic.alice.get_absolute_url()).status_code == 403
    membership.refresh_from_db()
    assert membership.ended_at is None
    assert not AuditEvent.objects.filter(action__startswith="care_team.").exists()


def test_a_therapist_cannot_change_a_care_team(clinic: Clinic, as_tess, as_theo):
    response = as_tess.post(
        reverse("clinic:care_team_add", args=[clinic.alice.pk]), {"therapist": clinic.theo.pk}
    )

    assert response.status_code == 403
    assert as_theo.get(clinic.alice.get_absolute_url()).status_code == 403
    assert not AuditEvent.objects.filter(action="care_team.added").exists()


# --- The portal -----------------------------------------------------------------------------


def test_alices_portal_shows_her_details_and_not_bobs(clinic: Clinic, as_alice):
    response = as_alice.get(reverse("portal:home"))

    page = text(response)
    assert response.status_code == 200
    assert "Alice Anders" in page
    assert "alice@example.com" in page
    assert "May 17, 1975" in page
    assert "Bob" not in page
    assert "bob@example.com" not in page


def test_bobs_portal_shows_bob(clinic: Clinic):
    bob: HttpClient = login_as(clinic.bob.user)

    page = text(bob.get(reverse("portal:home")))

    assert "Bob Baker" in page
    assert "bob@example.com" in page
    assert "Alice" not in page


def test_a_client_cannot_open_another_clients_chart(clinic: Clinic, as_alice):
    assert as_alice.get(clinic.bob.get_absolute_url()).status_code == 404
    assert as_alice.get(clinic.alice.get_absolute_url()).status_code == 404
