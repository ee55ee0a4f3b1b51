"""Every page of the access matrix, for every persona who may open it, in a real headless
Chromium on a phone-sized screen (390 px): axe-core finds no serious or critical problem, and
nothing makes the page scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Error, ViewportSize

from tests.browser.conftest import at_home
from tests.conftest import PERSONAS, Clinic
from tests.test_access_matrix import records, row_for, sample_kwargs, url_patterns

__all__ = ["records"]  # the access matrix's records, a fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")

# axe gives every violation of a rule the impact the rule declares (axe-core's
# finalizeRuleResult), so the rules that declare "minor" or "moderate" could never fail this
# test: only the others run (with those that declare none, to be safe), as axe would by default
# (enabled, not experimental). Running the rest cost about 12 ms a page.
RUN_SERIOUS_RULES = """() => axe.run(document, {
  resultTypes: ["violations"],
  runOnly: {type: "rule", values: axe._audit.rules
    .filter(rule => rule.enabled && !rule.tags.includes("experimental"))
    .filter(rule => !rule.impact || rule.impact === "serious" || rule.impact === "critical")
    .map(rule => rule.id)},
})"""


def pages_for(persona: str, clinic: Clinic, records: dict[str, str]) -> list[str]:
    """The pages this persona may open: a plain GET the matrix answers with 200, the Django
    admin aside (its own pages, not ours)."""
    found = []
    for name, pattern in url_patterns():
        if name is None or name.startswith("admin:"):
            continue
        row = row_for(name)
        assert row is not None, name
        if row.get("method") == "post" or row[persona] != 200:
            continue
        found.append(reverse(name, kwargs=sample_kwargs(name, pattern, clinic, records)))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_passes_axe_and_fits_a_phone(
    browser: Browser, live_server: Any, clinic: Clinic, records: dict[str, str], persona: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    # Chromium gives axe to every page of this context as the page starts (about 5 ms a page);
    # sending it into each page once loaded cost about 30 ms.
    context.add_init_script(Axe().axe_script)
    page = context.new_page()
    page.set_default_timeout(10_000)
    user = clinic.user(persona)
    if user is not None:
        at_home(page, live_server.url, user)
    problems: list[str] = []
    for path in pages_for(persona, clinic, records):
        try:
            response = page.goto(f"{live_server.url}{path}")
        except Error as download:
            assert "Download is starting" in download.message, download.message
            continue  # a PDF, a calendar file, a CSV download
        assert response is not None
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        if not page.evaluate("document.doctype !== null"):
            continue  # a part of a page that htmx fetches into one (checked there)
        for violation in page.evaluate(RUN_SERIOUS_RULES)["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets[:3]}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide at {PHONE['width']} px")
    context.close()
    assert problems == [], "\n".join(problems)
