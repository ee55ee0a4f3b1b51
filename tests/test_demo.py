"""The demo clinic: an Atlanta practice that shows every feature, loadable again and again."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from backcare import demo
from backcare.accounts.models import Role, User
from backcare.audit.models import AuditEvent
from backcare.clinic.models import CareTeamMembership, Client, Location, Room, Service, Therapist
from backcare.scheduling.models import WorkingHours

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Location,
            Room,
            Therapist,
            Client,
            Service,
            WorkingHours,
            CareTeamMembership,
        )
    }


def test_the_demo_is_an_atlanta_practice_of_the_promised_size() -> None:
    demo.load(TODAY)
    assert set(Location.objects.values_list("city", flat=True)) == {"Atlanta", "Decatur"}
    assert Location.objects.filter(time_zone="America/New_York").count() == 2
    assert Room.objects.count() == 5
    assert Therapist.objects.count() == 6
    assert Client.objects.count() == 40
    minutes = sorted(Service.objects.values_list("duration_minutes", flat=True))
    assert minutes == [30, 60, 90]


def test_demo_therapists_differ_in_techniques_and_weekly_hours() -> None:
    demo.load(TODAY)
    therapists = Therapist.objects.prefetch_related("hours")
    technique_sets = {tuple(sorted(t.techniques)) for t in therapists}
    hours = {
        tuple(sorted((h.weekday, h.starts, h.ends) for h in t.hours.all())) for t in therapists
    }
    assert len(technique_sets) == 6
    assert len(hours) == 6
    assert all(t.hours.exists() for t in therapists)


def test_demo_clients_have_varied_ages_and_each_has_a_therapist() -> None:
    demo.load(TODAY)
    ages = [client.age_on(TODAY) for client in Client.objects.all()]
    assert min(ages) < 25
    assert max(ages) > 70
    assert not Client.objects.filter(care_team__isnull=True).exists()
    assert Client.objects.filter(physician_name="").exists()  # some have no physician yet


def test_loading_the_demo_twice_changes_nothing() -> None:
    demo.load(TODAY)
    first, audit_rows = counts(), AuditEvent.objects.count()
    demo.load(TODAY)
    assert counts() == first
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("login", demo.LOGINS, ids=lambda login: login.role)
def test_every_printed_demo_login_signs_in(login: demo.DemoLogin) -> None:
    demo.load(TODAY)
    user = authenticate(username=login.email, password=login.password)
    assert user is not None
    expected = {
        "owner": Role.OWNER,
        "front desk": Role.FRONT_DESK,
        "therapist": Role.THERAPIST,
        "client": Role.CLIENT,
    }[login.role]
    assert user.role == expected


def test_the_demo_client_login_opens_their_own_record() -> None:
    demo.load(TODAY)
    client_login = next(login for login in demo.LOGINS if login.role == "client")
    assert Client.objects.get(user__email=client_login.email).email == client_login.email


def test_the_demo_command_prints_one_login_per_role_and_respects_if_empty() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "The demo clinic is ready." in printed
    for login in demo.LOGINS:
        assert login.email in printed
    again = StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert "was not loaded" in again.getvalue()
    assert "owner@backcare.demo" in again.getvalue()


def test_the_demo_is_written_through_audited_actions() -> None:
    demo.load(TODAY)
    assert AuditEvent.objects.filter(action="client.registered").count() == 40
    assert AuditEvent.objects.filter(action="care_team.added").count() >= 40
