"""The client checks in from their phone on the day of their appointment."""

from django.http import HttpResponse

from backcare import policy
from backcare.booking.models import Appointment
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.check_in.page import check_in_page, load_appointment


@policy.requires(Action.CHECK_IN_OWN, load=load_appointment)
def portal_check_in(request: AuthenticatedRequest, appointment: Appointment) -> HttpResponse:
    """The client's own check-in: the questions, then what they answered."""
    return check_in_page(request, appointment, portal=True)
