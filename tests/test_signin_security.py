"""Sign-in protection (SPEC §7, issue 13): lockout after repeated failures, audit rows for
signing in and out and for passwords, password resets that tell nobody who has an account, and
names that cannot break an email header."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from backcare.audit.models import AuditEvent
from backcare.clinic.models import Client, Therapist
from backcare.notices.models import Notice
from tests import factories
from tests.conftest import Clinic
from tests.factories import PASSWORD
from tests.pages import field_error, text

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

LOGIN = reverse("login")
LOGOUT = reverse("logout")
ADMIN_LOGIN = reverse("admin:login")
RESET = reverse("password_reset")
RESET_SENT = reverse("password_reset_done")
HOME = reverse("home")
STAFF_HOME = reverse("staff:home")
OWNER = "owner@example.com"
WRONG = "not-the-password-9"
HOME_IP = "198.51.100.7"
CAFE_IP = "203.0.113.40"
NEW_PASSWORD = "plum-orchard-47-lantern"


def sign_in(
    email: str, password: str, *, ip: str = HOME_IP, browser: HttpClient | None = None
) -> Response:
    browser = browser or HttpClient()
    return browser.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(times: int, email: str = OWNER, *, ip: str = HOME_IP) -> list[int]:
    return [sign_in(email, WRONG, ip=ip).status_code for _ in range(times)]


def signed_in(response: Response) -> bool:
    return response.status_code == 302 and response["Location"] == HOME


def actions(prefix: str = "") -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- Lockout --------------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_out_from_that_address_for_15_minutes(
    clinic: Clinic, clock: Any
):
    assert fail(9) == [200] * 9  # the form again, with its error
    assert fail(1) == [429]

    browser = HttpClient()
    refused = sign_in(OWNER, PASSWORD, browser=browser)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    page = text(refused)
    assert "Please wait 15 minutes and try again, or call the clinic" in page
    assert browser.get(STAFF_HOME).status_code == 302  # not signed in

    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert sign_in(OWNER, PASSWORD).status_code == 429
    clock.shift(dt.timedelta(seconds=2))
    assert signed_in(sign_in(OWNER, PASSWORD))


def test_the_lockout_page_does_not_tell_whether_the_account_exists(clinic: Clinic, clock: Any):
    fail(10, OWNER)
    fail(10, "nobody@example.com")

    known = sign_in(OWNER, PASSWORD)
    unknown = sign_in("nobody@example.com", PASSWORD)

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert known.content == unknown.content
    assert OWNER not in text(known)


def test_a_lockout_holds_the_account_everywhere_and_the_address_for_everyone(
    clinic: Clinic, clock: Any
):
    fail(10, OWNER, ip=HOME_IP)

    # The account itself waits, from any address: the owner at the cafe too.
    assert sign_in(OWNER, PASSWORD, ip=CAFE_IP).status_code == 429
    assert signed_in(sign_in("fran@example.com", PASSWORD, ip=CAFE_IP))  # others, elsewhere
    # Ten failures from one address lock that address out too, for every account.
    assert sign_in("fran@example.com", PASSWORD, ip=HOME_IP).status_code == 429


def many_addresses(count: int) -> list[str]:
    return [f"192.0.2.{number}" for number in range(1, count + 1)]


def fail_from(addresses: list[str], email: str = OWNER, *, via_proxy: bool = False) -> list[int]:
    """One wrong password from each address: straight from it, or through the clinic's proxy,
    which names it in X-Forwarded-For."""
    statuses = []
    for address in addresses:
        if via_proxy:
            response = HttpClient().post(
                LOGIN,
                {"username": email, "password": WRONG},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=address,
            )
        else:
            response = sign_in(email, WRONG, ip=address)
        statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize("via_proxy", [False, True], ids=["direct", "behind a proxy"])
def test_wrong_passwords_for_one_account_from_many_addresses_lock_that_account(
    clinic: Clinic, clock: Any, via_proxy: bool
):
    with override_settings(TRUSTED_PROXY_COUNT=1 if via_proxy else 0):
        statuses = fail_from(many_addresses(11), via_proxy=via_proxy)

    assert statuses == [200] * 9 + [429, 429]
    # The right password, from an address that never failed, waits too.
    refused = sign_in(OWNER, PASSWORD, ip=CAFE_IP)
    assert refused.status_code == 429
    assert "Please wait 15 minutes and try again, or call the clinic" in text(refused)
    # Nobody else is held up: another account, from one of those addresses and from elsewhere.
    assert signed_in(sign_in("fran@example.com", PASSWORD, ip="192.0.2.1"))
    assert signed_in(sign_in("tess@example.com", PASSWORD, ip=CAFE_IP))

    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert sign_in(OWNER, PASSWORD, ip=CAFE_IP).status_code == 429
    clock.shift(dt.timedelta(seconds=2))
    assert signed_in(sign_in(OWNER, PASSWORD, ip=CAFE_IP))


def test_an_account_locked_from_many_addresses_is_audited(clinic: Clinic, clock: Any):
    addresses = many_addresses(11)
    fail_from(addresses)

    failed = list(AuditEvent.objects.filter(action="signin.failed").order_by("id"))
    assert [row.ip for row in failed] == addresses
    assert {row.actor_email for row in failed} == {OWNER}
    assert failed[-1].changes["refused"] == {"before": None, "after": "locked out"}
    locked = AuditEvent.objects.get(action="signin.locked_out")
    assert locked.changes == {
        "email": {"before": None, "after": OWNER},
        "failures": {"before": None, "after": 10},
    }
    assert locked.ip == addresses[9]


def test_an_unknown_account_locked_from_many_addresses_looks_the_same(clinic: Clinic, clock: Any):
    assert fail_from(many_addresses(10), OWNER) == [200] * 9 + [429]
    assert fail_from(many_addresses(10), "nobody@example.com") == [200] * 9 + [429]

    known = sign_in(OWNER, PASSWORD, ip=CAFE_IP)
    unknown = sign_in("nobody@example.com", PASSWORD, ip=CAFE_IP)

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert known.content == unknown.content


def test_the_owner_unlocks_an_account_locked_from_many_addresses(clinic: Clinic, clock: Any):
    fail_from(many_addresses(10))
    assert sign_in(OWNER, PASSWORD, ip=CAFE_IP).status_code == 429

    out = io.StringIO()
    call_command("axes_reset_username", OWNER, stdout=out)

    assert out.getvalue() == "10 attempts removed.\n"
    assert signed_in(sign_in(OWNER, PASSWORD, ip=CAFE_IP))


def test_a_successful_sign_in_starts_the_count_again(clinic: Clinic, clock: Any):
    assert fail(9) == [200] * 9
    assert signed_in(sign_in(OWNER, PASSWORD))

    assert fail(9) == [200] * 9
    assert signed_in(sign_in(OWNER, PASSWORD))


def test_failures_count_for_the_account_whatever_the_letter_case(clinic: Clinic, clock: Any):
    fail(5, "Owner@Example.com")
    fail(5, "  owner@example.com ")

    assert sign_in(OWNER, PASSWORD).status_code == 429


def test_waiting_between_failures_does_not_hide_them(clinic: Clinic, clock: Any):
    # Failures 14 minutes apart still add up: the count clears 15 minutes after the last one.
    for _ in range(10):
        fail(1)
        clock.shift(dt.timedelta(minutes=14))

    assert sign_in(OWNER, PASSWORD).status_code == 429


def test_the_django_admin_sign_in_is_locked_out_too(clinic: Clinic, clock: Any):
    admin = HttpClient()
    statuses = [
        admin.post(
            ADMIN_LOGIN, {"username": OWNER, "password": WRONG}, REMOTE_ADDR=HOME_IP
        ).status_code
        for _ in range(10)
    ]

    assert statuses == [200] * 9 + [429]
    refused = admin.post(
        ADMIN_LOGIN, {"username": OWNER, "password": PASSWORD}, REMOTE_ADDR=HOME_IP
    )
    assert refused.status_code == 429
    assert sign_in(OWNER, PASSWORD).status_code == 429  # the same count as Backcare's page


def test_the_owner_unlocks_someone_from_the_command_line(clinic: Clinic, clock: Any):
    fail(10)

    out = io.StringIO()
    call_command("axes_reset_username", OWNER, stdout=out)

    assert out.getvalue() == "1 attempts removed.\n"

    assert signed_in(sign_in(OWNER, PASSWORD))


def test_choosing_a_new_password_by_email_lifts_the_lockout(
    clinic: Clinic, clock: Any, django_capture_on_commit_callbacks: Any
):
    fail(10)
    browser = HttpClient()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(RESET, {"email": OWNER}, REMOTE_ADDR=HOME_IP)
    choose_password(browser, reset_link())

    assert signed_in(sign_in(OWNER, NEW_PASSWORD))


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(clinic: Clinic, clock: Any):
    proxy = "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for spoofed in range(10):  # what the client itself puts in the header is ignored
            HttpClient().post(
                LOGIN,
                {"username": OWNER, "password": WRONG},
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{spoofed}, {HOME_IP}",
            )
        # The address the proxy saw is locked out for everyone; the proxy's own is not.
        from_home = HttpClient().post(
            LOGIN,
            {"username": "fran@example.com", "password": PASSWORD},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=HOME_IP,
        )
        from_cafe = HttpClient().post(
            LOGIN,
            {"username": "fran@example.com", "password": PASSWORD},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=CAFE_IP,
        )

    assert from_home.status_code == 429
    assert signed_in(from_cafe)
    assert set(AuditEvent.objects.filter(action="signin.failed").values_list("ip", flat=True)) == {
        HOME_IP
    }


def test_people_signed_in_by_the_test_client_are_unaffected(clinic: Clinic, as_owner):
    # force_login (every persona fixture) needs no request for the lockout backend.
    assert as_owner.get(STAFF_HOME).status_code == 200


# --- Audit rows -----------------------------------------------------------------------------


def test_signing_in_and_out_are_audited_with_the_address(clinic: Clinic):
    browser = HttpClient()
    sign_in(OWNER, PASSWORD, browser=browser)
    browser.post(LOGOUT, REMOTE_ADDR=HOME_IP)

    rows = list(AuditEvent.objects.filter(action__startswith="signin.").order_by("id"))
    assert [row.action for row in rows] == ["signin.succeeded", "signin.signed_out"]
    for row in rows:
        assert row.actor == clinic.owner
        assert row.actor_email == OWNER
        assert row.ip == HOME_IP
        assert row.object_id == str(clinic.owner.pk)


def test_a_failed_sign_in_is_audited_with_the_email_tried_and_never_the_password(
    clinic: Clinic,
):
    sign_in("Alice@Example.com", WRONG)
    sign_in("stranger@example.com", WRONG)

    rows = list(AuditEvent.objects.filter(action="signin.failed").order_by("id"))
    assert [row.changes["email"]["after"] for row in rows] == [
        "alice@example.com",
        "stranger@example.com",
    ]
    for row in rows:
        assert row.actor is None
        assert row.actor_email == row.changes["email"]["after"]
        assert row.ip == HOME_IP
        assert WRONG not in json.dumps(row.changes)
        assert WRONG not in row.object_repr


def test_a_lockout_is_audited_once_and_each_refusal_after_it(clinic: Clinic, clock: Any):
    fail(10)
    sign_in(OWNER, PASSWORD)

    rows = actions("signin.")
    # The tenth failure and the lockout it starts (in either order), then the refusal.
    assert rows[:9] == ["signin.failed"] * 9
    assert sorted(rows[9:11]) == ["signin.failed", "signin.locked_out"]
    assert rows[11:] == ["signin.failed"]
    locked = AuditEvent.objects.get(action="signin.locked_out")
    assert locked.changes == {
        "email": {"before": None, "after": OWNER},
        "failures": {"before": None, "after": 10},
    }
    assert locked.ip == HOME_IP
    refused = AuditEvent.objects.filter(action="signin.failed").latest("id")
    assert refused.changes["refused"] == {"before": None, "after": "locked out"}
    assert PASSWORD not in json.dumps(refused.changes)


def test_an_idle_sign_out_is_audited_as_idle(clinic: Clinic, clock: Any):
    browser = HttpClient()
    sign_in("fran@example.com", PASSWORD, browser=browser)
    browser.get(STAFF_HOME, REMOTE_ADDR=HOME_IP)
    clock.shift(dt.timedelta(hours=2))

    browser.get(STAFF_HOME, REMOTE_ADDR=HOME_IP)

    signed_out = AuditEvent.objects.get(action="signin.signed_out")
    assert signed_out.actor == clinic.front_desk
    assert signed_out.changes == {"because": {"before": None, "after": "idle"}}
    assert signed_out.ip == HOME_IP


def test_changing_ones_password_is_audited(clinic: Clinic, as_front_desk):
    response = as_front_desk.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    changed = AuditEvent.objects.get(action="password.changed")
    assert changed.actor == clinic.front_desk
    assert NEW_PASSWORD not in json.dumps(changed.changes)


def test_the_owner_setting_a_password_in_the_admin_is_audited(clinic: Clinic, as_owner):
    url = reverse("admin:auth_user_password_change", args=[clinic.front_desk.pk])

    response = as_owner.post(
        url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="password.set_by_admin")
    assert event.actor == clinic.owner
    assert event.object_id == str(clinic.front_desk.pk)


# --- Password reset -------------------------------------------------------------------------


def reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", str(mail.outbox[0].body))
    assert match is not None, "the email has no reset link"
    return match.group(1)


def choose_password(browser: HttpClient, link: str) -> None:
    form = browser.get(link, follow=True)
    saved = browser.post(
        form.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is saved" in text(saved)


def ask(email: str, *, ip: str = HOME_IP) -> Response:
    return HttpClient().post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_address_and_sends_later(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks() as known_callbacks:
        known = ask("alice@example.com")
    with django_capture_on_commit_callbacks() as unknown_callbacks:
        unknown = ask("nobody@example.com")

    # The same answer, and the same work queued: nothing was looked up or sent in the request.
    assert (known.status_code, known["Location"]) == (302, RESET_SENT)
    assert (unknown.status_code, unknown["Location"]) == (302, RESET_SENT)
    assert known.content == unknown.content
    assert len(known_callbacks) == len(unknown_callbacks) == 1
    assert mail.outbox == []

    for callback in [*known_callbacks, *unknown_callbacks]:
        with django_capture_on_commit_callbacks(execute=True):
            callback()

    # The worker emailed Alice through the email queue, and nobody else.
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "Choose a new Backcare password"
    assert "Hello Alice Anders" in str(mail.outbox[0].body)
    assert Notice.objects.get().kind == "password_reset"
    assert actions("password.") == ["password.reset_requested"] * 2


def test_a_completed_reset_is_audited(clinic: Clinic, django_capture_on_commit_callbacks: Any):
    browser = HttpClient()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(RESET, {"email": "alice@example.com"})
    choose_password(browser, reset_link())

    event = AuditEvent.objects.get(action="password.reset")
    assert event.actor == clinic.alice.user
    assert event.client == clinic.alice


def test_resets_for_one_address_are_limited_to_five_an_hour(
    clinic: Clinic, clock: Any, django_capture_on_commit_callbacks: Any
):
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            answers.append(ask("alice@example.com", ip=f"192.0.2.{number + 1}"))

    assert len(mail.outbox) == 5
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {(302, RESET_SENT)}
    assert answers[5].content == answers[0].content
    refused = AuditEvent.objects.filter(action="password.reset_requested").latest("id")
    assert refused.changes["refused"] == {"before": None, "after": "too many requests"}

    clock.shift(dt.timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        ask("alice@example.com")
    assert len(mail.outbox) == 6


def test_resets_from_one_ip_address_are_limited_to_twenty_an_hour(
    clinic: Clinic, clock: Any, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks() as callbacks:
        for number in range(20):
            ask(f"someone{number}@example.com", ip=CAFE_IP)
            if number == 9:  # past the limit of ten in any 15 minutes
                clock.shift(dt.timedelta(minutes=16))
    assert len(callbacks) == 20

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        limited = ask("alice@example.com", ip=CAFE_IP)
    assert (limited.status_code, limited["Location"]) == (302, RESET_SENT)
    assert callbacks == []
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        ask("alice@example.com", ip=HOME_IP)
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


# --- Names on one line ----------------------------------------------------------------------


NEW_CLIENT = {
    "first_name": "Carla",
    "last_name": "Cruz",
    "date_of_birth": "1981-07-04",
    "email": "carla@example.com",
    "contact_by_email": "on",
}


@pytest.mark.parametrize(
    ("field", "typed", "label", "named"),
    [
        ("first_name", "Carla\r\nBcc: everyone@example.com", "First name", "first name"),
        ("last_name", "Cr\nuz", "Last name", "last name"),
        ("last_name", "Cr\tuz", "Last name", "last name"),
    ],
)
def test_a_client_name_with_a_line_break_is_refused_naming_the_field(
    clinic: Clinic, as_front_desk, field: str, typed: str, label: str, named: str
):
    response = as_front_desk.post(reverse("clinic:client_create"), {**NEW_CLIENT, field: typed})

    assert response.status_code == 400
    assert field_error(response, field) == (
        f"{label}:",
        f"The {named} cannot contain line breaks, tabs or other control characters.",
    )
    assert not Client.objects.filter(email="carla@example.com").exists()


def test_the_model_refuses_a_line_break_in_a_name_whatever_the_form(clinic: Clinic):
    alice = clinic.alice
    alice.last_name = "Anders\u2028Bcc"

    with pytest.raises(ValidationError) as refused:
        alice.full_clean()

    assert list(refused.value.message_dict) == ["last_name"]
    assert "The last name cannot contain line breaks" in refused.value.message_dict["last_name"][0]


def test_a_therapist_name_with_a_line_break_is_refused(clinic: Clinic, as_owner):
    response = as_owner.post(
        reverse("clinic:therapist_create"),
        {
            "full_name": "Rosa\nReyes",
            "email": "rosa@example.com",
            "licence_number": "MT123456",
            "licence_state": "GA",
            "active": "on",
        },
    )

    assert response.status_code == 400
    assert field_error(response, "full_name")[1].startswith("The full name cannot contain")
    assert not Therapist.objects.filter(licence_number="MT123456").exists()


def test_names_with_accents_and_apostrophes_are_welcome(clinic: Clinic, as_front_desk):
    response = as_front_desk.post(
        reverse("clinic:client_create"),
        {**NEW_CLIENT, "first_name": "Zoë-Ann", "last_name": "O’Connor de la Peña"},
    )

    assert response.status_code == 302
    assert Client.objects.get(email="carla@example.com").full_name == "Zoë-Ann O’Connor de la Peña"


def test_staff_alert_emails_never_carry_the_clients_name_in_the_subject(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.screened(clinic.alice, ["saddle_numbness"], actor=clinic.alice.user)

    assert mail.outbox
    for message in mail.outbox:
        assert "Alice" not in message.subject
        assert "Anders" not in message.subject
