"""The owner's page of how each member of staff signs in, and resetting a colleague's two-step
sign-in when they lose their phone or passkey (a named, audited action)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.accounts import second_factor
from backcare.accounts.models import STAFF_ROLES, User
from backcare.policy import Action, AuthenticatedRequest


def load_colleague(user_id: int) -> User:
    try:
        return User.objects.get(pk=user_id, role__in=STAFF_ROLES)
    except User.DoesNotExist:
        raise Http404("No such member of staff.") from None


load_colleague.kwarg = "user_id"  # type: ignore[attr-defined]


@policy.requires(Action.STAFF_SIGN_IN_MANAGE)
def staff_sign_in(request: AuthenticatedRequest) -> HttpResponse:
    staff = list(User.objects.filter(role__in=STAFF_ROLES, is_active=True))
    devices = second_factor.sign_in_devices_of(staff)
    codes_left = second_factor.recovery_codes_left_of(staff)
    rows = [
        {
            "person": person,
            "devices": [second_factor.kind_of(d) for d in devices[person.pk]],
            "codes_left": codes_left[person.pk],
            "can_reset": policy.can(request.user, Action.STAFF_SIGN_IN_MANAGE, person),
        }
        for person in staff
    ]
    return render(request, "staff/sign_in.html", {"rows": rows})


@require_POST
@policy.requires(Action.STAFF_SIGN_IN_MANAGE, load=load_colleague)
def reset_two_step(request: AuthenticatedRequest, colleague: User) -> HttpResponse:
    removed = second_factor.reset_second_factor(request.user, colleague)
    messages.success(
        request,
        f"{colleague.full_name}'s two-step sign-in is reset ({removed} removed). They set it "
        "up again the next time they sign in.",
    )
    return redirect("staff:sign_in")
