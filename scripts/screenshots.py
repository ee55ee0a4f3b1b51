"""Take the README's and docs' screenshots from a running Backcare (make run), with Debian's
chromium: the main pages at 1280 px, and the day's pages (docs/screens/) at 1280 and 390 px.
Run it against a freshly loaded demo: the staff set up their authenticator app as they sign in
(their first sign-in), from the key the page shows.

.venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
os.environ.setdefault("DEBUG", "true")
django.setup()

from django_otp.oath import TOTP  # noqa: E402

from backcare.demo.clinic import DEMO_PASSWORD, LOGINS  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
DOCS = Path(__file__).resolve().parent.parent / "docs"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDE, PHONE = 1280, 390
SHOTS: dict[str, list[tuple[str, str, int]]] = {
    "owner": [
        ("staff-home.png", "/staff/", WIDE),
        ("clients.png", "/staff/clients/", WIDE),
        ("audit-log.png", "/staff/audit/", WIDE),
        ("analytics.png", "/staff/analytics/", WIDE),
    ],
    "front desk": [
        *[(f"screens/desk-today-{width}.png", "/staff/", width) for width in (WIDE, PHONE)],
        *[
            (f"screens/calendar-day-{width}.png", "/staff/calendar/", width)
            for width in (WIDE, PHONE)
        ],
        *[
            (f"screens/calendar-week-{width}.png", "/staff/calendar/?view=week", width)
            for width in (WIDE, PHONE)
        ],
    ],
    "therapist": [
        *[(f"screens/therapist-today-{width}.png", "/staff/", width) for width in (WIDE, PHONE)],
        *[
            (f"screens/therapist-week-{width}.png", "/staff/calendar/?view=week", width)
            for width in (WIDE, PHONE)
        ],
    ],
    "client": [
        ("portal-home.png", "/portal/", WIDE),
        *[(f"screens/client-today-{width}.png", "/portal/", width) for width in (WIDE, PHONE)],
    ],
}


def code_from_secret(secret: str) -> str:
    """The authenticator app's current code for the key shown on the set-up page."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{TOTP(base64.b32decode(padded)).token():06d}"


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for login in LOGINS:
            if login.role not in SHOTS:
                continue
            page = browser.new_page(viewport={"width": WIDE, "height": 860})
            page.goto(f"{BASE}/login/")
            page.get_by_label("Email").fill(login.email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login/" not in url)
            if page.get_by_test_id("totp-secret").count():
                # Staff's first sign-in: set up the authenticator app from the key on the page.
                secret = page.get_by_test_id("totp-secret").inner_text()
                page.get_by_label("Code").fill(code_from_secret(secret))
                page.get_by_role("button", name="Confirm the app").click()
                page.get_by_role("link", name="I have kept them: continue").click()
            for filename, path, width in SHOTS[login.role]:
                page.set_viewport_size({"width": width, "height": 860 if width == WIDE else 844})
                page.goto(f"{BASE}{path}")
                (DOCS / filename).parent.mkdir(exist_ok=True)
                page.screenshot(path=DOCS / filename, full_page=width == PHONE)
                print(f"docs/{filename}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
