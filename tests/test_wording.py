"""Words that confused people, each fixed: what the page says now, as a person reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from backcare.accounts.models import User
from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.lib.when import clock
from backcare.notes.models import Alert
from backcare.scheduling.models import BookingPolicy, WorkingHours
from tests import factories
from tests.conftest import Clinic, login_as
from tests.html_forms import page_forms
from tests.pages import text

NOW = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)  # Monday, 10:00 in the clinic


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("wall", "said"),
    [
        (dt.time(0, 5), "12:05 AM"),
        (dt.time(5, 41), "5:41 AM"),
        (dt.time(12, 0), "12:00 PM"),
        (dt.time(17, 41), "5:41 PM"),
    ],
)
def test_times_read_on_the_12_hour_clock(wall: dt.time, said: str) -> None:
    assert clock(wall) == said


def test_a_phone_number_is_offered_as_a_sentence_not_in_double_brackets(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    clinic.location.phone = "(404) 555-0142"
    clinic.location.save(update_fields=["phone"])
    BookingPolicy.current()
    factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=NOW + dt.timedelta(hours=3),
    )

    page = text(as_alice.get(reverse("booking:appointments")))

    assert "((404)" not in page
    assert (
        'Please call the clinic to cancel. Call Midtown on <a href="tel:(404) 555-0142">'
        "(404) 555-0142</a>." in page
    )


def test_an_alert_that_names_itself_is_not_introduced_twice() -> None:
    alert = Alert(
        kind="possible_injury", message="Possible injury: the client should see a doctor."
    )
    other = Alert(kind="not_responding", message="No change at the session 4 reassessment.")

    assert alert.message_names_kind
    assert not other.message_names_kind


def test_portal_login_says_invited_until_the_client_chooses_a_password(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    invited = factories.ClientFactory.create(first_name="Ivy", email="ivy@example.com")
    invited.user = User.objects.create_user(
        "ivy@example.com", None, full_name="Ivy Client", role="client"
    )
    invited.save(update_fields=["user"])
    chart = reverse("staff:client_detail", args=[invited.pk])

    assert "Invited, no password chosen yet" in text(as_front_desk.get(chart))
    assert invited.user is not None
    invited.user.set_password("a long enough password 42")
    invited.user.save()
    page = text(as_front_desk.get(chart))
    assert "Invited, no password chosen yet" not in page
    assert "<dt>Portal login</dt><dd>Yes</dd>" in page


def test_a_held_client_is_told_why_once_and_shown_no_waitlist_form(
    clinic: Clinic, as_alice: HttpClient
) -> None:
    factories.screened(clinic.alice, [])
    factories.possible_injury(clinic.alice, NOW)

    page = text(as_alice.get(reverse("waitlist:portal_join")))

    assert "Join the waitlist" not in page
    assert page.count('class="banner hold"') == 1


def test_finding_a_client_keeps_the_form_out_of_the_address_bar(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    create = reverse("scheduling:appointment_create")
    form = text(as_front_desk.get(create))
    assert 'formmethod="get"' not in form
    assert 'hx-include="closest form"' not in form

    found = as_front_desk.post(create, {"q": "bak", "find": "1", "service": clinic.service.pk})

    assert found.status_code == 200
    page = text(found)
    assert "Baker, Bob" in page and "Anders, Alice" not in page
    assert not Appointment.objects.exists()


def test_a_therapist_sees_colleagues_on_the_location_calendar_without_links(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.weekly_hours(clinic.tess, clinic.location)
    factories.weekly_hours(clinic.theo, clinic.location)
    calendar = reverse("scheduling:location_calendar", args=[clinic.location.pk])

    page = text(as_tess.get(f"{calendar}?date=2026-06-01"))

    theo = reverse("scheduling:therapist_calendar", args=[clinic.theo.pk])
    tess = reverse("scheduling:therapist_calendar", args=[clinic.tess.pk])
    assert "Theo Colleague" in page and theo not in page
    assert tess in page


def test_the_owner_finds_settings_in_the_navigation(clinic: Clinic) -> None:
    hours = reverse("scheduling:hours")
    owner_page = text(login_as(clinic.owner).get(reverse("staff:home")))
    assert f'<a href="{hours}" >Settings</a>' in owner_page
    for user in (clinic.front_desk, clinic.tess.user):
        assert ">Settings</a>" not in text(login_as(user).get(reverse("staff:home")))


def test_a_colleague_on_the_care_team_meets_no_link_to_another_therapists_session(
    clinic: Clinic,
) -> None:
    program = factories.running_program(clinic.alice, clinic.tess, clinic.service)
    session = factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=NOW + dt.timedelta(days=1),
        program=program,
    )
    factories.treat(clinic.theo, clinic.alice)
    theo, tess = login_as(clinic.theo.user), login_as(clinic.tess.user)
    link = f'href="{session.get_absolute_url()}"'

    note = text(theo.get(reverse("notes:note", args=[session.pk])))
    assert "The appointment" not in note and link not in note
    assert "The appointment" in text(tess.get(reverse("notes:note", args=[session.pk])))
    shared = text(theo.get(reverse("care:program", args=[program.pk])))
    assert link not in shared and "with Tess Therapist" in shared
    assert link in text(tess.get(reverse("care:program", args=[program.pk])))


def test_the_owner_removes_working_hours_on_the_page(
    clinic: Clinic, as_owner: HttpClient, as_front_desk: HttpClient
) -> None:
    monday = factories.weekly_hours(clinic.tess, clinic.location, weekdays=[0])[0]
    page = text(as_owner.get(reverse("scheduling:therapist_hours", args=[clinic.tess.pk])))
    assert "done in the admin" not in page
    remove = reverse("scheduling:working_hours_remove", args=[monday.pk])
    assert f'action="{remove}"' in page

    assert as_front_desk.post(remove).status_code == 403
    done = as_owner.post(remove, follow=True)

    assert "Removed Tess Therapist's hours on Monday, 9:00 AM–5:00 PM." in text(done)
    assert not WorkingHours.objects.filter(pk=monday.pk).exists()
    assert AuditEvent.objects.filter(action="working_hours.removed").count() == 1


def test_the_client_form_speaks_as_the_staff_and_offers_texts_only_when_they_can_be_sent(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    register = reverse("clinic:client_create")

    page = text(as_front_desk.get(register))

    assert "Email me" not in page and "Text me" not in page
    assert "Email them about their appointments" in page
    assert "Send a reminder before each appointment" in page
    assert "text message" not in page and 'name="contact_by_sms"' not in page
    with override_settings(SMS_PROVIDER="twilio"):
        page = text(as_front_desk.get(register))
    assert "Also send reminders by text message" in page and 'name="contact_by_sms"' in page


def test_the_chart_mentions_texts_only_when_they_can_be_sent_and_an_edit_keeps_the_choice(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    alice = clinic.alice
    Client.objects.filter(pk=alice.pk).update(
        contact_by_email=True, appointment_reminders=True, contact_by_sms=True
    )
    chart = reverse("staff:client_detail", args=[alice.pk])

    page = text(as_front_desk.get(chart))
    assert "<dt>Messages</dt><dd>Appointment emails, with reminders</dd>" in page
    with override_settings(SMS_PROVIDER="twilio"):
        page = text(as_front_desk.get(chart))
    assert "Appointment emails, with reminders; reminders by text too" in page

    edit = reverse("clinic:client_edit", args=[alice.pk])
    data = {**form_values(as_front_desk, edit), "phone": "(404) 555-0199"}
    assert as_front_desk.post(edit, data).status_code == 302
    alice.refresh_from_db()
    assert alice.phone == "(404) 555-0199"
    assert alice.contact_by_sms, "a box the desk was not shown is left as the client chose"


def form_values(http: HttpClient, url: str) -> dict[str, str | list[str]]:
    """What the form at ``url`` submits as opened."""
    page = http.get(url).content.decode()
    (form,) = [f for f in page_forms(page, url) if f.method == "post" and f.action == url]
    return form.data()
