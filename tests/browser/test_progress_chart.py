"""The client's progress chart renders in a real browser: the SVG, its points and the band."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from backcare.outcomes.actions import record_response
from tests.browser.conftest import at_home
from tests.conftest import Clinic
from tests.outcomes.conftest import START, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_client_sees_their_pain_chart_with_every_answer(
    page: Page, live_server, clinic: Clinic
) -> None:
    program = make_program(clinic)  # the intake recorded NRS 5 as the baseline
    for week, pain in enumerate([5, 4, 3, 3], start=1):
        record_response(
            clinic.alice.user,
            clinic.alice,
            "nrs",
            [pain],
            occasion="check_in",
            program=program,
            now=START + dt.timedelta(weeks=week),
        )
    assert clinic.alice.user is not None
    at_home(page, live_server.url, clinic.alice.user)
    page.get_by_role("link", name="See your progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    chart = page.get_by_role("img", name="Pain right now (0-10 numeric rating scale)")
    expect(chart).to_be_visible()
    points = page.locator("#chart-nrs circle.point")
    expect(points).to_have_count(5)
    for index in range(5):
        expect(points.nth(index)).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    expect(page.locator("#chart-nrs rect.band")).to_be_visible()
    expect(page.get_by_text("Your pain is 40% lower than when you started")).to_be_visible()
    expect(
        page.get_by_role("table", name="Pain right now (0-10 numeric rating scale): the numbers")
    ).to_be_visible()
