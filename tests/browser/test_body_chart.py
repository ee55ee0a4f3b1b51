"""The body chart in a real headless Chromium, under the project's content security policy:
areas are toggled by keyboard and by pointer, and what is submitted is their codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.body_chart_urls"),
]


@pytest.fixture
def csp_violations(page: Page) -> Iterator[list[str]]:
    """Console reports of anything the content security policy blocked on the page."""
    violations: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", listen)
    yield violations


def area(page: Page, code: str) -> Locator:
    return page.locator(f'path[data-code="{code}"]')


def tab_to(page: Page, code: str) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.code") == code:
            return
    pytest.fail(f"the {code} area cannot be reached with Tab")


def test_areas_are_toggled_by_keyboard_and_pointer_and_submitted_as_codes(
    page: Page, live_server, csp_violations: list[str]
) -> None:
    response = page.goto(live_server.url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    lower_back_left = page.get_by_role("checkbox", name="Lower back, left side")
    expect(lower_back_left).to_have_attribute("aria-checked", "false")
    expect(page.get_by_role("group", name="Back of the body")).to_be_visible()

    page.get_by_label("Your name").focus()
    tab_to(page, "lower_back_left")
    expect(lower_back_left).to_be_focused()
    page.keyboard.press("Space")
    expect(lower_back_left).to_have_attribute("aria-checked", "true")
    expect(area(page, "lower_back_left")).to_have_class("body-chart-area is-selected")

    page.keyboard.press("Tab")  # on to the right side, toggled with Enter, which must not submit
    page.keyboard.press("Enter")
    lower_back_right = page.get_by_role("checkbox", name="Lower back, right side")
    expect(lower_back_right).to_have_attribute("aria-checked", "true")

    page.get_by_role("checkbox", name="Buttock, right side").click()
    page.get_by_role("checkbox", name="Front of the thigh, left side").click()
    lower_back_right.click()  # a marked area clicked again is unmarked
    expect(lower_back_right).to_have_attribute("aria-checked", "false")
    expect(page.locator("[data-body-chart-chosen]")).to_have_text(
        "Marked: Lower back, left side; Buttock, right side; Front of the thigh, left side."
    )

    # The list of areas tells the same story, and is itself a way to mark one.
    page.get_by_text("List of areas").click()
    areas_list = page.locator(".body-chart-list")
    expect(areas_list.get_by_label("Buttock, right side")).to_be_checked()
    expect(areas_list.get_by_label("Lower back, right side")).not_to_be_checked()
    areas_list.get_by_label("Calf, left side").check()
    expect(area(page, "calf_left")).to_have_attribute("aria-checked", "true")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Saved areas")).to_have_text(
        "lower_back_left buttock_right calf_left thigh_front_left"
    )
    # Shown again as marked after the round trip.
    expect(page.get_by_role("checkbox", name="Buttock, right side")).to_have_attribute(
        "aria-checked", "true"
    )
    assert csp_violations == []


def test_the_front_view_puts_the_clients_left_on_the_viewers_right(page: Page, live_server) -> None:
    page.goto(live_server.url)

    def centre_x(code: str) -> float:
        box = area(page, code).bounding_box()
        assert box is not None
        return float(box["x"] + box["width"] / 2)

    assert centre_x("lower_back_left") < centre_x("lower_back_right")
    assert centre_x("thigh_front_left") > centre_x("thigh_front_right")


def test_the_keyboard_focus_ring_is_drawn_over_the_focused_area(page: Page, live_server) -> None:
    page.goto(live_server.url)
    page.get_by_label("Your name").focus()
    tab_to(page, "buttock_left")
    ring = page.locator(".body-chart-ring.is-shown")
    expect(ring).to_have_count(1)
    expect(ring).to_have_attribute("d", area(page, "buttock_left").get_attribute("d") or "")


def test_without_javascript_the_list_of_areas_is_the_form(browser: Browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url)
        expect(page.get_by_role("checkbox", name="Lower back, left side")).to_have_count(1)
        page.get_by_role("checkbox", name="Lower back, left side").check()
        page.get_by_role("checkbox", name="Buttock, left side").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_label("Saved areas")).to_have_text("lower_back_left buttock_left")
        filled = page.locator("path.is-selected")
        expect(filled).to_have_count(2)
    finally:
        context.close()


def test_on_a_phone_the_two_figures_are_stacked(browser: Browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_server.url)
        back = page.get_by_role("group", name="Back of the body").bounding_box()
        front = page.get_by_role("group", name="Front of the body").bounding_box()
        assert back is not None and front is not None
        assert front["y"] >= back["y"] + back["height"]
        assert back["width"] >= 250  # wide enough for a fingertip on the small areas
    finally:
        context.close()
