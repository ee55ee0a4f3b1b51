"""The technique pages: what each massage technique is, read by staff and clients alike (staff
see the therapist's notes as well)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from backcare import policy
from backcare.care.techniques import load_catalogue, technique
from backcare.policy import Action, AuthenticatedRequest


@policy.requires(Action.TECHNIQUE_READ)
def technique_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "care/technique_list.html",
        {"techniques": load_catalogue(), "staff": request.user.is_clinic_staff},
    )


@policy.requires(Action.TECHNIQUE_READ)
def technique_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    try:
        entry = technique(code)
    except KeyError:
        raise Http404("No such technique.") from None
    return render(
        request,
        "care/technique_detail.html",
        {"technique": entry, "staff": request.user.is_clinic_staff},
    )


# Mounted at the site's root under the ``care:`` names (backcare/urls.py).
urlpatterns = [
    path("techniques/", technique_list, name="techniques"),
    path("techniques/<slug:code>/", technique_detail, name="technique"),
]
