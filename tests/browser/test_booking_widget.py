"""On the clinic's own website, the booking widget shows the services and free times from
Backcare's public API, and a time leads into Backcare to book it (SPEC §10)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests import factories
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ClinicWebsite:
    """The clinic's own website: another origin than Backcare's, on this machine."""

    def __init__(self) -> None:
        self.page = ""
        website = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = website.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def with_widget(self, backcare: str, location_id: int | None = None) -> None:
        place = f" data-location='{location_id}'" if location_id else ""
        self.page = (
            "<!doctype html><html><head><title>Peach Clinic</title></head><body>"
            "<h1>Peach Clinic</h1><div id='backcare-booking'></div>"
            f"<script src='{backcare}/widget/booking.js'{place} defer></script></body></html>"
        )


@pytest.fixture
def website() -> Iterator[ClinicWebsite]:
    site = ClinicWebsite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


def test_the_widget_on_the_clinics_site_shows_free_times_that_lead_to_booking(
    page: Page, live_server: Any, clinic: Clinic, website: ClinicWebsite
) -> None:
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=range(7))
    website.with_widget(live_server.url, clinic.location.pk)
    with override_settings(CORS_ALLOWED_ORIGINS=[website.origin], SITE_URL=live_server.url):
        page.goto(f"{website.origin}/book", wait_until="commit")
        # The server's first request loads every URL of Backcare: allow it time.
        expect(page.get_by_role("heading", name="Book at Midtown")).to_be_visible(timeout=30_000)
        expect(page.get_by_label("Service")).to_contain_text(clinic.service.name)
        expect(page.locator(".backcare-times a").first).to_contain_text("with Tess Therapist")
        page.get_by_role("button", name="Later").click()
        expect(page.locator(".backcare-times a").first).to_be_visible()
        page.locator(".backcare-times a").first.click()
        # Into Backcare: sign in first, then the confirm page of that time.
        page.wait_for_url(f"{live_server.url}/login/**")
        assert "confirm" in page.url


def test_a_site_the_clinic_did_not_name_gets_no_free_times(
    page: Page, live_server: Any, clinic: Clinic, website: ClinicWebsite
) -> None:
    website.with_widget(live_server.url)
    with override_settings(CORS_ALLOWED_ORIGINS=["https://clinic.example"]):
        page.goto(f"{website.origin}/", wait_until="commit")
        expect(page.get_by_role("status")).to_have_text(
            "The free times could not be loaded. Please try again later, or call the clinic.",
            timeout=30_000,
        )
        expect(page.locator(".backcare-times")).to_have_count(0)
