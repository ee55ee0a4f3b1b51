from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device

from backcare.accounts.receivers import SIGNED_OUT_BECAUSE
from backcare.accounts.second_factor import required_for

LAST_SEEN = "backcare_last_seen"


def idle_minutes(user: Any) -> int:
    """How long this person may leave Backcare alone before being signed out."""
    if user.is_clinic_staff:
        return int(settings.STAFF_IDLE_MINUTES)
    return int(settings.CLIENT_IDLE_MINUTES)


class IdleLogoutMiddleware:
    """Signs people out after STAFF_IDLE_MINUTES (staff) or CLIENT_IDLE_MINUTES (clients)
    without a request (SPEC §7)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > idle_minutes(user) * 60:
                setattr(request, SIGNED_OUT_BECAUSE, "idle")  # for the audit row
                logout(request)
                messages.info(request, "You were signed out after a while without activity.")
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN] = now
        return self.get_response(request)


def _with_second_step(request: HttpRequest, user: Any) -> Any:
    """``user`` with django-otp's ``otp_device`` and ``is_verified()``, from the session alone:
    the device the session passed the second step with is loaded only if something asks about
    it, so a page costs no extra query. (django-otp's own middleware loads it on every request to
    notice a device deleted since; Backcare instead ends every session of someone whose devices
    the owner resets: ``User.session_version``.)"""
    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
    if persistent_id:
        user.otp_device = SimpleLazyObject(
            functools.partial(Device.from_persistent_id, str(persistent_id))
        )
    return user


class SecondStepSessionMiddleware:
    """Instead of ``django_otp.middleware.OTPMiddleware``: ``request.user.is_verified()`` says
    whether this session has passed the second step of signing in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.user = SimpleLazyObject(functools.partial(_with_second_step, request, user))  # type: ignore[assignment]
        return self.get_response(request)


# Views a signed-in person may open before passing the second step: the step itself (marked
# by site.two_factor.before_second_factor) and the public pages (sign-in, sign-out,
# password reset).
BEFORE_SECOND_FACTOR = "before_second_factor"


class SecondFactorMiddleware:
    """Staff, and clients who switched it on, reach no page but the second step of signing in
    until this session has passed it: every other page (the admin's too) sends them there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        user: Any = request.user
        if not user.is_authenticated or not required_for(user, request.session):
            return None
        if getattr(view_func, BEFORE_SECOND_FACTOR, False):
            return None
        if getattr(view_func, "access_action", None) == "public":
            return None
        if user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('two_factor:verify')}?{query}")


class NoStoreMiddleware:
    """Every answer to a signed-in person (pages, documents, exports) is marked
    ``Cache-Control: no-store``: clinical records stay out of browser and proxy caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
