from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from backcare import policy
from backcare.accounts.models import User
from backcare.audit.context import client_ip
from backcare.audit.log import record
from backcare.policy import Action
from backcare.site.password_reset import ask_for_reset
from backcare.site.sign_in_forms import EmailLoginForm


@policy.public
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own home: staff to the clinic, clients to the portal."""
    if not request.user.is_authenticated:
        return redirect("login")
    if policy.can(request.user, Action.CLIENT_HOME):
        return redirect("portal:home")
    return redirect("staff:home")


login = policy.public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailLoginForm,
        redirect_authenticated_user=True,
    )
)
logout = policy.public(auth_views.LogoutView.as_view())


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's page, but the link leaves from the background worker (site/password_reset.py),
    so the answer is the same page, in the same time, for any address."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        ask_for_reset(form.cleaned_data["email"], ip=client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.user
        record(user, "password.reset", user)
        # Whoever can read the account's email may sign in again at once, even if locked out.
        AxesProxyHandler.reset_attempts(username=user.email)
        return response


WELCOME_NEXT = "welcome_next"


class WelcomeView(auth_views.PasswordResetConfirmView):
    """An invitation's or a new sign-up's emailed link: choose a first password, and be signed
    in at once (never "now sign in again"), then go on to where the link said, or home."""

    template_name = "accounts/welcome.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        wanted = self.request.GET.get("next", "")
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=False
        ):
            self.request.session[WELCOME_NEXT] = wanted
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user: User = form.user
        self.next_path = str(self.request.session.pop(WELCOME_NEXT, "")) or reverse("home")
        response = super().form_valid(form)
        record(user, "password.chosen", user)
        AxesProxyHandler.reset_attempts(username=user.email)
        messages.success(self.request, "Your password is saved, and you are signed in.")
        return response

    def get_success_url(self) -> str:
        return getattr(self, "next_path", "") or reverse("home")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(form.user, "password.changed", form.user)
        return response


password_reset = policy.public(PasswordResetRequestView.as_view())
password_reset_done = policy.public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = policy.public(PasswordResetConfirmView.as_view())
welcome = policy.public(WelcomeView.as_view())
password_reset_complete = policy.public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
password_change = policy.requires(Action.OWN_ACCOUNT)(PasswordChangeView.as_view())
password_change_done = policy.requires(Action.OWN_ACCOUNT)(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
