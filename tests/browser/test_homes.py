"""Each role signs in through the real login page and lands on its own home."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import Clinic
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "heading", "nav_link"),
    [
        ("owner", "Good to see you, Olivia", "Audit log"),
        ("front_desk", "Good to see you, Fran", "Clients"),
        ("therapist_a", "Good to see you, Tess", "Clients"),
        ("client_a", "Hello, Alice", "My care"),
    ],
)
def test_each_role_signs_in_and_sees_their_home(
    page: Page, live_server, clinic: Clinic, persona: str, heading: str, nav_link: str
) -> None:
    user = clinic.user(persona)
    assert user is not None
    sign_in(page, live_server.url, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name=nav_link)
    ).to_be_visible()


def test_the_owner_sees_the_audit_link_and_the_front_desk_does_not(
    page: Page, live_server, clinic: Clinic
) -> None:
    sign_in(page, live_server.url, clinic.front_desk.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Fran")
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)


def test_a_wrong_password_is_explained_and_the_email_is_kept(
    page: Page, live_server, clinic: Clinic
) -> None:
    sign_in(page, live_server.url, clinic.owner.email, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("Email")).to_have_value(clinic.owner.email)


def test_the_login_form_works_from_the_keyboard_alone(
    page: Page, live_server, clinic: Clinic
) -> None:
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Email")).to_be_focused()  # focus starts in the email field
    page.keyboard.type(clinic.alice.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
