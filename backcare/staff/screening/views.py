"""Safety screening pages for staff: the HTTP screening check, a client's screening with its
reasons, clearances and referral letters (SPEC §3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.clinic.models import Client
from backcare.holds.queries import standing
from backcare.policy import Action, AuthenticatedRequest
from backcare.screening import actions
from backcare.screening.cli import InputError, decode
from backcare.screening.models import Clearance, Screening
from backcare.screening.rules import IntakeError, parse_intake, screen
from backcare.site.screening import letter_response, technique_rows
from backcare.staff.screening.forms import ClearanceForm, LetterForm

load_client = policy.loader(Client, "client_id")


@require_POST
@policy.requires(Action.SCREENING_CHECK)
def check(request: AuthenticatedRequest) -> JsonResponse:
    """Screen an intake posted as JSON (SPEC §3); bad input is a 400 naming the field."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return JsonResponse({"field": "body", "error": "body: not UTF-8 text"}, status=400)
    try:
        result = screen(parse_intake(decode("body", text)))
    except IntakeError as problem:
        return JsonResponse({"field": problem.field, "error": str(problem)}, status=400)
    except InputError as problem:
        return JsonResponse({"field": "body", "error": str(problem)}, status=400)
    return JsonResponse(result.to_json())


def _screening_page(
    request: AuthenticatedRequest,
    client: Client,
    screening: Screening | None,
    *,
    clearance_form: ClearanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    where = standing(client, timezone.localdate())
    if screening is not None:
        record(request.user, "screening.viewed", screening, client=client)
    can_manage = policy.can(request.user, Action.SCREENING_MANAGE, client)
    return render(
        request,
        "screening/client.html",
        {
            "client": client,
            "standing": where,
            "screening": screening,
            "is_latest": screening is not None and screening == where.screening,
            "techniques": technique_rows(screening) if screening else [],
            "history": client.screenings.select_related("intake"),
            "clearances": client.clearances.select_related("recorded_by"),
            "intake": screening.intake if screening else None,
            "can_manage": can_manage,
            "clearance_form": clearance_form or ClearanceForm(),
            "letter_form": LetterForm(),
        },
        status=status,
    )


@policy.requires(Action.CLINICAL_CHART, load=load_client)
def client_screening(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """The latest screening: decision, reasons with sources, techniques, clearances."""
    return _screening_page(request, client, standing(client, timezone.localdate()).screening)


@policy.requires(Action.CLINICAL_CHART, load=load_client)
def screening_detail(
    request: AuthenticatedRequest, client: Client, screening_id: int
) -> HttpResponse:
    """An earlier screening, as it came out with the rules of its day."""
    screening = get_object_or_404(Screening.objects.filter(client=client), pk=screening_id)
    return _screening_page(request, client, screening)


@require_POST
@policy.requires(Action.SCREENING_MANAGE, load=load_client)
def clearance_record(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    screening = standing(client, timezone.localdate()).screening
    form = ClearanceForm(request.POST, request.FILES)
    if screening is not None and form.is_valid():
        try:
            actions.record_clearance(
                request.user,
                client,
                screening,
                form.cleaned_data,
                at=timezone.now(),
                document=request.FILES.get("document"),
            )
        except ValidationError as problem:
            for field, errors in problem.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Clearance recorded. The hold on booking is lifted.")
            return redirect("screening:client", client.pk)
    if screening is None:
        form.add_error(None, "There is no screening to clear yet.")
    return _screening_page(request, client, screening, clearance_form=form, status=400)


@policy.requires(Action.CLINICAL_CHART, load=load_client)
def clearance_document(
    request: AuthenticatedRequest, client: Client, clearance_id: int
) -> FileResponse:
    """The uploaded clearance document, only through the policy, and audited."""
    clearance = get_object_or_404(Clearance.objects.filter(client=client), pk=clearance_id)
    if not clearance.document:
        raise Http404("No document was uploaded with this clearance.")
    record(request.user, "clearance.document_viewed", clearance, client=client)
    return FileResponse(
        clearance.document.open("rb"),
        as_attachment=False,
        filename=clearance.document_name or "clearance",
    )


@policy.requires(Action.CLINICAL_CHART, load=load_client)
def letter_pdf(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """The referral letter for the latest screening, as a PDF."""
    screening = standing(client, timezone.localdate()).screening
    if screening is None:
        raise Http404("No screening yet.")
    form = LetterForm(request.GET or None)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else "clearance"
    return letter_response(request, client, screening, purpose)


@require_POST
@policy.requires(Action.SCREENING_MANAGE, load=load_client)
def letter_email(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """Email the referral letter to the client's physician."""
    screening = standing(client, timezone.localdate()).screening
    form = LetterForm(request.POST)
    if screening is None or not form.is_valid():
        messages.error(request, "There is no screening to write a letter about yet.")
        return redirect("screening:client", client.pk)
    try:
        actions.email_referral_letter(
            request.user,
            client,
            screening,
            today=timezone.localdate(),
            purpose=form.cleaned_data["purpose"],
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"The letter is on its way to {client.physician_email}.")
    return redirect("screening:client", client.pk)
