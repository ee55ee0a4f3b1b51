"""Signing in and out, password resets, idle logout for staff and password hashing (SPEC §7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import backcare.settings as production_settings
from backcare.accounts.models import Role, User
from tests.conftest import Clinic
from tests.factories import PASSWORD
from tests.pages import text
from tests.two_factor import app_device, code_for

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

LOGIN = reverse("login")
LOGOUT = reverse("logout")
RESET = reverse("password_reset")
STAFF_HOME = reverse("staff:home")
SECOND_STEP = reverse("two_factor:verify")
PORTAL_HOME = reverse("portal:home")
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
NEW_PASSWORD = "plum-orchard-47-lantern"
IDLE_MESSAGE = "You were signed out after a while without activity."


def sign_in(email: str, password: str) -> tuple[HttpClient, Response]:
    """Sign in with the password and, for staff, the code of their authenticator app."""
    browser = HttpClient()
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is not None and user.is_clinic_staff:
        app_device(user)
    response = browser.post(LOGIN, {"username": email, "password": password}, follow=True)
    return browser, answer_second_step(browser, response)


def answer_second_step(browser: HttpClient, response: Response) -> Response:
    """When the sign-in stopped at the second step, type the code the person's app shows."""
    if landed_on(response) != SECOND_STEP:
        return response
    user = response.wsgi_request.user
    step = response.redirect_chain[-1][0]
    return browser.post(step, {"code": code_for(app_device(user))}, follow=True)  # type: ignore[arg-type]


def landed_on(response: Response) -> str:
    chain = response.redirect_chain
    return urlsplit(chain[-1][0]).path if chain else ""


# --- Signing in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "home"),
    [("owner@example.com", STAFF_HOME), ("alice@example.com", PORTAL_HOME)],
    ids=["owner", "alice"],
)
def test_people_sign_in_by_email_and_land_on_their_own_home(clinic: Clinic, email: str, home: str):
    browser, response = sign_in(email, PASSWORD)

    assert response.status_code == 200
    assert landed_on(response) == home
    assert browser.get(home).status_code == 200


@pytest.mark.parametrize(
    ("email", "home"),
    [("Owner@Example.com", STAFF_HOME), ("ALICE@example.com", PORTAL_HOME)],
    ids=["owner", "alice"],
)
def test_the_email_to_sign_in_is_case_insensitive(clinic: Clinic, email: str, home: str):
    _, response = sign_in(email, PASSWORD)

    assert landed_on(response) == home


def test_a_wrong_password_is_refused_and_keeps_the_email_typed(clinic: Clinic):
    browser, response = sign_in("owner@example.com", "not-the-password")

    assert landed_on(response) == ""
    page = text(response)
    assert "That email and password do not match an account." in page
    assert re.search(r'<input type="email" name="username" value="owner@example.com"', page)
    assert "not-the-password" not in page
    assert browser.get(STAFF_HOME).status_code == 302


def test_a_switched_off_account_cannot_sign_in(clinic: Clinic):
    User.objects.filter(pk=clinic.front_desk.pk).update(is_active=False)

    browser, response = sign_in("fran@example.com", PASSWORD)

    assert landed_on(response) == ""
    assert browser.get(STAFF_HOME).status_code == 302


# --- Password reset -------------------------------------------------------------------------


def reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", str(mail.outbox[0].body))
    assert match is not None, "the email has no reset link"
    return match.group(1)


def test_a_reset_email_lets_a_client_choose_a_new_password(
    clinic: Clinic, django_capture_on_commit_callbacks
):
    browser = HttpClient()

    # The link leaves through the email queue once the request has committed.
    with django_capture_on_commit_callbacks(execute=True):
        asked = browser.post(RESET, {"email": "alice@example.com"}, follow=True)

    assert "Check your email" in text(asked)
    assert mail.outbox[0].to == ["alice@example.com"]
    assert mail.outbox[0].subject == "Choose a new Backcare password"
    assert "Hello Alice Anders" in str(mail.outbox[0].body)

    form = browser.get(reset_link(), follow=True)
    assert "Choose a new password" in text(form)
    saved = browser.post(
        form.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is saved" in text(saved)

    _, with_new = sign_in("alice@example.com", NEW_PASSWORD)
    assert landed_on(with_new) == PORTAL_HOME
    _, with_old = sign_in("alice@example.com", PASSWORD)
    assert landed_on(with_old) == ""


def test_a_reset_link_works_only_once(clinic: Clinic, django_capture_on_commit_callbacks):
    browser = HttpClient()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(RESET, {"email": "owner@example.com"})
    link = reset_link()
    form = browser.get(link, follow=True)
    browser.post(
        form.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    again = HttpClient().get(link, follow=True)

    assert "This link no longer works" in text(again)


def test_a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(
    clinic: Clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient().post(RESET, {"email": "stranger@example.com"}, follow=True)

    assert landed_on(response) == reverse("password_reset_done")
    assert "Check your email" in text(response)
    assert mail.outbox == []


def test_a_therapist_added_by_the_owner_can_choose_a_password_by_email(
    clinic: Clinic, as_owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        added = as_owner.post(
            reverse("clinic:therapist_create"),
            {
                "full_name": "Rosa Reyes",
                "email": "rosa@example.com",
                "licence_number": "MT123456",
                "licence_state": "GA",
                "active": "on",
            },
            follow=True,
        )
    assert "We emailed them a link to choose a password." in text(added)
    assert [message.to for message in mail.outbox] == [["rosa@example.com"]]
    assert "choose a password" in str(mail.outbox[0].subject)

    # Lost the invitation? "Forgot your password?" sends a fresh link.
    with django_capture_on_commit_callbacks(execute=True):
        HttpClient().post(RESET, {"email": "rosa@example.com"})

    assert [message.to for message in mail.outbox] == [["rosa@example.com"]] * 2


# --- Signing out ----------------------------------------------------------------------------


def test_signing_out_is_a_post_that_ends_the_session(clinic: Clinic, as_owner):
    response = as_owner.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert as_owner.get(STAFF_HOME).status_code == 302


def test_a_link_to_sign_out_does_not_sign_anyone_out(clinic: Clinic, as_owner):
    assert as_owner.get(LOGOUT).status_code == 405
    assert as_owner.get(STAFF_HOME).status_code == 200


# --- Idle logout for staff ------------------------------------------------------------------


def test_staff_idle_too_long_are_signed_out_and_told_why(clinic: Clinic, as_front_desk):
    clients = reverse("staff:client_list")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert as_front_desk.get(STAFF_HOME).status_code == 200
        traveller.shift(dt.timedelta(minutes=settings.STAFF_IDLE_MINUTES, seconds=1))

        response = as_front_desk.get(clients, follow=True)

        assert landed_on(response) == LOGIN
        assert response.redirect_chain[0][0] == f"{LOGIN}?next={clients}"
        assert IDLE_MESSAGE in text(response)
        assert as_front_desk.get(STAFF_HOME).status_code == 302

        back = as_front_desk.post(
            f"{LOGIN}?next={clients}",
            {"username": "fran@example.com", "password": PASSWORD, "next": clients},
            follow=True,
        )
        # The second step again (a new session), then on to the page asked for.
        assert landed_on(back) == SECOND_STEP
        traveller.shift(dt.timedelta(seconds=30))  # the app's next code
        back = answer_second_step(as_front_desk, back)
        assert landed_on(back) == clients


def test_staff_who_keep_working_stay_signed_in(clinic: Clinic, as_tess):
    almost = dt.timedelta(minutes=settings.STAFF_IDLE_MINUTES - 1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            assert as_tess.get(STAFF_HOME).status_code == 200
            traveller.shift(almost)

        response = as_tess.get(STAFF_HOME)

    assert response.status_code == 200
    assert IDLE_MESSAGE not in text(response)


def test_clients_idle_too_long_are_signed_out_too(clinic: Clinic, as_alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert as_alice.get(PORTAL_HOME).status_code == 200
        traveller.shift(dt.timedelta(minutes=settings.CLIENT_IDLE_MINUTES, seconds=1))

        response = as_alice.get(PORTAL_HOME, follow=True)

    assert landed_on(response) == LOGIN
    assert IDLE_MESSAGE in text(response)
    assert "Alice Anders" not in text(response)


def test_a_client_who_keeps_reading_stays_signed_in(clinic: Clinic, as_alice):
    almost = dt.timedelta(minutes=settings.CLIENT_IDLE_MINUTES - 1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            assert as_alice.get(PORTAL_HOME).status_code == 200
            traveller.shift(almost)

        response = as_alice.get(PORTAL_HOME)

    assert response.status_code == 200
    assert "Alice Anders" in text(response)


@override_settings(CLIENT_IDLE_MINUTES=240)
def test_the_clients_idle_time_is_a_setting_of_its_own(clinic: Clinic, as_alice, as_tess):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        as_alice.get(PORTAL_HOME)
        as_tess.get(STAFF_HOME)
        traveller.shift(dt.timedelta(minutes=settings.STAFF_IDLE_MINUTES + 1))

        assert as_alice.get(PORTAL_HOME).status_code == 200
        assert as_tess.get(STAFF_HOME).status_code == 302


# --- Password hashing -----------------------------------------------------------------------


def test_the_real_settings_hash_passwords_with_argon2_first():
    # tests/settings.py swaps in a fast hasher; the module it imports is the real one.
    assert production_settings.PASSWORD_HASHERS[0] == ARGON2


@pytest.mark.django_db
def test_a_user_created_with_argon2_stores_an_argon2_hash_and_signs_in():
    with override_settings(PASSWORD_HASHERS=[ARGON2]):
        ada = User.objects.create_user(
            "Ada@Example.com", NEW_PASSWORD, full_name="Ada Lovelace", role=Role.FRONT_DESK
        )

        assert ada.email == "ada@example.com"
        assert ada.password.startswith("argon2$")
        assert NEW_PASSWORD not in ada.password
        _, response = sign_in("ada@example.com", NEW_PASSWORD)

    assert landed_on(response) == STAFF_HOME


def test_the_database_refuses_a_second_login_with_the_same_email_in_other_letters(clinic: Clinic):
    from django.db import IntegrityError, transaction

    from backcare.accounts.models import Role, User

    with pytest.raises(IntegrityError), transaction.atomic():
        # Straight to the table, past the manager's lower-casing.
        User(email="Owner@Example.com", full_name="Impostor", role=Role.OWNER).save()
