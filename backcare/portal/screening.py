"""The client's own referral letter, to take to their doctor."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone

from backcare import policy
from backcare.holds.queries import standing
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.screening import letter_response


@policy.requires(Action.CLIENT_HOME)
def portal_letter(request: AuthenticatedRequest) -> HttpResponse:
    """A client's own referral letter, to take to their doctor."""
    client = policy.visible_clients(request.user).first()
    screening = standing(client, timezone.localdate()).screening if client else None
    if client is None or screening is None or not screening.clearance_codes:
        raise Http404("There is no referral letter for you.")
    return letter_response(request, client, screening, "clearance")
