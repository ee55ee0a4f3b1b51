from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy

from backcare import policy
from backcare.accounts.forms import EmailLoginForm
from backcare.accounts.invites import ResetForInvitedPeopleForm
from backcare.accounts.models import Role
from backcare.policy import Action


@policy.public
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own home: staff to the clinic, clients to the portal."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.role == Role.CLIENT:
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
password_reset = policy.public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=ResetForInvitedPeopleForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
    )
)
password_reset_done = policy.public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = policy.public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html"
    )
)
password_reset_complete = policy.public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
password_change = policy.requires(Action.OWN_ACCOUNT)(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("password_change_done"),
    )
)
password_change_done = policy.requires(Action.OWN_ACCOUNT)(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
