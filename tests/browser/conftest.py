"""A real headless Chromium (Debian's), driven by Playwright, for the main journeys."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.two_factor import app_device, code_for

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
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing; CI must run the browser tests.")
        pytest.skip("Debian's chromium is not installed (make test installs it as root).")
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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in as a person would: the password, then, for staff, the code their authenticator
    app shows (a confirmed app is set up for them first, as after their first sign-in)."""
    from backcare.accounts.models import User

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
