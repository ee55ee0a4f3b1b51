from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from backcare.accounts.receivers import SIGNED_OUT_BECAUSE

LAST_SEEN = "backcare_last_seen"


class StaffIdleLogoutMiddleware:
    """Signs staff out after STAFF_IDLE_MINUTES without a request (SPEC §7)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_clinic_staff:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > settings.STAFF_IDLE_MINUTES * 60:
                setattr(request, SIGNED_OUT_BECAUSE, "idle")  # for the audit row
                logout(request)
                messages.info(request, "You were signed out after a while without activity.")
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN] = now
        return self.get_response(request)
