"""What the audit log also keeps: every save and delete through the admin with the values before
and after, each refusal by the access policy to reach a record, and each read of a calendar
feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from backcare.accounts.models import User
from backcare.audit.admin_log import HIDDEN, AuditedAdmin
from backcare.audit.models import AuditEvent
from backcare.clinic.models import CareTeamMembership, Location, Service
from backcare.feeds.actions import create_feed, feed_url
from tests.conftest import Clinic, login_as

UTC = dt.UTC


def test_every_model_in_the_admin_is_audited():
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]
    assert unaudited == []


def test_reopening_an_ended_care_team_membership_in_the_admin_leaves_a_row(
    clinic: Clinic, as_owner: HttpClient
):
    ended = timezone.now() - dt.timedelta(days=3)
    membership = CareTeamMembership.objects.create(
        client=clinic.bob,
        therapist=clinic.theo,
        reason=CareTeamMembership.Reason.ASSIGNED,
        added_at=dt.datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        ended_at=ended,
    )
    added = timezone.localtime(membership.added_at)

    response = as_owner.post(
        reverse("admin:clinic_careteammembership_change", args=[membership.pk]),
        {
            "client": clinic.bob.pk,
            "therapist": clinic.theo.pk,
            "reason": "assigned",
            "added_at_0": f"{added:%Y-%m-%d}",
            "added_at_1": f"{added:%H:%M:%S}",
            "ended_at_0": "",
            "ended_at_1": "",
        },
    )

    assert response.status_code == 302
    row = AuditEvent.objects.get(action="admin.changed")
    assert (row.actor, row.client, row.object_id) == (clinic.owner, clinic.bob, str(membership.pk))
    assert row.changes == {"ended_at": {"before": ended.astimezone(UTC).isoformat(), "after": None}}
    page = as_owner.get(reverse("audit:log")).content.decode()
    assert "Olivia Owner changed a record in the admin: Theo Colleague treats Bob Baker" in page


def test_a_change_in_the_admin_records_the_values_before_and_after(
    clinic: Clinic, as_owner: HttpClient, recorded_pages: None
):
    location = clinic.location
    url = reverse("admin:clinic_location_change", args=[location.pk])
    form = as_owner.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["name"] = "Midtown East"
    data["active"] = "on" if location.active else ""

    assert as_owner.post(url, data).status_code == 302

    row = AuditEvent.objects.get(action="admin.changed")
    assert row.changes == {"name": {"before": "Midtown", "after": "Midtown East"}}
    assert Location.objects.get(pk=location.pk).name == "Midtown East"


def test_a_delete_in_the_admin_keeps_what_was_deleted(clinic: Clinic, as_owner: HttpClient):
    service = Service.objects.create(name="Chair massage", duration_minutes=20, price=30)

    response = as_owner.post(
        reverse("admin:clinic_service_delete", args=[service.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    row = AuditEvent.objects.get(action="admin.deleted")
    assert row.object_repr == str(service)
    assert row.changes["name"] == {"before": "Chair massage", "after": None}
    assert row.changes["duration_minutes"] == {"before": 20, "after": None}


def test_a_login_added_in_the_admin_never_copies_the_password_into_the_log(
    clinic: Clinic, as_owner: HttpClient
):
    response = as_owner.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.desk@example.com",
            "full_name": "Nina Newdesk",
            "role": "front_desk",
            "password1": "a-long-and-new-password-42",
            "password2": "a-long-and-new-password-42",
        },
    )

    assert response.status_code == 302
    row = AuditEvent.objects.get(action="admin.added")
    assert row.changes["email"] == {"before": None, "after": "new.desk@example.com"}
    assert row.changes["password"] == {"before": HIDDEN, "after": HIDDEN}
    assert User.objects.get(email="new.desk@example.com").password not in str(row.changes)


def test_a_record_the_policy_refuses_is_written_to_the_log(clinic: Clinic, as_theo: HttpClient):
    assert as_theo.get(clinic.alice.get_absolute_url()).status_code == 403

    row = AuditEvent.objects.get(action="access.refused")
    assert (row.actor, row.client) == (clinic.theo.user, clinic.alice)
    assert row.changes == {"permission": "client.view"}


def test_a_client_probing_another_clients_record_is_written_to_the_log(clinic: Clinic):
    bob = login_as(clinic.bob.user)
    assert bob.get(clinic.alice.get_absolute_url()).status_code == 404

    row = AuditEvent.objects.get(action="access.refused")
    assert (row.actor, row.client) == (clinic.bob.user, clinic.alice)


def test_each_read_of_a_calendar_feed_is_audited(clinic: Clinic, client: HttpClient):
    _feed, token = create_feed(clinic.tess.user, clinic.tess)
    path = feed_url(token).split("://", 1)[-1].split("/", 1)[1]

    assert client.get("/" + path).status_code == 200

    row = AuditEvent.objects.get(action="calendar_feed.read")
    assert row.actor == clinic.tess.user
    assert row.changes == {"appointments": 0}
