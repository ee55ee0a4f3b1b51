"""New clients from the clinic's website: the public page, the 15-minute held time, sign-up
with an emailed link, the questionnaire, and the booking or the screening's message."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from backcare.accounts.models import Role, User
from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.signup.models import HeldTime
from tests import factories
from tests.conftest import Clinic, login_as
from tests.holds.conftest import NOW, local
from tests.signup.conftest import PERSON, WEDNESDAY_10, hold, hold_data, page_url


def shows_wednesday_10(http: HttpClient, clinic: Clinic) -> bool:
    page = http.get(page_url(clinic)).content.decode()
    return "Wednesday, June 3, </span>10:00 AM" in page


def sign_up(clinic: Clinic, django_capture_on_commit_callbacks, **person: str) -> HttpClient:
    """A visitor holds Wednesday 10:00 and signs up; their browser."""
    browser = HttpClient()
    held = browser.post(reverse("public:hold", args=[clinic.location.pk]), hold_data(clinic))
    assert held.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(held["Location"], {**PERSON, **person}, follow=True)
    assert "Check your email" in sent.content.decode()
    return browser


def emailed_link() -> str:
    (email,) = mail.outbox
    match = re.search(r"https?://[^/\s]+(/\S+)", str(email.body))
    assert match is not None, "the email has no link"
    return match.group(1)


def choose_password(browser: HttpClient, link: str):
    form = browser.get(link, follow=True)
    assert "Choose your password" in form.content.decode()
    return browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"},
        follow=True,
    )


def screened_visitor(clinic: Clinic, capture, codes: list[str]) -> tuple[HttpClient, str, Client]:
    """A visitor who held Wednesday 10:00, signed up, chose a password and was screened with
    `codes`: their browser, their finish page and their client record."""
    browser = sign_up(clinic, capture)
    finish = choose_password(browser, emailed_link()).redirect_chain[-1][0]
    carmen = Client.objects.get(email="carmen@example.com")
    factories.screened(carmen, codes)
    return browser, finish, carmen


# --- The page ---------------------------------------------------------------------------------


def test_anyone_sees_a_locations_services_and_free_times(website: Clinic) -> None:
    page = HttpClient().get(page_url(website))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Book a massage session at Midtown" in text
    assert website.service.name in text
    assert "Wednesday, June 3, </span>10:00 AM" in text
    assert "Times are in Eastern Time" in text


def test_a_held_time_is_gone_from_the_page_for_everyone_else(website: Clinic) -> None:
    assert shows_wednesday_10(HttpClient(), website)
    assert hold(website).status_code == 302
    assert not shows_wednesday_10(HttpClient(), website)


def test_a_second_visitor_cannot_hold_the_same_time(website: Clinic) -> None:
    assert hold(website, ip="203.0.113.1").status_code == 302
    second = hold(website, ip="203.0.113.2")
    assert second.status_code == 409
    assert "Someone else has just chosen that time" in second.content.decode()
    assert HeldTime.objects.count() == 1


def test_a_held_time_cannot_be_booked_by_a_client_in_the_portal(website: Clinic) -> None:
    hold(website)
    alice = login_as(website.alice.user)
    refused = alice.post(
        reverse("booking:confirm"),
        {
            "service": website.service.pk,
            "location": website.location.pk,
            "therapist": website.tess.pk,
            "starts": "2026-06-03T14:00Z",
        },
    )
    assert refused.status_code == 409
    assert not Appointment.objects.exists()


def test_a_held_time_lapses_by_itself_after_15_minutes(website: Clinic) -> None:
    hold(website, ip="203.0.113.1")
    with time_machine.travel(NOW + dt.timedelta(minutes=14, seconds=59), tick=False):
        assert not shows_wednesday_10(HttpClient(), website)
    with time_machine.travel(NOW + dt.timedelta(minutes=15), tick=False):
        assert shows_wednesday_10(HttpClient(), website)
        assert hold(website, ip="203.0.113.2").status_code == 302


def test_the_embedded_page_opens_the_booking_page_in_a_new_tab(website: Clinic) -> None:
    page = HttpClient().get(reverse("public:embed", args=[website.location.pk]))
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    # No site is allowed to frame it until BOOKING_EMBED_ORIGINS names the clinic's own.
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert 'target="_blank"' in page.content.decode()


@override_settings(BOOKING_EMBED_ORIGINS=["https://clinic.example"])
def test_the_clinics_own_site_may_frame_the_embedded_page(website: Clinic) -> None:
    page = HttpClient().get(reverse("public:embed", args=[website.location.pk]))
    assert "frame-ancestors https://clinic.example" in page.headers["Content-Security-Policy"]
    # The public page itself is never framed.
    public = HttpClient().get(page_url(website))
    assert public.headers["X-Frame-Options"] == "DENY"


# --- Bots -------------------------------------------------------------------------------------


def test_a_filled_honeypot_holds_nothing(website: Clinic) -> None:
    caught = hold(website, website="http://spam.example")
    assert caught.status_code == 400
    assert "looked automated" in caught.content.decode()
    assert not HeldTime.objects.exists()


def test_a_filled_honeypot_on_sign_up_registers_nobody(website: Clinic) -> None:
    browser = HttpClient()
    held = browser.post(reverse("public:hold", args=[website.location.pk]), hold_data(website))
    caught = browser.post(held["Location"], {**PERSON, "website": "spam"})
    assert caught.status_code == 400
    assert not Client.objects.filter(email="carmen@example.com").exists()
    assert mail.outbox == []


@override_settings(WEBSITE_HOLDS_PER_IP_HOUR=2)
def test_one_address_may_hold_only_so_many_times_an_hour(website: Clinic) -> None:
    times = [local(3, 10), local(3, 12), local(4, 10), local(4, 12)]
    assert hold(website, times[0]).status_code == 302
    assert hold(website, times[1]).status_code == 302
    refused = hold(website, times[2])
    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
    assert HeldTime.objects.count() == 2
    # Another address is not affected, and the first may hold again an hour later.
    assert hold(website, times[2], ip="198.51.100.9").status_code == 302
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=1), tick=False):
        assert hold(website, times[3]).status_code == 302


# --- Signing up -------------------------------------------------------------------------------


def test_signing_up_emails_a_link_that_confirms_the_address_and_signs_the_person_in(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    browser = sign_up(website, django_capture_on_commit_callbacks)
    carmen = Client.objects.get(email="carmen@example.com")
    assert carmen.user is not None and not carmen.user.has_usable_password()
    assert carmen.user.role == Role.CLIENT
    assert carmen.home_location == website.location
    assert HeldTime.objects.get().client == carmen
    assert mail.outbox[0].subject == "Confirm your email to finish your booking"

    landed = choose_password(browser, emailed_link())
    text = landed.content.decode()
    assert "Your password is saved, and you are signed in." in text
    assert "Finish your booking" in text
    assert "Answer the health questions" in text
    assert AuditEvent.objects.filter(action="password.chosen", actor=carmen.user).exists()


def test_an_address_with_an_account_is_asked_to_sign_in_and_nobody_learns_it(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    sign_up(website, django_capture_on_commit_callbacks, email="alice@example.com")
    assert Client.objects.filter(email="alice@example.com").count() == 1
    assert User.objects.filter(email="alice@example.com").count() == 1
    (email,) = mail.outbox
    assert email.subject == "You already have an account with us"
    assert "/login/?next=" in str(email.body)


def test_sign_up_names_the_field_to_fix_and_registers_nobody(website: Clinic) -> None:
    browser = HttpClient()
    held = browser.post(reverse("public:hold", args=[website.location.pk]), hold_data(website))
    refused = browser.post(held["Location"], {**PERSON, "first_name": "Car\r\nBcc: x@y.z"})
    assert refused.status_code == 400
    assert "The first name cannot contain line breaks" in refused.content.decode()
    assert not Client.objects.filter(email="carmen@example.com").exists()


# --- Finishing --------------------------------------------------------------------------------


def test_after_the_questionnaire_the_held_time_is_booked_through_the_booking_action(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    browser, finish, carmen = screened_visitor(website, django_capture_on_commit_callbacks, [])
    confirm = browser.get(finish)
    assert "Confirm the booking" in confirm.content.decode()

    booked = browser.post(finish, follow=True)
    assert "done=booked" in booked.redirect_chain[-1][0]
    appointment = Appointment.objects.get()
    assert appointment.client == carmen
    assert appointment.starts == WEDNESDAY_10
    assert appointment.therapist == website.tess
    assert not HeldTime.objects.exists()
    assert AuditEvent.objects.filter(action="appointment.booked", client=carmen).exists()


def test_a_lapsed_time_taken_by_someone_else_is_not_booked_and_the_person_is_told(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    browser, finish, _ = screened_visitor(website, django_capture_on_commit_callbacks, [])
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        assert hold(website, ip="198.51.100.3").status_code == 302  # another visitor
        refused = browser.post(finish)
    assert refused.status_code == 409
    assert "Nothing has been booked" in refused.content.decode()
    assert "Choose another time" in refused.content.decode()
    assert not Appointment.objects.exists()


def test_a_red_flag_ends_in_its_message_no_booking_and_frees_the_time(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    browser, finish, _ = screened_visitor(
        website, django_capture_on_commit_callbacks, ["saddle_numbness"]
    )
    assert not HeldTime.objects.exists()  # let go by the screening at once
    assert shows_wednesday_10(HttpClient(), website)

    page = browser.get(finish)
    text = page.content.decode()
    assert "Please get medical care today" in text
    assert "911" in text
    assert "Nothing has been booked" in text
    refused = browser.post(finish)
    assert refused.status_code == 403
    assert not Appointment.objects.exists()


def test_a_screening_that_needs_clearance_says_what_to_do_and_books_nothing(
    website: Clinic, django_capture_on_commit_callbacks
) -> None:
    browser, finish, _ = screened_visitor(
        website, django_capture_on_commit_callbacks, ["history_of_cancer"]
    )
    text = browser.get(finish).content.decode()
    assert "Please check with your doctor first" in text
    assert "send us the note" in text
    assert not Appointment.objects.exists()
    assert not HeldTime.objects.exists()


def test_a_client_who_signs_in_instead_takes_over_the_held_time(website: Clinic) -> None:
    factories.screened(website.alice, [])
    browser = login_as(website.alice.user)
    held = browser.post(reverse("public:hold", args=[website.location.pk]), hold_data(website))
    assert "/finish/" in held["Location"]
    browser.post(held["Location"])
    assert Appointment.objects.get().client == website.alice


def test_another_client_cannot_finish_someone_elses_held_time(website: Clinic) -> None:
    factories.screened(website.bob, [])
    browser = login_as(website.alice.user)
    held = browser.post(reverse("public:hold", args=[website.location.pk]), hold_data(website))
    bob = login_as(website.bob.user)
    assert bob.post(held["Location"]).status_code == 404
    assert not Appointment.objects.exists()
