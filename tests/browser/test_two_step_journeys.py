"""A therapist's first sign-in in a real Chromium: the password, then setting up the second
step (an authenticator app whose key is read from the page, or a passkey on a virtual
authenticator), the recovery codes shown once, and the staff home."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from backcare.audit.models import AuditEvent
from tests.conftest import Clinic
from tests.factories import PASSWORD
from tests.two_factor import code_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_therapists_first_sign_in_sets_up_an_app_and_shows_ten_recovery_codes(
    page: Page, live_server, clinic: Clinic
) -> None:
    password(page, live_server.url, "tess@example.com")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # nowhere else to go
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm the app").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess")
    page.reload()  # the codes were shown once; the home stays
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess")
    assert AuditEvent.objects.filter(action="two_factor.enrolled", actor=clinic.tess.user).exists()


def test_a_therapist_sets_up_a_passkey_and_signs_in_with_it(
    page: Page, live_server, clinic: Clinic, settings
) -> None:
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    # A slow connection: the passkey words arrive after the page is shown. The button must not
    # be offered before it can work (pressing it then did nothing, "gettext is not defined").
    held: list[Route] = []
    holding = True

    def slow_words(route: Route) -> None:
        if holding:
            held.append(route)
        else:
            route.continue_()

    page.route("**/sign-in/passkeys/words.js", slow_words)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    password(page, live_server.url, "tess@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("button", name="Add a passkey")).to_have_count(0)
    holding = False
    for route in held:
        route.continue_()
    page.get_by_role("button", name="Add a passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess")
    page.get_by_role("button", name="Sign out").click()

    password(page, live_server.url, "tess@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_role("button", name="Use my passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess")
    assert errors == []
    rows = AuditEvent.objects.filter(actor=clinic.tess.user, action__startswith="two_factor.")
    assert [
        (row.action, row.changes.get("device", {}).get("after")) for row in rows.order_by("id")
    ] == [
        ("two_factor.enrolled", "passkey"),
        ("two_factor.recovery_codes_made", None),
        ("two_factor.verified", "passkey"),
    ]
