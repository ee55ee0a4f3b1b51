"""Two-step sign-in (SPEC §7): every member of staff confirms each sign-in with an authenticator
app, a passkey or a recovery code; clients may choose to; the owner resets a colleague who lost
theirs; lockout per address; no-store on everything a signed-in person is shown."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from backcare.accounts.models import User
from backcare.audit.models import AuditEvent
from tests.conftest import Clinic, login_as
from tests.factories import PASSWORD
from tests.pages import field_error, text
from tests.test_access_matrix import MATRIX, records, sample_kwargs, url_patterns
from tests.two_factor import app_device, code_for, code_from_secret

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

__all__ = ["records"]  # the access matrix's fixture, used below

LOGIN = reverse("login")
SECOND_STEP = reverse("two_factor:verify")
SET_UP = reverse("two_factor:setup")
CODES = reverse("two_factor:recovery_codes")
ACCOUNT = reverse("two_factor:account")
STAFF_HOME = reverse("staff:home")
PORTAL_HOME = reverse("portal:home")
HOME_IP = "198.51.100.7"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def password_only(email: str, *, ip: str = HOME_IP) -> tuple[HttpClient, Response]:
    browser = HttpClient(REMOTE_ADDR=ip)
    response = browser.post(LOGIN, {"username": email, "password": PASSWORD}, follow=True)
    return browser, response


def path_of(response: Response) -> str:
    chain = response.redirect_chain
    return urlsplit(chain[-1][0]).path if chain else ""


def actions(user: User | None = None) -> list[str]:
    rows = AuditEvent.objects.filter(action__startswith="two_factor.")
    if user is not None:
        rows = rows.filter(actor=user)
    return list(rows.order_by("id").values_list("action", flat=True))


def secret_on(response: Response) -> str:
    match = re.search(r'data-testid="totp-secret"[^>]*>([A-Z2-7]+)<', text(response))
    assert match is not None, "the set-up page shows no key"
    return match.group(1)


def enrol_app(browser: HttpClient, response: Response) -> tuple[Response, str]:
    """On the set-up page: read the key, type the app's code. Returns the page and the key."""
    secret = secret_on(response)
    then = re.search(r'name="next" value="([^"]*)"', text(response))
    assert then is not None
    done = browser.post(SET_UP, {"code": code_from_secret(secret), "next": then.group(1)})
    return done, secret


def recovery_codes_on(response: Response) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", text(response))


# --- Enrolment at the first sign-in ---------------------------------------------------------


def test_a_therapist_signing_in_for_the_first_time_sets_up_an_app_and_gets_ten_codes(
    clinic: Clinic,
):
    browser, response = password_only("tess@example.com")

    assert path_of(response) == SET_UP
    page = text(response)
    assert "Set up two-step sign-in" in page
    assert "<svg" in page  # the QR code, drawn on the server
    assert browser.get(STAFF_HOME).status_code == 302  # not in yet

    done, _ = enrol_app(browser, response)
    assert done.status_code == 302
    shown = browser.get(done["Location"])
    codes = recovery_codes_on(shown)
    assert len(set(codes)) == 10
    assert "this is the only time Backcare shows them" in text(shown)
    # Shown once: the page does not show them again.
    assert recovery_codes_on(browser.get(CODES)) == []

    assert browser.get(STAFF_HOME).status_code == 200
    tess = clinic.tess.user
    assert TOTPDevice.objects.get(user=tess).confirmed
    assert actions(tess) == ["two_factor.enrolled", "two_factor.recovery_codes_made"]
    enrolled = AuditEvent.objects.get(action="two_factor.enrolled")
    assert enrolled.changes["device"]["after"] == "authenticator app"


def test_a_wrong_code_at_set_up_is_refused_naming_the_field_and_keeps_the_same_key(
    clinic: Clinic,
):
    browser, response = password_only("tess@example.com")
    secret = secret_on(response)

    refused = browser.post(SET_UP, {"code": "000000"})

    assert refused.status_code == 400
    assert field_error(refused, "code")[1].startswith("That code did not match.")
    assert secret_on(browser.get(SET_UP, follow=True)) == secret
    assert not TOTPDevice.objects.filter(user=clinic.tess.user, confirmed=True).exists()
    assert browser.get(STAFF_HOME).status_code == 302


# --- Signing in with the second step --------------------------------------------------------


def test_staff_with_an_app_sign_in_with_the_password_then_its_code(clinic: Clinic):
    device = app_device(clinic.owner)
    browser, response = password_only("owner@example.com")
    assert path_of(response) == SECOND_STEP
    assert browser.get(reverse("staff:client_list")).status_code == 302

    wrong = browser.post(SECOND_STEP, {"code": "123456"})
    assert wrong.status_code == 400
    assert field_error(wrong, "code")[1].startswith("That code did not work.")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=False):
        right = browser.post(SECOND_STEP, {"code": code_for(device), "next": STAFF_HOME})

    assert right["Location"] == STAFF_HOME
    assert browser.get(STAFF_HOME).status_code == 200
    assert actions(clinic.owner) == ["two_factor.failed", "two_factor.verified"]


def test_a_code_works_only_once(clinic: Clinic):
    device = app_device(clinic.front_desk)
    code = code_for(device)
    first, _ = password_only("fran@example.com")
    assert first.post(SECOND_STEP, {"code": code}).status_code == 302

    second, _ = password_only("fran@example.com", ip="203.0.113.9")
    replayed = second.post(SECOND_STEP, {"code": code})

    assert replayed.status_code == 400
    assert second.get(STAFF_HOME).status_code == 302


def test_the_second_step_returns_to_the_page_asked_for(clinic: Clinic):
    device = app_device(clinic.front_desk)
    clients = reverse("staff:client_list")
    browser = HttpClient()
    response = browser.post(
        f"{LOGIN}?next={clients}",
        {"username": "fran@example.com", "password": PASSWORD, "next": clients},
        follow=True,
    )
    assert path_of(response) == SECOND_STEP

    done = browser.post(response.redirect_chain[-1][0], {"code": code_for(device)}, follow=True)

    assert path_of(done) == clients


def test_the_second_step_never_sends_anyone_to_another_site(clinic: Clinic):
    device = app_device(clinic.front_desk)
    browser, _ = password_only("fran@example.com")

    done = browser.post(SECOND_STEP, {"code": code_for(device), "next": "https://evil.example/"})

    assert done["Location"] == reverse("home")


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(clinic: Clinic):
    browser, response = password_only("tess@example.com")
    done, _ = enrol_app(browser, response)
    codes = recovery_codes_on(browser.get(done["Location"]))
    browser.post(reverse("logout"))

    again, _ = password_only("tess@example.com")
    used = again.post(SECOND_STEP, {"code": codes[0].upper()}, follow=True)  # any case, spaces

    assert path_of(used) == STAFF_HOME
    assert "You used a recovery code; 9 left." in text(used)
    again.post(reverse("logout"))

    third, _ = password_only("tess@example.com", ip="203.0.113.9")
    refused = third.post(SECOND_STEP, {"code": codes[0]})
    assert refused.status_code == 400
    assert third.get(STAFF_HOME).status_code == 302
    assert StaticDevice.objects.get(user=clinic.tess.user).token_set.count() == 9
    used_row = AuditEvent.objects.get(action="two_factor.recovery_code_used")
    assert used_row.changes["left"]["after"] == 9
    assert codes[0] not in str(used_row.changes)


def test_new_recovery_codes_replace_the_old_ones(clinic: Clinic, as_tess):
    as_tess.post(reverse("two_factor:new_recovery_codes"))
    old = recovery_codes_on(as_tess.get(CODES))
    as_tess.post(reverse("two_factor:new_recovery_codes"))
    new = recovery_codes_on(as_tess.get(CODES))

    assert len(new) == 10
    assert set(old).isdisjoint(new)
    browser, _ = password_only("tess@example.com")
    assert browser.post(SECOND_STEP, {"code": old[0]}).status_code == 400
    # After a wrong code the next try waits a moment (django-otp's throttle).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2), tick=False):
        assert browser.post(SECOND_STEP, {"code": new[0]}).status_code == 302


# --- Every staff page refuses a session that has not passed the second step -----------------

# What a session that has passed only the password may still open.
OPEN_BEFORE_THE_SECOND_STEP = {
    "login",
    "logout",
    "home",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "two_factor:verify",
    "two_factor:setup",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


def pages(clinic: Clinic, records: dict[str, str]) -> list[tuple[str, str, URLPattern]]:
    found = []
    for name, pattern in url_patterns():
        if name is None or name == "admin:<unnamed>" or name in OPEN_BEFORE_THE_SECOND_STEP:
            continue
        if getattr(pattern.callback, "access_action", None) == "public":
            continue  # anyone's, signed in or not (a waitlist offer's link, a calendar feed)
        found.append(
            (name, reverse(name, kwargs=sample_kwargs(name, pattern, clinic, records)), pattern)
        )
    return found


@pytest.mark.parametrize("persona", ["therapist_a", "front_desk", "owner"])
def test_a_session_past_the_password_only_gets_no_staff_page(
    clinic: Clinic, records: dict[str, str], persona: str
):
    user = clinic.user(persona)
    assert user is not None
    app_device(user)
    browser = HttpClient()
    browser.force_login(user)  # the password, and nothing more

    leaked = []
    for name, url, _ in pages(clinic, records):
        row = MATRIX.get(name, MATRIX["admin:*"] if name.startswith("admin:") else {})
        response = browser.post(url) if row.get("method") == "post" else browser.get(url)
        location = urlsplit(response.get("Location", "")).path
        if not (response.status_code == 302 and location == SECOND_STEP):
            leaked.append(f"{name} {url}: {response.status_code} {location}")

    assert leaked == []
    assert not AuditEvent.objects.filter(action__in=["client.viewed", "note.viewed"]).exists()


def test_a_client_without_two_step_sign_in_is_never_asked_for_it(clinic: Clinic):
    browser, response = password_only("alice@example.com")

    assert path_of(response) == PORTAL_HOME
    assert browser.get(SECOND_STEP)["Location"] == reverse("home")


def test_a_client_may_switch_two_step_sign_in_on_and_is_then_asked_for_it(clinic: Clinic):
    browser, _ = password_only("alice@example.com")
    assert "Two-step sign-in is off" in text(browser.get(ACCOUNT))
    setup = browser.get(f"{SET_UP}?next={ACCOUNT}", follow=True)

    done, secret = enrol_app(browser, setup)
    assert recovery_codes_on(browser.get(done["Location"]))
    assert "Two-step sign-in is on" in text(browser.get(ACCOUNT))
    browser.post(reverse("logout"))

    again, response = password_only("alice@example.com")
    assert path_of(response) == SECOND_STEP
    assert again.get(PORTAL_HOME).status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30), tick=False):
        answered = again.post(SECOND_STEP, {"code": code_from_secret(secret)}, follow=True)
    assert path_of(answered) == PORTAL_HOME


def test_staff_cannot_remove_their_last_way_to_sign_in(clinic: Clinic, as_tess):
    device = app_device(clinic.tess.user)

    response = as_tess.post(
        reverse("two_factor:remove"), {"device": device.persistent_id}, follow=True
    )

    assert "add another app or passkey first" in text(response)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_nobody_removes_someone_elses_device(clinic: Clinic, as_tess):
    theirs = app_device(clinic.theo.user)

    response = as_tess.post(
        reverse("two_factor:remove"), {"device": theirs.persistent_id}, follow=True
    )

    assert "That device is not one of yours." in text(response)
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


# --- The owner resets a colleague -----------------------------------------------------------


def test_the_owner_resets_a_colleague_who_must_then_set_up_again(clinic: Clinic, as_owner):
    tess = clinic.tess.user
    as_tess = login_as(tess)
    assert as_tess.get(STAFF_HOME).status_code == 200
    page = text(as_owner.get(reverse("staff:sign_in")))
    assert "Reset two-step sign-in of Tess Therapist" in page
    assert "Reset two-step sign-in of Olivia Owner" not in page  # never one's own

    reset = as_owner.post(reverse("staff:reset_two_step", args=[tess.pk]), follow=True)

    assert "Tess Therapist's two-step sign-in is reset" in text(reset)
    assert not TOTPDevice.objects.filter(user=tess).exists()
    assert as_tess.get(STAFF_HOME)["Location"].startswith(LOGIN)  # signed out everywhere
    row = AuditEvent.objects.get(action="two_factor.reset")
    assert (row.actor, row.object_id) == (clinic.owner, str(tess.pk))
    assert row.changes["devices"]["after"] == 1

    _, response = password_only("tess@example.com")
    assert path_of(response) == SET_UP


@pytest.mark.parametrize("persona", ["therapist_b", "front_desk", "client_a"])
def test_only_the_owner_resets_anyone(clinic: Clinic, persona: str):
    app_device(clinic.tess.user)
    http = login_as(clinic.user(persona))

    response = http.post(reverse("staff:reset_two_step", args=[clinic.tess.user.pk]))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=clinic.tess.user).exists()
    assert not AuditEvent.objects.filter(action="two_factor.reset").exists()


def test_the_owner_cannot_reset_a_client_or_themselves(clinic: Clinic, as_owner):
    for person in (clinic.alice.user, clinic.owner):
        assert person is not None
        response = as_owner.post(reverse("staff:reset_two_step", args=[person.pk]))
        assert response.status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=clinic.owner).exists()


# --- Passkeys -------------------------------------------------------------------------------


def test_passkey_options_are_offered_only_to_the_signed_in_person(clinic: Clinic, as_tess):
    begin = reverse("otp_webauthn:credential-registration-begin")

    assert HttpClient().post(begin)["Location"].startswith(LOGIN)
    options = as_tess.post(begin).json()

    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == "tess@example.com"


def test_a_session_past_the_password_cannot_add_a_passkey_to_an_account_that_has_an_app(
    clinic: Clinic,
):
    # Otherwise a stolen password would be enough to add one's own passkey.
    app_device(clinic.tess.user)
    browser, _ = password_only("tess@example.com")

    refused = browser.post(reverse("otp_webauthn:credential-registration-begin"))

    assert refused.status_code == 403


def test_passkey_sign_in_without_a_ceremony_is_refused_and_audited(clinic: Clinic):
    app_device(clinic.tess.user)
    browser, _ = password_only("tess@example.com")

    refused = browser.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        data="{}",
        content_type="application/json",
    )

    assert refused.status_code >= 400
    assert browser.get(STAFF_HOME).status_code == 302
    assert actions(clinic.tess.user) == ["two_factor.failed"]


# --- Lockout per address, and resets --------------------------------------------------------


def test_a_scripted_brute_force_of_50_passwords_is_locked_out_within_10(clinic: Clinic, clock: Any):
    attacker = HttpClient(REMOTE_ADDR="192.0.2.66")
    statuses = [
        attacker.post(
            LOGIN, {"username": "owner@example.com", "password": f"guess-{n}"}
        ).status_code
        for n in range(50)
    ]

    assert 429 in statuses[:10]
    assert set(statuses[statuses.index(429) :]) == {429}
    assert AuditEvent.objects.filter(action="signin.locked_out").count() == 1
    assert AuditEvent.objects.filter(action="signin.failed").count() == 50


def test_password_spraying_from_one_address_is_locked_out_after_ten(clinic: Clinic, clock: Any):
    sprayer = HttpClient(REMOTE_ADDR="192.0.2.66")
    statuses = [
        sprayer.post(
            LOGIN, {"username": f"person{n}@example.com", "password": "Spring2026!"}
        ).status_code
        for n in range(12)
    ]

    assert statuses == [200] * 9 + [429] * 3
    # Even the right password for a real account, from there, for 15 minutes.
    assert (
        sprayer.post(LOGIN, {"username": "fran@example.com", "password": PASSWORD}).status_code
        == 429
    )
    clock.shift(dt.timedelta(minutes=16))
    assert (
        sprayer.post(LOGIN, {"username": "fran@example.com", "password": PASSWORD}).status_code
        == 302
    )


def test_signing_in_to_ones_own_account_does_not_clear_an_addresss_failures_at_others(
    clinic: Clinic, clock: Any
):
    sprayer = HttpClient(REMOTE_ADDR="192.0.2.66")
    for n in range(9):
        sprayer.post(LOGIN, {"username": f"person{n}@example.com", "password": "wrong-guess"})
    assert (
        sprayer.post(LOGIN, {"username": "fran@example.com", "password": PASSWORD}).status_code
        == 302
    )

    tenth = HttpClient(REMOTE_ADDR="192.0.2.66").post(
        LOGIN, {"username": "person9@example.com", "password": "wrong-guess"}
    )

    assert tenth.status_code == 429


def test_password_resets_from_one_address_are_limited_to_ten_in_15_minutes_alike_for_all(
    clinic: Clinic, clock: Any, django_capture_on_commit_callbacks: Any
):
    reset = reverse("password_reset")
    answers = []
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(10):
            answers.append(
                HttpClient(REMOTE_ADDR="192.0.2.66").post(reset, {"email": f"p{n}@example.com"})
            )
    assert len(callbacks) == 10

    with django_capture_on_commit_callbacks() as callbacks:
        known = HttpClient(REMOTE_ADDR="192.0.2.66").post(reset, {"email": "alice@example.com"})
        unknown = HttpClient(REMOTE_ADDR="192.0.2.66").post(reset, {"email": "nobody@example.com"})
    assert callbacks == []
    assert known.status_code == unknown.status_code == answers[0].status_code == 302
    assert known["Location"] == unknown["Location"] == answers[0]["Location"]

    clock.shift(dt.timedelta(minutes=16))
    with django_capture_on_commit_callbacks() as callbacks:
        HttpClient(REMOTE_ADDR="192.0.2.66").post(reset, {"email": "alice@example.com"})
    assert len(callbacks) == 1


# --- No-store ------------------------------------------------------------------------------


def test_every_page_shown_to_a_signed_in_person_is_not_stored(clinic: Clinic, as_tess, as_alice):
    for http, url in (
        (as_tess, STAFF_HOME),
        (as_tess, clinic.alice.get_absolute_url()),
        (as_alice, PORTAL_HOME),
        (as_tess, SECOND_STEP),
    ):
        response = http.get(url)
        assert "no-store" in response["Cache-Control"], url


def test_clinical_documents_are_not_stored(clinic: Clinic, records: dict[str, str], as_owner):
    url = reverse(
        "screening:clearance_document",
        kwargs={"client_id": clinic.alice.pk, "clearance_id": records["clearance_id"]},
    )

    response = as_owner.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_owner_who_lost_everything_is_reset_from_the_command_line(clinic: Clinic):
    import io

    from django.core.management import call_command

    app_device(clinic.owner)
    out = io.StringIO()

    call_command("reset_two_step", "Owner@Example.com", stdout=out)

    assert "Two-step sign-in of Olivia Owner is reset (1 removed)" in out.getvalue()
    _, response = password_only("owner@example.com")
    assert path_of(response) == SET_UP
    row = AuditEvent.objects.get(action="two_factor.reset")
    assert row.actor is None
