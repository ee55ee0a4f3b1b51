"""The billing pages as the desk, the owner and the client use them, and the documents they
download: what each shows, what a bad form says, and that a form sent twice charges once."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any
from unittest import mock

import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from backcare.billing import actions, documents
from backcare.billing.models import Invoice, Payment, ProviderNumbers
from backcare.booking import actions as scheduling
from backcare.notices.models import Notice
from tests.billing.conftest import NOW, Billing
from tests.conftest import login_as
from tests.notices.conftest import DATABASE_QUEUE, made_only_by_the_worker, run_worker


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def form_key(html: str, action: str) -> str:
    """The one-time key in the form that posts to ``action``."""
    form = html[html.index(f'action="{action}"') :]
    match = re.search(r'name="key" value="([^"]+)"', form)
    assert match is not None
    return match.group(1)


def _session_invoice(billing: Billing) -> Invoice:
    billing.attend(billing.session(program=False))
    return Invoice.objects.get(kind="session")


def test_the_desk_takes_a_payment_and_a_second_press_records_nothing(billing: Billing) -> None:
    invoice = _session_invoice(billing)
    desk = login_as(billing.clinic.front_desk)
    page = desk.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    pay_url = reverse("billing:pay", args=[invoice.pk])
    form = {"method": "card", "amount": "95.00", "key": form_key(page, pay_url)}
    first = desk.post(pay_url, form)
    second = desk.post(pay_url, form)
    assert first.status_code == second.status_code == 302
    assert Payment.objects.count() == 1
    page = desk.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "Paid" in page and "$0.00" in page


def test_a_bad_amount_is_refused_naming_the_field(billing: Billing) -> None:
    invoice = _session_invoice(billing)
    desk = login_as(billing.clinic.front_desk)
    response = desk.post(
        reverse("billing:pay", args=[invoice.pk]),
        {"method": "cash", "amount": "ninety", "key": "k"},
    )
    assert response.status_code == 400
    assert "Enter an amount in dollars" in response.content.decode()
    too_much = desk.post(
        reverse("billing:pay", args=[invoice.pk]), {"method": "cash", "amount": "200", "key": "k"}
    )
    assert too_much.status_code == 400
    assert "more than the balance of $95.00" in too_much.content.decode()
    assert not Payment.objects.exists()


def test_the_desk_sells_the_ten_session_package(billing: Billing) -> None:
    c = billing.clinic
    desk = login_as(c.front_desk)
    response = desk.post(
        reverse("billing:sell_package", args=[c.alice.pk]),
        {
            "program": billing.program.pk,
            "location": c.location.pk,
            "sessions": 10,
            "paid_sessions": 9,
            "expires_on": "2099-01-01",
        },
    )
    assert response.status_code == 302
    page = desk.get(reverse("billing:client", args=[c.alice.pk])).content.decode()
    assert "$855.00" in page and "10 sessions" in page


def test_the_owner_waives_a_late_cancellation_fee_on_its_page(billing: Billing) -> None:
    c = billing.clinic
    scheduling.cancel_appointment(c.front_desk, billing.session(), "Sick", now=NOW)
    fee = Invoice.objects.get(kind="fee")
    owner = login_as(c.owner)
    assert "Waive the fee" in owner.get(reverse("billing:invoice", args=[fee.pk])).content.decode()
    blank = owner.post(reverse("billing:void", args=[fee.pk]), {"reason": ""})
    assert blank.status_code == 400
    owner.post(reverse("billing:void", args=[fee.pk]), {"reason": "First time; flu"})
    fee.refresh_from_db()
    assert fee.status == "void"


def test_the_receipt_shows_lines_payments_and_balance(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    actions.record_payment(c.front_desk, invoice, method="cash", amount_cents=5000, key="a")
    response = login_as(c.front_desk).get(reverse("billing:receipt", args=[invoice.pk]))
    text = pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert "$95.00" in text and "$50.00" in text and "$45.00" in text and "Cash" in text


def test_a_receipt_opened_again_is_not_drawn_again_until_it_changes(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    actions.record_payment(c.front_desk, invoice, method="cash", amount_cents=5000, key="a")
    desk = login_as(c.front_desk)
    url = reverse("billing:receipt", args=[invoice.pk])
    first = desk.get(url).content
    with mock.patch.object(documents, "_Document", side_effect=AssertionError("drawn again")):
        assert desk.get(url).content == first
    actions.record_payment(c.front_desk, invoice, method="card", amount_cents=4500, key="b")
    text = pdf_text(desk.get(url).content)
    assert "Card" in text and "Balance due $0.00" in text


def test_the_superbill_carries_the_codes_and_identifiers(billing: Billing) -> None:
    c = billing.clinic
    ProviderNumbers.objects.create(location=c.location, npi="1234567893", tax_id="12-3456789")
    ProviderNumbers.objects.create(therapist=c.tess, npi="1679576722")
    invoice = _session_invoice(billing)
    actions.record_payment(c.front_desk, invoice, method="hsa_fsa", amount_cents=9500, key="a")
    text = pdf_text(
        login_as(c.front_desk).get(reverse("billing:superbill", args=[c.alice.pk])).content
    )
    for expected in ("M54.50", "97124", "1234567893", "12-3456789", "1679576722", "$95.00"):
        assert expected in text, expected
    assert c.tess.licence_number in text


def test_the_letter_of_medical_necessity_is_for_the_physician_to_sign(billing: Billing) -> None:
    c = billing.clinic
    response = login_as(c.front_desk).get(reverse("billing:necessity_letter", args=[c.alice.pk]))
    text = pdf_text(response.content)
    assert "medically necessary" in text and "Physician" in text and "M54.50" in text
    assert "10 sessions" in text


def test_documents_are_emailed_through_the_outbox(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    desk = login_as(c.front_desk)
    desk.post(
        reverse("billing:email_document", args=[c.alice.pk]),
        {"document": "receipt", "invoice": invoice.pk},
    )
    desk.post(reverse("billing:email_document", args=[c.alice.pk]), {"document": "superbill"})
    notices = Notice.objects.filter(kind__startswith="billing_").order_by("pk")
    assert [notice.to for notice in notices] == [["alice@example.com"], ["alice@example.com"]]
    assert notices[0].attachments[0][0].startswith("receipt-")


def test_emailed_documents_are_made_by_the_worker_not_in_the_request(
    billing: Billing, django_capture_on_commit_callbacks: Any
) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    desk = login_as(c.front_desk)
    url = reverse("billing:email_document", args=[c.alice.pk])
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        made_only_by_the_worker("backcare.billing.documents.render_receipt"),
        made_only_by_the_worker("backcare.billing.documents.render_superbill"),
        made_only_by_the_worker("backcare.billing.documents.render_necessity_letter"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for asked in ({"document": "receipt", "invoice": invoice.pk}, {"document": "superbill"}):
            assert desk.post(url, asked).status_code == 302
        assert desk.post(url, {"document": "necessity_letter"}).status_code == 302
    assert mail.outbox == []  # queued, waiting for the worker

    with override_settings(TASKS=DATABASE_QUEUE):
        run_worker()

    sent = {message.subject: message for message in mail.outbox}
    assert set(sent) == {
        f"Your receipt ({invoice.label})",
        "Your superbill",
        "Your letter for your health account",
    }
    for message in sent.values():
        assert message.to == ["alice@example.com"]
        [(filename, content, mimetype)] = message.attachments
        assert mimetype == "application/pdf" and filename.endswith(".pdf")
        assert "Alice Anders" in pdf_text(content)
    (_, receipt, _) = sent[f"Your receipt ({invoice.label})"].attachments[0]
    assert invoice.label in pdf_text(receipt)
    (_, letter, _) = sent["Your letter for your health account"].attachments[0]
    assert "medically necessary" in pdf_text(letter)


def test_a_document_with_nothing_to_say_is_refused_in_the_request(billing: Billing) -> None:
    c = billing.clinic
    c.alice.programs.all().delete()
    response = login_as(c.front_desk).post(
        reverse("billing:email_document", args=[c.alice.pk]),
        {"document": "necessity_letter"},
        follow=True,
    )
    assert "A letter of medical necessity needs a care program." in response.content.decode()
    assert not Notice.objects.filter(kind__startswith="billing_").exists()


def test_the_revenue_report_and_its_csv_agree(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    actions.record_payment(c.front_desk, invoice, method="card", amount_cents=9500, key="a")
    owner = login_as(c.owner)
    span = {"start": "2026-01-01", "end": "2026-12-31"}
    page = owner.get(reverse("billing:reports"), span).content.decode()
    assert "$95.00" in page and "Tess Therapist" in page and "Card terminal" in page
    csv = owner.get(reverse("billing:report_csv", args=["revenue_by_therapist"]), span)
    assert csv.content.decode().splitlines() == ["Therapist,Amount (USD)", "Tess Therapist,95.00"]


def report_table(page: str, heading: str) -> list[list[str]]:
    """The body rows of the report table under ``heading``, each cell's text as shown."""
    section = page[page.index(f"<h2>{heading}</h2>") :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def as_csv_cell(shown: str) -> str:
    """A figure as the page shows it ("$1,769.50") as the CSV writes it ("1769.50")."""
    return shown.removeprefix("$").replace(",", "")


def test_balances_by_age_and_package_liability_and_their_csvs_agree(billing: Billing) -> None:
    c = billing.clinic
    with time_machine.travel(NOW, tick=False):
        actions.sell_package(
            c.front_desk,
            billing.program,
            location=c.location,
            sessions=10,
            paid_sessions=9,
            expires_on=dt.date(2099, 1, 1),
        )
        sold = Invoice.objects.get(kind="package")
        actions.record_payment(
            c.front_desk, sold, method="card", amount_cents=sold.balance_cents, key="package"
        )
        billing.attend(billing.session(days=1))  # the program's first session: one credit used
        invoice = _session_invoice(billing)  # a session outside the program: $95.00 owed
    assert invoice.issued_on == dt.date(2026, 6, 1)

    # Six weeks on, the session's invoice is 44 days old and still unpaid.
    with time_machine.travel(dt.datetime(2026, 7, 15, 16, 0, tzinfo=dt.UTC), tick=False):
        owner = login_as(c.owner)
        page = owner.get(reverse("billing:reports")).content.decode()
        balances_csv = owner.get(reverse("billing:report_csv", args=["balances"]))
        liability_csv = owner.get(reverse("billing:report_csv", args=["package_liability"]))

    balances = report_table(page, "Outstanding balances by age")
    assert balances == [
        ["0–30 days", "0", "$0.00"],
        ["31–60 days", "1", "$95.00"],
        ["61–90 days", "0", "$0.00"],
        ["over 90 days", "0", "$0.00"],
    ]
    liability = report_table(page, "Package liability (unused credits)")
    assert liability == [["Alice Anders", "9", "$769.50"]]  # 9 of 10 sessions sold for $855
    assert "Outstanding: <strong>$95.00</strong>" in page
    assert "Package liability: <strong>$769.50</strong>" in page

    assert balances_csv.content.decode().splitlines() == [
        "Age,Invoices,Outstanding (USD)",
        *(",".join(as_csv_cell(cell) for cell in row) for row in balances),
    ]
    assert liability_csv.content.decode().splitlines() == [
        "Client,Unused credits,Value (USD)",
        *(",".join(as_csv_cell(cell) for cell in row) for row in liability),
    ]


def test_the_client_sees_their_invoices_and_downloads_a_receipt(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    alice = login_as(c.alice.user)
    page = alice.get(reverse("portal_billing:home")).content.decode()
    assert invoice.label in page and "Superbill" in page
    receipt = alice.get(reverse("portal_billing:receipt", args=[invoice.pk]))
    assert receipt.status_code == 200
    bob: HttpClient = login_as(c.bob.user)
    assert bob.get(reverse("portal_billing:receipt", args=[invoice.pk])).status_code == 404


def test_a_refund_through_the_page_names_its_field_when_too_large(billing: Billing) -> None:
    c = billing.clinic
    invoice = _session_invoice(billing)
    payment = actions.record_payment(
        c.front_desk, invoice, method="card", amount_cents=9500, key="p"
    )
    desk = login_as(c.front_desk)
    url = reverse("billing:refund", args=[payment.pk])
    prefix = f"refund-{payment.pk}"
    too_much = desk.post(
        url, {f"{prefix}-amount": "100", f"{prefix}-reason": "Cut short", f"{prefix}-key": "r"}
    )
    assert too_much.status_code == 400
    assert "At most $95.00" in too_much.content.decode()
    desk.post(
        url, {f"{prefix}-amount": "20", f"{prefix}-reason": "Cut short", f"{prefix}-key": "r"}
    )
    invoice.refresh_from_db()
    assert invoice.balance_cents == 2000
