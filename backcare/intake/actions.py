"""Named, audited writes for the intake questionnaire (SPEC §2 step 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backcare import events, policy
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.clinic.actions import record_consents
from backcare.clinic.models import Client, Consent
from backcare.intake.models import Intake
from backcare.intake.questionnaire import (
    load_questionnaire,
    screening_input,
    unanswered_steps,
)
from backcare.lib.errors import FieldError
from backcare.policy import Action


class IntakeIncomplete(FieldError):
    """Submitting before every step is answered; ``field`` is the first unfinished step."""


@transaction.atomic
def start_intake(
    actor: User | None, client: Client, source: Intake.Source, *, for_desk: bool = False
) -> Intake:
    """The client's draft, or a new one. A new draft starts from the last submitted answers,
    so updating the health history means changing only what changed. ``for_desk``: the front
    desk, who may not read clinical records, fills one in with the client present: it starts
    empty and is marked ``desk_blank``, the only kind of questionnaire the access policy opens
    to the desk. An existing draft is returned as it is: whether the desk may open it is the
    policy's to say (``Action.INTAKE_FILL``)."""
    draft = Intake.objects.select_for_update().filter(client=client, status=Intake.Status.DRAFT)
    existing = draft.first()
    if existing is not None:
        return existing
    last = client.intakes.filter(status=Intake.Status.SUBMITTED).order_by("-version").first()
    if for_desk:
        last = None
    intake = Intake.objects.create(
        client=client,
        source=source,
        questionnaire_version=load_questionnaire().version,
        answers=dict(last.answers) if last else {},
        steps_done=list(last.steps_done) if last else [],
        started_by=actor,
        desk_blank=for_desk,
    )
    started = {"from_version": last.version if last else None, "source": source}
    if for_desk:
        started["desk_blank"] = True
    record(actor, "intake.started", intake, client=client, changes=diff({}, started))
    return intake


@transaction.atomic
def save_step(
    actor: User | None, intake: Intake, step_id: str, answers: Mapping[str, Any]
) -> Intake:
    """Keep one step's answers in the draft (save and continue later). The step counts as done
    once every required question of it is answered. Anyone but the front desk answering a
    desk's blank draft (the client in the portal, a clinician) makes it clinical: it is no
    longer ``desk_blank``, so the desk can no longer open it."""
    if intake.status != Intake.Status.DRAFT:
        raise IntakeIncomplete("intake", "This questionnaire was already submitted.")
    step = load_questionnaire().step(step_id)
    own = {question.id for question in step.questions}
    before = {key: intake.answers.get(key) for key in own}
    after = {key: answers.get(key) for key in own}
    intake.answers = {**intake.answers, **after}
    finished = step not in unanswered_steps(intake.answers)
    if finished and step_id not in intake.steps_done:
        intake.steps_done = [*intake.steps_done, step_id]
    elif not finished and step_id in intake.steps_done:
        intake.steps_done = [each for each in intake.steps_done if each != step_id]
    if intake.desk_blank and (actor is None or not policy.can(actor, Action.INTAKE_DESK)):
        before["desk_blank"], after["desk_blank"] = True, False
        intake.desk_blank = False
    intake.save(update_fields=["answers", "steps_done", "desk_blank", "updated_at"])
    changes = diff(before, after)
    if changes:
        record(actor, "intake.answered", intake, client=intake.client, changes=changes)
    return intake


@transaction.atomic
def submit_intake(actor: User | None, intake: Intake, *, at: dt.datetime) -> Intake:
    """Freeze the draft as the client's next version, record the consents given, and publish
    :class:`~backcare.events.IntakeSubmitted` (the outcomes app keeps the baseline). Screening
    it is the screening app's ``submit_and_screen``, which calls this first."""
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.status != Intake.Status.DRAFT:
        raise IntakeIncomplete("intake", "This questionnaire was already submitted.")
    missing = unanswered_steps(intake.answers)
    if missing:
        raise IntakeIncomplete(
            missing[0].id, f"Please finish “{missing[0].title}” before sending your answers."
        )
    client = intake.client
    age = client.age_on(timezone.localdate(at))  # the clinic's day, not UTC's
    intake.screening_input = screening_input(intake.answers, age)
    intake.codes = intake.screening_input["codes"]
    latest = client.intakes.aggregate(latest=Max("version"))["latest"] or 0
    intake.version = latest + 1
    intake.status = Intake.Status.SUBMITTED
    intake.submitted_by = actor
    intake.submitted_at = at
    intake.save(
        update_fields=[
            "screening_input",
            "codes",
            "version",
            "status",
            "submitted_by",
            "submitted_at",
            "updated_at",
        ]
    )
    record(
        actor,
        "intake.submitted",
        intake,
        client=client,
        changes=diff({}, {"version": intake.version, "codes": intake.codes}),
    )
    _record_new_consents(actor, intake, at)
    previous = (
        client.intakes.filter(status=Intake.Status.SUBMITTED, version__lt=intake.version)
        .order_by("-version")
        .first()
    )
    events.publish(events.IntakeSubmitted(intake, previous, actor, at))
    return intake


def _record_new_consents(actor: User | None, intake: Intake, at: dt.datetime) -> None:
    version = intake.questionnaire_version
    given = set(
        intake.client.consents.filter(withdrawn_at__isnull=True, version=version).values_list(
            "kind", flat=True
        )
    )
    record_consents(
        actor,
        [
            Consent(client=intake.client, kind=question.consent, version=version, given_at=at)
            for question in load_questionnaire().questions
            if question.kind == "consent"
            and question.consent is not None
            and intake.answers.get(question.id) is True
            and question.consent not in given
        ],
    )
