"""Named, audited writes for screening: run it, record a clearance, send a referral letter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from backcare import events, policy
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.letterhead import letterhead_for
from backcare.clinic.models import Client, Location
from backcare.intake.actions import IntakeIncomplete, submit_intake
from backcare.intake.models import Intake
from backcare.lib import filetypes
from backcare.notices.outbox import Prepared, attachment_maker, send_notice
from backcare.policy import Action
from backcare.screening import letter as letters
from backcare.screening.models import HOLDING_DECISIONS, Clearance, Screening
from backcare.screening.rules import parse_intake, screen

# A clearance document is a scan or a photo of a signed note.
DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/heic"}
DOCUMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".heic"}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def submit_and_screen(
    actor: User | None, intake: Intake, *, at: dt.datetime, notify: bool = True
) -> Screening:
    """Send the client's health questionnaire and screen it (SPEC §2 step 2: screening runs
    whenever the health history changes). Returns the screening.

    The front desk sends the answers the client gave in front of them, but does not screen: the
    rules do. Its screening is recorded with no actor (the system's), and the intake and its
    ``intake.submitted`` audit row name the desk as who sent it."""
    intake = submit_intake(actor, intake, at=at)
    answers = intake.screening_input
    if answers is None:  # submit_intake sets it; never screen nothing
        raise IntakeIncomplete("intake", "The questionnaire has no answers to screen.")
    desk = actor is not None and policy.can(actor, Action.INTAKE_DESK)
    return run_screening(
        None if desk else actor,
        intake.client,
        answers,
        trigger=Screening.Trigger.INTAKE,
        at=at,
        intake=intake,
        notify=notify,
    )


@transaction.atomic
def run_screening(
    actor: User | None,
    client: Client,
    screening_input: Mapping[str, Any],
    *,
    trigger: Screening.Trigger,
    at: dt.datetime,
    intake: Intake | None = None,
    notify: bool = True,
) -> Screening:
    """Screen the input (SPEC §3), keep the result with its rule-set version, and publish
    :class:`~backcare.events.ScreeningRun`: when the decision holds booking, the client's care
    team and the owner are told (unless ``notify`` is off, as when loading records from the
    past) and the client's booked sessions are held."""
    result = screen(parse_intake(screening_input))
    screening = Screening.objects.create(
        client=client,
        intake=intake,
        trigger=trigger,
        input=dict(screening_input),
        result=result.to_record(),
        decision=result.decision,
        ruleset_version=result.ruleset_version,
        created_by=actor,
        created_at=at,
    )
    record(
        actor,
        "screening.recorded",
        screening,
        client=client,
        changes=diff(
            {},
            {
                "decision": result.decision,
                "codes": [reason.code for reason in result.reasons],
                "ruleset_version": result.ruleset_version,
            },
        ),
    )
    events.publish(
        events.ScreeningRun(
            screening, notify=notify, holding=screening.decision in HOLDING_DECISIONS
        )
    )
    return screening


# --- Clearance ------------------------------------------------------------------------------


def check_document(document: UploadedFile | None) -> None:
    if document is None:
        return
    # The file is served back under its own name, whose extension sets the content type: a
    # "PDF" named page.html would be served as a web page.
    extension = PurePath(document.name or "").suffix.lower()
    if document.content_type not in DOCUMENT_TYPES or extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError({"document": "Please upload a PDF, JPEG, PNG or HEIC file."})
    if document.size is not None and document.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": "Please upload a file of 10 MB or less."})
    document.seek(0)
    head = document.read(filetypes.HEAD_BYTES)
    document.seek(0)
    if not filetypes.content_matches(extension, head):
        raise ValidationError(
            {
                "document": "This file is not the PDF or photo its name says: please upload "
                "the scan or photo itself (PDF, JPEG, PNG or HEIC)."
            }
        )


@transaction.atomic
def record_clearance(
    actor: User | None,
    client: Client,
    screening: Screening,
    data: Mapping[str, Any],
    *,
    at: dt.datetime,
    document: UploadedFile | None = None,
) -> Clearance:
    """Record a physician's clearance for the clearance-level reasons of ``screening``."""
    if screening.client_id != client.pk:
        raise ValidationError({"screening": "That screening belongs to someone else."})
    covers = screening.clearance_codes
    if not covers:
        raise ValidationError({"screening": "This screening does not need a medical clearance."})
    check_document(document)
    clearance = Clearance(
        client=client,
        screening=screening,
        covers=covers,
        physician_name=data["physician_name"],
        physician_practice=data.get("physician_practice", ""),
        cleared_on=data["cleared_on"],
        restrictions=data.get("restrictions", ""),
        recorded_by=actor,
        recorded_at=at,
    )
    # Everything is checked before the document is stored, so a refusal leaves no file behind.
    clearance.full_clean(exclude=["document", "document_name"])
    if document is not None:
        clearance.document_name = document.name or "clearance"
        clearance.document.save(document.name or "clearance", document, save=False)
    try:
        clearance.full_clean()
        clearance.save()
    except Exception:
        if clearance.document:
            clearance.document.delete(save=False)
        raise
    record(
        actor,
        "clearance.recorded",
        clearance,
        client=client,
        changes=diff(
            {},
            {
                "covers": covers,
                "physician_name": clearance.physician_name,
                "cleared_on": clearance.cleared_on.isoformat(),
                "restrictions": clearance.restrictions,
                "document": clearance.document_name,
            },
        ),
    )
    return clearance


# --- Referral letter ------------------------------------------------------------------------


def referral_letter(
    client: Client,
    screening: Screening,
    *,
    therapist: User | None,
    today: dt.date,
    purpose: letters.Purpose = "clearance",
    location: Location | None = None,
) -> letters.ReferralLetter:
    """The referral letter for a screening, signed by ``therapist`` when given, on the
    letterhead of ``location`` (the session the letter is about) or, without one, of the
    client's next or latest appointment (:func:`appointment_location`)."""
    outcome = screening.outcome
    licence = ""
    if therapist is not None and hasattr(therapist, "therapist"):
        profile = therapist.therapist
        licence = f"LMT, licence {profile.licence_number} ({profile.licence_state})"
    return letters.ReferralLetter(
        letterhead=letterhead_for(
            client, location if location is not None else appointment_location(client, today)
        ),
        written_on=today,
        client_name=client.full_name,
        client_date_of_birth=client.date_of_birth,
        recipient=letters.Recipient(
            name=client.physician_name,
            practice=client.physician_practice,
            phone=client.physician_phone,
            email=client.physician_email,
        ),
        decision=outcome.decision,
        reasons=letters.letter_reasons(outcome),
        restrictions=letters.screening_restrictions(outcome),
        therapist_name=therapist.full_name if therapist is not None else "",
        therapist_licence=licence,
        purpose=purpose,
    )


def appointment_location(client: Client, today: dt.date) -> Location | None:
    """Where the client will be seen: the location of their next appointment (from the start
    of ``today``), else of their latest one; None when they have none. Cancelled appointments
    do not count."""
    start = dt.datetime.combine(today, dt.time(), tzinfo=timezone.get_current_timezone())
    booked = (
        Appointment.objects.filter(client=client)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("location")
    )
    found = (
        booked.filter(starts__gte=start).order_by("starts", "pk").first()
        or booked.filter(starts__lt=start).order_by("-starts", "-pk").first()
    )
    return found.location if found is not None else None


def email_referral_letter(
    actor: User,
    client: Client,
    screening: Screening,
    *,
    today: dt.date,
    purpose: letters.Purpose = "clearance",
) -> None:
    """Email the letter as a PDF to the client's physician, through the queue after commit. The
    PDF is made by the worker (:func:`referral_letter_pdf`), not in the request."""
    if not client.physician_email:
        raise ValidationError(
            {"physician_email": "Add the physician's email address to the client's details first."}
        )
    letter = referral_letter(client, screening, therapist=actor, today=today, purpose=purpose)
    record(
        actor,
        "referral_letter.emailed",
        screening,
        client=client,
        changes=diff({}, {"to": client.physician_email, "purpose": purpose}),
    )
    send_notice(
        key=None,  # sending the letter again is a deliberate second email
        to=[client.physician_email],
        subject=f"Referral from {settings.CLINIC_NAME}",  # the patient is named inside only
        template="screening/email/physician_letter",
        context={
            "physician_name": client.physician_name,
            "client_name": client.full_name,
            "client_born": f"{client.date_of_birth:%B} {client.date_of_birth.day}, "
            f"{client.date_of_birth.year}",
            "purpose": purpose,
            "signed": letter.therapist_name or settings.CLINIC_NAME,
            "clinic_name": settings.CLINIC_NAME,
        },
        attachments=[
            Prepared(
                letters.referral_letter_filename(letter),
                "application/pdf",
                "screening.referral_letter",
                {
                    "client_id": client.pk,
                    "screening_id": screening.pk,
                    "therapist_id": actor.pk,
                    "today": today.isoformat(),
                    "purpose": purpose,
                },
            )
        ],
        kind="referral_letter",
    )


@attachment_maker("screening.referral_letter")
def referral_letter_pdf(
    *, client_id: int, screening_id: int, therapist_id: int | None, today: str, purpose: str
) -> bytes:
    """The emailed referral letter's PDF, made by the worker from what the request named."""
    letter = referral_letter(
        Client.objects.get(pk=client_id),
        Screening.objects.get(pk=screening_id),
        therapist=User.objects.get(pk=therapist_id) if therapist_id is not None else None,
        today=dt.date.fromisoformat(today),
        purpose=cast(letters.Purpose, purpose),
    )
    return letters.render_referral_letter(letter)
