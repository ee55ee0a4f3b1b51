"""Medical clearance (SPEC §2 step 2, §3): staff record a physician's clearance, with an optional
signed document kept out of every public URL; it lifts the hold on booking and stays in the
history; a new clearance-level reason blocks again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from backcare.audit.models import AuditEvent
from backcare.holds.queries import booking_hold, standing
from backcare.holds.rules import kind_of
from backcare.private_files import PrivateStorage, file_cipher
from backcare.screening import actions
from backcare.screening.models import Clearance
from tests import factories
from tests.conftest import Clinic, login_as
from tests.intake import words
from tests.pages import field_error, form_alert, text

SIGNED_NOTE = b"%PDF-1.4\n% Dr. Okafor clears Alice Anders for massage.\n%%EOF\n"


def record_url(clinic: Clinic) -> str:
    return reverse("screening:clearance_record", args=[clinic.alice.pk])


def screening_url(clinic: Clinic) -> str:
    return reverse("screening:client", args=[clinic.alice.pk])


def document_url(clearance: Clearance) -> str:
    return reverse("screening:clearance_document", args=[clearance.client_id, clearance.pk])


def signed_note(
    name: str = "okafor-clearance.pdf",
    content: bytes = SIGNED_NOTE,
    content_type: str = "application/pdf",
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def clearance_form(**changes: Any) -> dict[str, Any]:
    data = {
        "physician_name": "Dr. Miriam Okafor",
        "physician_practice": "Midtown Family Medicine",
        "cleared_on": "2026-11-20",
        "restrictions": "Light pressure only over the lumbar spine.",
        "document": signed_note(),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def needs_clearance(clinic: Clinic) -> Clinic:
    factories.screened(clinic.alice, ["night_pain"], actor=clinic.front_desk)
    return clinic


def today() -> dt.date:
    return timezone.localdate()


# --- Recording a clearance ------------------------------------------------------------------


def test_a_recorded_clearance_lifts_the_hold_and_is_kept_in_the_history(
    needs_clearance: Clinic, as_tess: HttpClient
) -> None:
    clinic = needs_clearance
    assert kind_of(booking_hold(clinic.alice, today())) == "medical_clearance_required"

    response = as_tess.post(record_url(clinic), clearance_form(), follow=True)

    assert response.redirect_chain == [(screening_url(clinic), 302)]
    assert "Clearance recorded. The hold on booking is lifted." in text(response)
    assert booking_hold(clinic.alice, today()) is None
    clearance = Clearance.objects.get(client=clinic.alice)
    assert clearance.covers == ["night_pain"]
    assert clearance.physician_name == "Dr. Miriam Okafor"
    assert clearance.cleared_on == dt.date(2026, 11, 20)
    assert clearance.recorded_by == clinic.tess.user
    assert clearance.document_name == "okafor-clearance.pdf"
    shown = words(response)
    assert "Dr. Miriam Okafor , Midtown Family Medicine cleared on Nov 20, 2026" in shown
    assert "Covers night_pain" in shown
    assert "Restrictions: Light pressure only over the lumbar spine." in shown
    assert f'href="{document_url(clearance)}"' in response.content.decode()
    assert "Record a clearance" not in shown  # nothing left to clear
    event = AuditEvent.objects.get(action="clearance.recorded")
    assert event.actor == clinic.tess.user
    assert event.client == clinic.alice
    assert event.changes["covers"] == {"before": None, "after": ["night_pain"]}


def test_a_clearance_without_a_document_lifts_the_hold_too(
    needs_clearance: Clinic, as_owner: HttpClient
) -> None:
    response = as_owner.post(record_url(needs_clearance), clearance_form(document=None))

    assert response.status_code == 302
    clearance = Clearance.objects.get()
    assert not clearance.document
    assert booking_hold(needs_clearance.alice, today()) is None
    assert as_owner.get(document_url(clearance)).status_code == 404


def test_the_chart_banner_says_the_clearance_is_recorded(
    needs_clearance: Clinic, as_tess: HttpClient, as_front_desk: HttpClient
) -> None:
    as_tess.post(record_url(needs_clearance), clearance_form())

    chart = needs_clearance.alice.get_absolute_url()
    assert "Medical clearance required — clearance recorded" in words(as_tess.get(chart))
    assert "May be booked." in text(as_front_desk.get(chart))


@pytest.mark.parametrize(
    ("changes", "field", "label", "message"),
    [
        pytest.param(
            {"physician_name": ""},
            "physician_name",
            "Physician:",
            "This field is required.",
            id="no physician",
        ),
        pytest.param(
            {"cleared_on": ""},
            "cleared_on",
            "Date of clearance:",
            "This field is required.",
            id="no date",
        ),
        pytest.param(
            {"cleared_on": "2026-02-30"},
            "cleared_on",
            "Date of clearance:",
            "Enter a valid date.",
            id="bad date",
        ),
        pytest.param(
            {"document": signed_note("note.txt", b"cleared", "text/plain")},
            "document",
            "Signed clearance (PDF or photo):",
            "Please upload a PDF, JPEG, PNG or HEIC file.",
            id="plain text",
        ),
        pytest.param(
            {"document": signed_note("note.html", b"<script>alert(1)</script>")},
            "document",
            "Signed clearance (PDF or photo):",
            "Please upload a PDF, JPEG, PNG or HEIC file.",
            id="a web page said to be a PDF",
        ),
        pytest.param(
            {
                "document": signed_note(
                    "x.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"
                )
            },
            "document",
            "Signed clearance (PDF or photo):",
            "This file is not the PDF or photo its name says: please upload the scan or photo "
            "itself (PDF, JPEG, PNG or HEIC).",
            id="a web page named x.pdf",
        ),
        pytest.param(
            {"document": signed_note("scan.png", SIGNED_NOTE, "image/png")},
            "document",
            "Signed clearance (PDF or photo):",
            "This file is not the PDF or photo its name says: please upload the scan or photo "
            "itself (PDF, JPEG, PNG or HEIC).",
            id="a PDF named as a photo",
        ),
    ],
)
def test_a_bad_clearance_is_refused_next_to_its_field_and_nothing_is_saved(
    needs_clearance: Clinic,
    as_tess: HttpClient,
    changes: dict[str, Any],
    field: str,
    label: str,
    message: str,
) -> None:
    files_before = private_files()

    response = as_tess.post(record_url(needs_clearance), clearance_form(**changes))

    assert response.status_code == 400
    assert field_error(response, field) == (label, message)
    assert not Clearance.objects.exists()
    assert private_files() == files_before
    assert kind_of(booking_hold(needs_clearance.alice, today())) == "medical_clearance_required"
    assert not AuditEvent.objects.filter(action="clearance.recorded").exists()


def test_a_document_over_the_size_limit_is_refused(
    needs_clearance: Clinic, as_tess: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "DOCUMENT_MAX_BYTES", len(SIGNED_NOTE) - 1)

    response = as_tess.post(record_url(needs_clearance), clearance_form())

    assert response.status_code == 400
    assert field_error(response, "document")[1] == "Please upload a file of 10 MB or less."
    assert not Clearance.objects.exists()


def test_a_clearance_for_a_screening_that_needs_none_is_refused_with_a_message(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    factories.screened(clinic.alice, ["asthma"])

    response = as_tess.post(record_url(clinic), clearance_form())

    assert response.status_code == 400
    assert form_alert(response) == "This screening does not need a medical clearance."
    assert not Clearance.objects.exists()


def test_a_clearance_before_any_screening_is_refused_with_a_message(
    clinic: Clinic, as_tess: HttpClient
) -> None:
    response = as_tess.post(record_url(clinic), clearance_form())

    assert response.status_code == 400
    assert form_alert(response) == "There is no screening to clear yet."
    assert not Clearance.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("therapist_b", 403), ("front_desk", 403), ("client_a", 404), ("client_b", 404)],
)
def test_only_the_care_team_and_the_owner_record_a_clearance(
    needs_clearance: Clinic, persona: str, status: int
) -> None:
    http = login_as(needs_clearance.user(persona))
    files_before = private_files()

    response = http.post(record_url(needs_clearance), clearance_form())

    assert response.status_code == status
    assert not Clearance.objects.exists()
    assert private_files() == files_before


def test_a_stranger_cannot_record_a_clearance(needs_clearance: Clinic) -> None:
    response = HttpClient().post(record_url(needs_clearance), clearance_form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Clearance.objects.exists()


# --- The signed document --------------------------------------------------------------------


@pytest.fixture
def cleared(needs_clearance: Clinic, as_tess: HttpClient) -> Clearance:
    as_tess.post(record_url(needs_clearance), clearance_form())
    return Clearance.objects.get()


@pytest.mark.parametrize("persona", ["therapist_a", "owner"])
def test_the_care_team_and_the_owner_read_the_signed_document_and_it_is_audited(
    clinic: Clinic, cleared: Clearance, persona: str
) -> None:
    user = clinic.user(persona)

    response = login_as(user).get(document_url(cleared))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SIGNED_NOTE  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="okafor-clearance.pdf"' in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="clearance.document_viewed")
    assert event.actor == user
    assert event.client == clinic.alice
    assert event.object_id == str(cleared.pk)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("therapist_b", 403), ("front_desk", 403), ("client_a", 404), ("client_b", 404)],
)
def test_everyone_else_is_refused_the_signed_document(
    clinic: Clinic, cleared: Clearance, persona: str, status: int
) -> None:
    response = login_as(clinic.user(persona)).get(document_url(cleared))

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="clearance.document_viewed").exists()


def test_a_stranger_is_sent_to_sign_in_for_the_signed_document(cleared: Clearance) -> None:
    response = HttpClient().get(document_url(cleared))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_document_is_not_found_through_another_clients_address(
    clinic: Clinic, cleared: Clearance, as_owner: HttpClient
) -> None:
    url = reverse("screening:clearance_document", args=[clinic.bob.pk, cleared.pk])
    assert as_owner.get(url).status_code == 404


def test_the_signed_document_is_kept_outside_every_public_url(cleared: Clearance) -> None:
    path = Path(cleared.document.path).resolve()

    assert isinstance(cleared.document.storage, PrivateStorage)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert file_cipher().decrypt(path.read_bytes()) == SIGNED_NOTE  # encrypted at rest
    public = [str(folder) for folder in (settings.MEDIA_ROOT, settings.STATIC_ROOT) if folder]
    public += [str(folder) for folder in settings.STATICFILES_DIRS]
    for folder in public:
        assert not path.is_relative_to(Path(folder).resolve())
    with pytest.raises(ValueError, match="no public URL"):
        cleared.document.url  # noqa: B018


# --- A later intake -------------------------------------------------------------------------


def test_the_same_reason_stays_cleared_and_a_new_one_blocks_again(
    needs_clearance: Clinic, as_tess: HttpClient
) -> None:
    clinic = needs_clearance
    as_tess.post(record_url(clinic), clearance_form(document=None))

    factories.screened(clinic.alice, ["night_pain"])
    assert booking_hold(clinic.alice, today()) is None

    factories.screened(clinic.alice, ["night_pain", "fever"])
    where = standing(clinic.alice, today())
    assert kind_of(where.hold) == "medical_clearance_required"
    assert where.awaiting_clearance == ["fever"]
    page = as_tess.get(screening_url(clinic))
    shown = words(page)
    assert "fever awaiting clearance" in shown
    assert "night_pain cleared" in shown
    assert "Record a clearance For: fever" in shown

    as_tess.post(record_url(clinic), clearance_form(physician_name="Dr. Lee", document=None))
    assert booking_hold(clinic.alice, today()) is None
    assert [c.covers for c in Clearance.objects.order_by("pk")] == [
        ["night_pain"],
        ["fever", "night_pain"],
    ]


def test_a_clearance_refused_by_the_action_itself_leaves_no_file_behind(
    needs_clearance: Clinic,
) -> None:
    """Callers other than the form (an import, the API) reach the model's own checks."""
    files_before = private_files()
    screening = standing(needs_clearance.alice, today()).screening
    assert screening is not None
    with pytest.raises(ValidationError) as refused:
        actions.record_clearance(
            needs_clearance.tess.user,
            needs_clearance.alice,
            screening,
            {"physician_name": "x" * 500, "cleared_on": dt.date(2026, 11, 20)},
            at=timezone.now(),
            document=signed_note(),
        )
    assert "physician_name" in refused.value.message_dict
    assert private_files() == files_before
    assert not Clearance.objects.exists()
