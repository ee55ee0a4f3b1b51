"""The booking widget's script, at a fixed address a clinic's website can load."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from backcare.policy import public

SCRIPT = Path(__file__).parent / "static" / "booking-widget.js"


@public
@require_safe
def booking_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SCRIPT.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    # Loaded by <script> on the clinic's own site, from another origin.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
