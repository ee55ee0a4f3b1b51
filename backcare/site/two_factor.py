"""The pages of two-step sign-in: the step after the password, setting up an authenticator app
or a passkey, the recovery codes shown once, and one's own devices (accounts/second_factor.py
holds the actions). Passkey ceremonies are django-otp-webauthn's views, wrapped by the access
policy and audited here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from backcare import policy
from backcare.accounts import second_factor
from backcare.accounts.middleware import BEFORE_SECOND_FACTOR
from backcare.policy import Action, AuthenticatedRequest

V = TypeVar("V", bound=Callable[..., Any])


def before_second_factor(view: V) -> V:
    """Mark a view that a signed-in person may open before passing the second step."""
    setattr(view, BEFORE_SECOND_FACTOR, True)
    return view


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


WRONG_CODE = (
    "That code did not work. Type the six digits your app shows now, or one of your recovery codes."
)
WRONG_SETUP_CODE = (
    "That code did not match. Type the six digits your app shows now (check that your "
    "phone's clock is right)."
)


def next_url(request: HttpRequest) -> str:
    """Where to go once the step is done: the page asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url(request)})}"


def _passed(request: AuthenticatedRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[attr-defined]


@before_second_factor
@policy.requires(Action.OWN_ACCOUNT)
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """The second step after the password."""
    user = request.user
    if _passed(request) or not second_factor.required_for(user, request.session):
        return redirect(next_url(request))
    if not second_factor.is_enrolled(user):
        return redirect(_with_next("two_factor:setup", request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            device = second_factor.verify(request, user, form.cleaned_data["code"])
            if device is not None:
                if second_factor.kind_of(device) == second_factor.RECOVERY:
                    left = second_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Each works once: make new "
                        "ones on your account page when you run low.",
                    )
                return redirect(next_url(request))
            form.add_error("code", WRONG_CODE)
        status = 400
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": next_url(request),
            "has_passkey": second_factor.has_passkey(user),
            "second_step": True,
            "has_app": any(
                second_factor.kind_of(d) == second_factor.APP
                for d in second_factor.sign_in_devices(user)
            ),
        },
        status=status,
    )


@before_second_factor
@policy.requires(Action.OWN_ACCOUNT)
def setup(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app (QR code) or a passkey. Before the first one is set up this
    is part of signing in; adding another needs a session that has passed the second step."""
    user = request.user
    if second_factor.is_enrolled(user) and not _passed(request):
        return redirect(_with_next("two_factor:verify", request))
    pending = second_factor.pending_app(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                confirmed = second_factor.confirm_app(
                    request, user, pending.device, form.cleaned_data["code"]
                )
            except second_factor.SecondFactorRefused as refused:
                messages.info(request, str(refused))
                return redirect(next_url(request))
            if confirmed:
                return _after_enrolment(request)
            form.add_error("code", WRONG_SETUP_CODE)
        status = 400
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url(request),
            "pending": pending,
            "first": not second_factor.is_enrolled(user),
            "second_step": not _passed(request),
        },
        status=status,
    )


def _after_enrolment(request: AuthenticatedRequest) -> HttpResponse:
    """Right after a first device: ten recovery codes, shown once; otherwise carry on."""
    if second_factor.recovery_codes_left(request.user) == 0:
        codes = second_factor.make_recovery_codes(request.user)
        request.session[second_factor.FRESH_CODES_SESSION_KEY] = codes
        return redirect(_with_next("two_factor:recovery_codes", request))
    messages.success(request, "Two-step sign-in is set up.")
    return redirect(next_url(request))


@require_POST
@policy.requires(Action.OWN_ACCOUNT)
def after_passkey(request: AuthenticatedRequest) -> HttpResponse:
    """Where the page goes once the browser has saved a new passkey."""
    if not second_factor.is_enrolled(request.user):
        return redirect(_with_next("two_factor:setup", request))
    return _after_enrolment(request)


@policy.requires(Action.OWN_ACCOUNT)
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """The fresh recovery codes, once: they are not kept anywhere they could be shown again."""
    codes = request.session.pop(second_factor.FRESH_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": next_url(request)},
    )


@require_POST
@policy.requires(Action.OWN_ACCOUNT)
def new_recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    if not second_factor.is_enrolled(request.user):
        messages.info(request, "Recovery codes come with two-step sign-in: switch it on first.")
        return redirect("two_factor:account")
    codes = second_factor.make_recovery_codes(request.user)
    request.session[second_factor.FRESH_CODES_SESSION_KEY] = codes
    after = urlencode({"next": reverse("two_factor:account")})
    return redirect(f"{reverse('two_factor:recovery_codes')}?{after}")


@policy.requires(Action.OWN_ACCOUNT)
def account(request: AuthenticatedRequest) -> HttpResponse:
    """One's own ways of confirming a sign-in."""
    user = request.user
    return render(
        request,
        "accounts/two_factor_account.html",
        {
            "devices": [
                {"device": d, "kind": second_factor.kind_of(d)}
                for d in second_factor.sign_in_devices(user)
            ],
            "codes_left": second_factor.recovery_codes_left(user),
            "required": user.is_clinic_staff,
        },
    )


@require_POST
@policy.requires(Action.OWN_ACCOUNT)
def remove(request: AuthenticatedRequest) -> HttpResponse:
    try:
        removed = second_factor.remove_device(request, request.user, request.POST.get("device", ""))
    except second_factor.SecondFactorRefused as refused:
        messages.error(request, str(refused))
        return redirect("two_factor:account")
    messages.success(request, f"The {second_factor.kind_of(removed)} “{removed.name}” is removed.")
    return redirect("two_factor:account")


# --- Passkeys: django-otp-webauthn's JSON endpoints, behind the policy and audited -----------


def _credential(response: HttpResponseBase) -> WebAuthnCredential | None:
    if response.status_code != 200:
        return None
    content: bytes = getattr(response, "content", b"")
    pk = json.loads(content).get("id")
    return WebAuthnCredential.objects.filter(pk=pk).first()


class CompletePasskeyRegistration(webauthn_views.CompleteCredentialRegistrationView):  # type: ignore[misc]
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        credential = _credential(response)
        if credential is not None:
            second_factor.passkey_added(request.user, credential)  # type: ignore[arg-type]
        return response


class CompletePasskeyVerification(webauthn_views.CompleteCredentialAuthenticationView):  # type: ignore[misc]
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        if request.method != "POST":
            return response
        credential = _credential(response)
        if credential is not None:
            second_factor.passkey_verified(request.user, credential)  # type: ignore[arg-type]
        else:
            second_factor.passkey_failed(request.user)  # type: ignore[arg-type]
        return response


def _ceremony(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    return before_second_factor(policy.requires(Action.OWN_ACCOUNT)(view))


passkey_registration_begin = _ceremony(webauthn_views.BeginCredentialRegistrationView.as_view())
passkey_registration_complete = _ceremony(CompletePasskeyRegistration.as_view())
passkey_verification_begin = _ceremony(webauthn_views.BeginCredentialAuthenticationView.as_view())
passkey_verification_complete = _ceremony(CompletePasskeyVerification.as_view())
# The passkey scripts' few words (Django's JavaScript translation catalogue).
passkey_words = before_second_factor(
    policy.public(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]))
)
