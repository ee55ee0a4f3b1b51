"""In a real browser, billing end to end: the client buys the ten-session package at the desk
(paying part of it), attends a session, cancels the next one late (the fee waived by the
owner), pays the balance; the receipt, the superbill and the revenue report agree."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from backcare.billing import actions
from backcare.billing.models import FeeSchedule, Invoice
from backcare.care.models import ProgramStatus
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.browser.conftest import new_page_at_home
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def downloaded_text(page: Page, link_name: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    content = Path(info.value.path()).read_bytes()
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def pay(page: Page, method: str, amount: str) -> None:
    page.get_by_label("Paid by").select_option(label=method)
    page.get_by_label("Amount ($)").fill(amount)
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()


def test_a_package_bought_at_the_desk_attended_cancelled_late_waived_and_paid(
    browser: Browser, live_server: Any, clinic: Clinic
) -> None:
    now = timezone.now()
    BookingPolicy.current()
    FeeSchedule.objects.update_or_create(pk=1, defaults={"late_cancellation_cents": 4000})
    actions.set_price(
        clinic.owner,
        clinic.service,
        clinic.location,
        amount_cents=9500,
        tax_rate_bp=0,
        service_code="97124",
    )
    screening = factories.screened(clinic.alice, [], actor=clinic.tess.user)
    program = factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=ProgramStatus.ACTIVE,
        started_on=timezone.localdate(),
    )
    today, later = (
        factories.AppointmentFactory.create(
            client=clinic.alice,
            therapist=clinic.tess,
            service=clinic.service,
            location=clinic.location,
            starts=starts,
            program=program,
        )
        for starts in (now - dt.timedelta(minutes=5), now + dt.timedelta(hours=3))
    )
    base = live_server.url

    # The desk sells the package; Alice pays $500 of it by card.
    desk = new_page_at_home(browser, live_server.url, clinic.front_desk)
    desk.goto(base + reverse("billing:client", args=[clinic.alice.pk]))
    desk.get_by_label("Program").select_option(index=1)
    desk.get_by_label("Location").first.select_option(label="Midtown")
    desk.get_by_role("button", name="Sell the package").click()
    expect(desk.get_by_text("Package sold.")).to_be_visible()
    expect(desk.get_by_test_id("credits-left")).to_have_text("10")
    desk.get_by_role("link", name="Invoice").first.click()
    expect(desk.get_by_test_id("total")).to_have_text("$855.00")
    pay(desk, "Card terminal", "500")
    expect(desk.get_by_test_id("invoice-balance")).to_have_text("$355.00")

    # She attends today's session: it uses a credit, no invoice.
    desk.goto(base + reverse("scheduling:appointment", args=[today.pk]))
    desk.get_by_role("button", name="Check in").click()
    desk.get_by_role("button", name="Mark as completed").click()
    expect(desk.get_by_text("Marked as completed.")).to_be_visible()
    desk.goto(base + reverse("billing:client", args=[clinic.alice.pk]))
    expect(desk.get_by_test_id("credits-left")).to_have_text("9")

    # She cancels the next one three hours ahead: late, so the fee is charged.
    desk.goto(base + reverse("scheduling:appointment_cancel", args=[later.pk]))
    desk.get_by_label("Reason").fill("Her car broke down")
    desk.get_by_role("button", name="Cancel the appointment").click()
    expect(desk.get_by_text("late", exact=False).first).to_be_visible()
    fee = Invoice.objects.get(kind="fee")
    assert fee.total_cents == 4000

    # The owner waives it.
    owner = new_page_at_home(browser, live_server.url, clinic.owner)
    owner.goto(base + reverse("billing:invoice", args=[fee.pk]))
    owner.get_by_label("Reason").fill("First late cancellation; her car broke down")
    owner.get_by_role("button", name="Waive the fee").click()
    expect(owner.get_by_text("Fee waived")).to_be_visible()
    expect(owner.get_by_test_id("status")).to_have_text("Void")

    # She pays the balance by HSA card; nothing more is owed.
    package_invoice = Invoice.objects.get(kind="package")
    desk.goto(base + reverse("billing:invoice", args=[package_invoice.pk]))
    pay(desk, "HSA/FSA card", "355.00")
    expect(desk.get_by_test_id("status")).to_have_text("Paid")
    desk.goto(base + reverse("billing:client", args=[clinic.alice.pk]))
    expect(desk.get_by_test_id("balance")).to_have_text("$0.00")

    # The receipt, the superbill and the revenue report agree.
    desk.goto(base + reverse("billing:invoice", args=[package_invoice.pk]))
    receipt = downloaded_text(desk, "Receipt (PDF)")
    assert "$855.00" in receipt and "$500.00" in receipt and "$355.00" in receipt
    assert "HSA/FSA card" in receipt
    desk.goto(base + reverse("billing:client", args=[clinic.alice.pk]))
    superbill = downloaded_text(desk, "Superbill (PDF)")
    assert "M54.50" in superbill and "97124" in superbill
    assert "$85.50" in superbill  # the attended session: its share of the package, paid
    owner.goto(base + reverse("billing:reports"))
    expect(owner.get_by_test_id("revenue")).to_have_text("$855.00")  # the fee was waived
