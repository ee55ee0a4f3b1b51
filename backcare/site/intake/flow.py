"""The intake questionnaire, step by step: in the client portal (``portal/intake.py``), and for
staff on a client's behalf (``staff/intake/views.py``). Both fronts run this one flow; only the
addresses and the page frame differ.

The answers are clinical (SPEC §7). The owner and the client's care team open any of them; the
front desk only a blank questionnaire it fills in with the client present (the access policy,
``Action.INTAKE_FILL``). Every time staff are shown answers (a step with answers, the review, a
past version) an ``intake.viewed`` audit row is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.clinic.models import Client
from backcare.holds.queries import standing
from backcare.intake import actions
from backcare.intake.models import Intake
from backcare.intake.questionnaire import Step, load_questionnaire
from backcare.policy import Action, AuthenticatedRequest
from backcare.screening.actions import submit_and_screen
from backcare.site.intake.forms import StepForm

AFTER_QUESTIONNAIRE = "after_questionnaire"
"""The session key of a path on this site to go to once the portal questionnaire is submitted."""


@dataclass(frozen=True)
class Flow:
    """Where a flow's pages live: the portal for a client, or the staff pages."""

    client: Client
    portal: bool

    def url(self, name: str, *args: Any) -> str:
        if self.portal:
            return reverse(f"intake:portal_{name}", args=args)
        return reverse(f"intake:staff_{name}", args=[self.client.pk, *args])

    def step_url(self, step: Step) -> str:
        return self.url("step", step.id)


def _draft(client: Client) -> Intake | None:
    return Intake.objects.filter(client=client, status=Intake.Status.DRAFT).first()


def _first_step_to_do(intake: Intake) -> Step:
    steps = load_questionnaire().steps
    return next((step for step in steps if step.id not in intake.steps_done), steps[0])


def _viewed(request: AuthenticatedRequest, flow: Flow, intake: Intake) -> None:
    """Staff were shown the client's answers: audited (the client's own reads are not)."""
    if not flow.portal:
        record(request.user, "intake.viewed", intake, client=flow.client)


def start_page(request: AuthenticatedRequest, flow: Flow) -> HttpResponse:
    source = Intake.Source.PORTAL if flow.portal else Intake.Source.STAFF
    may_read = flow.portal or policy.can(request.user, Action.INTAKE_READ, flow.client)
    intake = actions.start_intake(request.user, flow.client, source, for_desk=not may_read)
    if set(intake.steps_done) >= {step.id for step in load_questionnaire().steps}:
        return redirect(flow.url("review"))
    return redirect(flow.step_url(_first_step_to_do(intake)))


def step_page(request: AuthenticatedRequest, flow: Flow, step_id: str) -> HttpResponse:
    questionnaire = load_questionnaire()
    try:
        step = questionnaire.step(step_id)
    except KeyError:
        raise Http404("No such step.") from None
    intake = _draft(flow.client)
    if intake is None:
        return redirect(flow.url("start") if not flow.portal else reverse("portal:home"))
    form = StepForm(
        step,
        request.POST or None,
        initial=StepForm.initial_from(step, intake.answers),
        partial="later" in request.POST,
    )
    shown = any(intake.answers.get(question.id) is not None for question in step.questions)
    if request.method != "POST" and shown:
        _viewed(request, flow, intake)
    if request.method == "POST":
        if form.is_valid():
            actions.save_step(request.user, intake, step.id, form.answers())
            if "later" in request.POST:
                messages.success(request, "Your answers are saved. You can carry on any time.")
                return redirect(
                    reverse("portal:home") if flow.portal else flow.client.get_absolute_url()
                )
            following = questionnaire.next_step(step.id)
            return redirect(flow.step_url(following) if following else flow.url("review"))
        status = 400
    else:
        status = 200
    steps = questionnaire.steps
    return render(
        request,
        "intake/step.html",
        {
            "flow": flow,
            "client": flow.client,
            "step": step,
            "form": form,
            "number": [s.id for s in steps].index(step.id) + 1,
            "total": len(steps),
            "previous": questionnaire.previous_step(step.id),
            "steps": [(s, flow.step_url(s), s.id in intake.steps_done) for s in steps],
        },
        status=status,
    )


def answered_steps(intake: Intake) -> list[dict[str, Any]]:
    """The intake's answers by step, in words, for the review and read-only pages."""
    shown = []
    for step in load_questionnaire().steps:
        rows = []
        for question in step.questions:
            value = intake.answers.get(question.id)
            if question.kind == "choice":
                value = dict(question.choices).get(value, value)
            rows.append({"question": question, "value": value})
        shown.append({"step": step, "rows": rows})
    return shown


def review_page(request: AuthenticatedRequest, flow: Flow) -> HttpResponseBase:
    intake = _draft(flow.client)
    if intake is None:
        return redirect(reverse("portal:home") if flow.portal else flow.url("start"))
    if request.method == "POST":
        try:
            submit_and_screen(request.user, intake, at=timezone.now())
        except actions.IntakeIncomplete as problem:
            messages.error(request, problem.message)
            return redirect(flow.url("step", problem.field))
        if flow.portal:
            # A page that sent the client here (finishing a booking from the clinic's website)
            # takes them back; otherwise, their next steps.
            return redirect(
                request.session.pop(AFTER_QUESTIONNAIRE, None) or "intake:portal_result"
            )
        hold = standing(flow.client, timezone.localdate()).hold
        messages.success(
            request,
            "The questionnaire is saved and screened. "
            + (hold.staff_message if hold else "The client may be booked."),
        )
        if policy.can(request.user, Action.CLINICAL_CHART, flow.client):
            return redirect("screening:client", flow.client.pk)
        return redirect(flow.client.get_absolute_url())
    _viewed(request, flow, intake)
    return render(
        request,
        "intake/review.html",
        {"flow": flow, "client": flow.client, "intake": intake, "shown": answered_steps(intake)},
    )
