"""Take the README's screenshots from a running Backcare (make run), with Debian's chromium.

.venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
os.environ.setdefault("DEBUG", "true")
django.setup()

from backcare.demo import DEMO_PASSWORD, LOGINS  # noqa: E402

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
SHOTS = {
    "owner": [
        ("staff-home.png", "/staff/"),
        ("clients.png", "/staff/clients/"),
        ("audit-log.png", "/staff/audit/"),
        ("analytics.png", "/staff/analytics/"),
    ],
    "client": [("portal-home.png", "/portal/")],
}


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for login in LOGINS:
            if login.role not in SHOTS:
                continue
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(f"{BASE}/login/")
            page.get_by_label("Email").fill(login.email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            for filename, path in SHOTS[login.role]:
                page.goto(f"{BASE}{path}")
                page.screenshot(path=DOCS / filename)
                print(f"docs/{filename}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
