"""The owner enters what a superbill prints on staff pages: the NPIs and tax ID of each
location and therapist, and a client's diagnosis codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.billing.models import ClientBilling, ProviderNumbers
from tests.billing.conftest import Billing
from tests.billing.test_pages import _session_invoice, pdf_text
from tests.conftest import login_as

# These tests read what a page was given (response.context).
pytestmark = pytest.mark.usefixtures("recorded_pages")


def _numbers(billing: Billing, **changes: str) -> dict[str, str]:
    c = billing.clinic
    data = {
        f"location_{c.location.pk}_npi": "1234567893",
        f"location_{c.location.pk}_tax_id": "123456789",
        f"therapist_{c.tess.pk}_npi": "1679576722",
    }
    data.update(changes)
    return data


def test_the_owner_sets_provider_numbers_and_the_superbill_prints_them(billing: Billing) -> None:
    c = billing.clinic
    owner = login_as(c.owner)
    page = owner.get(reverse("billing:provider_numbers")).content.decode()
    assert f"{c.location.name}: tax ID (EIN)" in page and f"{c.tess.name}: NPI" in page
    response = owner.post(reverse("billing:provider_numbers"), _numbers(billing))
    assert response.status_code == 302
    assert ProviderNumbers.objects.get(location=c.location).tax_id == "12-3456789"
    assert AuditEvent.objects.filter(action="provider_numbers.set").count() == 2

    _session_invoice(billing)
    text = pdf_text(owner.get(reverse("billing:superbill", args=[c.alice.pk])).content)
    for expected in ("1234567893", "12-3456789", "1679576722"):
        assert expected in text


def test_a_wrong_npi_is_named_next_to_its_field_and_nothing_is_saved(billing: Billing) -> None:
    c = billing.clinic
    owner = login_as(c.owner)
    response = owner.post(
        reverse("billing:provider_numbers"),
        _numbers(billing, **{f"therapist_{c.tess.pk}_npi": "1234567890"}),
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"therapist_{c.tess.pk}_npi"] == [
        "This NPI's last digit does not check out: please look at it again."
    ]
    assert "1234567893" in response.content.decode()  # what was typed is kept on the page
    assert not ProviderNumbers.objects.exists()


def test_the_page_runs_the_same_queries_however_many_therapists(
    billing: Billing, django_assert_max_num_queries: Any
) -> None:
    from tests import factories

    owner = login_as(billing.clinic.owner)
    owner.get(reverse("billing:provider_numbers"))
    with django_assert_max_num_queries(30) as few:
        owner.get(reverse("billing:provider_numbers"))
    for _ in range(5):
        factories.TherapistFactory.create()
    with django_assert_max_num_queries(len(few.captured_queries)):
        owner.get(reverse("billing:provider_numbers"))


def test_the_owner_sets_a_clients_diagnosis_codes(billing: Billing) -> None:
    c = billing.clinic
    owner = login_as(c.owner)
    url = reverse("billing:diagnosis_codes", args=[c.alice.pk])
    assert "M54.50" in owner.get(url).content.decode()  # the default
    bad = owner.post(url, {"diagnosis_codes": "sore back"})
    assert bad.status_code == 400
    assert "“sore” is not an ICD-10-CM code" in str(bad.context["form"].errors["diagnosis_codes"])
    assert owner.post(url, {"diagnosis_codes": "m54.16, G89.29"}).status_code == 302
    assert ClientBilling.objects.get(client=c.alice).diagnosis_codes == "M54.16, G89.29"
    audit = AuditEvent.objects.get(action="diagnosis_codes.set")
    assert audit.client == c.alice

    text = pdf_text(owner.get(reverse("billing:superbill", args=[c.alice.pk])).content)
    assert "M54.16" in text and "G89.29" in text
    desk = login_as(c.front_desk)
    assert desk.post(url, {"diagnosis_codes": "M54.50"}).status_code == 403
