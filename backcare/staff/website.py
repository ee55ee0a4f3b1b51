"""Staff pages for what comes in from the clinic's website and the portal: the snippet that
puts a location's booking page on the clinic's own site, and the doctor's notes clients send."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from backcare import policy
from backcare.audit.log import record
from backcare.clinic.models import Client, Location
from backcare.documents.models import DoctorNote
from backcare.policy import Action, AuthenticatedRequest

load_client = policy.loader(Client, "client_id")
load_location = policy.loader(Location, "location_id")


@require_safe
@policy.requires(Action.PLACES_EDIT, load=load_location)
def booking_snippet(request: AuthenticatedRequest, location: Location) -> HttpResponse:
    """The location's public booking page, and the snippet that shows it on the clinic's site."""
    site = settings.SITE_URL.rstrip("/")
    page = site + reverse("public:page", args=[location.pk])
    embed = site + reverse("public:embed", args=[location.pk])
    snippet = (
        f'<iframe src="{embed}" title="Book a massage session at {location.name}" '
        'style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>'
    )
    return render(
        request,
        "staff/booking_snippet.html",
        {
            "location": location,
            "page": page,
            "snippet": snippet,
            "origins": settings.BOOKING_EMBED_ORIGINS,
        },
    )


@require_safe
@policy.requires(Action.CLINICAL_CHART, load=load_client)
def doctor_notes(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """The doctor's notes the client sent from the portal, to read and record the clearance."""
    notes = DoctorNote.objects.filter(client=client)
    return render(request, "staff/doctor_notes.html", {"client": client, "notes": notes})


@require_safe
@policy.requires(Action.CLINICAL_CHART, load=load_client)
def doctor_note(request: AuthenticatedRequest, client: Client, note_id: int) -> FileResponse:
    """One note, streamed from private files, audited."""
    note = get_object_or_404(DoctorNote.objects.filter(client=client), pk=note_id)
    if not note.document:
        raise Http404("The file of this note is missing.")
    record(request.user, "doctor_note.viewed", note, client=client)
    return FileResponse(note.document.open("rb"), as_attachment=False, filename=note.document_name)
