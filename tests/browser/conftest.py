"""A real headless Chromium (Debian's), driven by Playwright, for the main journeys.

Debian's ``chromium-headless-shell`` when it is there: Chromium's own headless shell, the same
engine (Blink and V8, the same release as Debian's ``chromium``) without the browser's windows
and their compositing, which is what Playwright itself runs headless pages in. The browser tests
took about a third less processor time in it than in the full ``chromium`` (109 core-seconds
against 168, every test the same). Without it, the full ``chromium`` runs them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from backcare.accounts.models import User
from tests.two_factor import app_device, code_for, signed_in

# How long an expectation waits for the page to show what it should. The page is awaited, never
# the clock: a busy machine (a passkey ceremony beside a second test worker) only takes longer.
expect.set_options(timeout=15_000)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's Chromium is missing; CI must run the browser tests.")
        pytest.skip(
            "Debian's chromium-headless-shell (or chromium) is not installed"
            " (make test installs it as root)."
        )
    # Playwright's sync API keeps an event loop on this thread; the live server's ORM calls run
    # in their own thread, and fixtures here only touch the database before pages open.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
            )
            yield launched
            launched.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def new_page(browser: Browser) -> Page:
    """A page in a browser of its own (its own cookies), at a desktop size."""
    opened = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    opened.set_default_timeout(10_000)
    return opened


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = new_page(browser)
    yield opened
    opened.context.close()


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in as a person would: the password, then, for staff, the code their authenticator
    app shows (a confirmed app is set up for them first, as after their first sign-in). The
    journeys that are about signing in use this (test_homes.py, test_two_step_journeys.py has
    its own); the others start from ``at_home``."""
    user = User.objects.filter(email__iexact=email).first()
    device = app_device(user) if user is not None and user.is_clinic_staff else None
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    if device is None:
        page.get_by_role("button", name="Sign in").click()
        return
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/sign-in/second-step/" in page.url:
        page.get_by_label("Code").fill(code_for(device))
        page.get_by_role("button", name="Confirm").click()


def at_home(page: Page, base_url: str, user: User | None) -> None:
    """Open the person's home as signing in leaves them: the browser holds a session that has
    passed the password and, for staff, the second step (tests/two_factor.py). Saves a journey
    the three pages of signing in (about half a second each time), which test_homes.py walks
    for every role."""
    assert user is not None, "only someone with an account can be signed in"
    session = signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )
    page.goto(f"{base_url}{reverse(settings.LOGIN_REDIRECT_URL)}")


def new_page_at_home(browser: Browser, base_url: str, user: User | None) -> Page:
    """A new browser (its own cookies) at ``user``'s home, for a journey with several people."""
    page = new_page(browser)
    at_home(page, base_url, user)
    return page
