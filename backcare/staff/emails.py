"""The owner's list of emails Backcare gave up sending, each with "Try again"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.notices.actions import retry_undeliverable
from backcare.notices.models import Notice
from backcare.notices.outbox import max_attempts, undeliverable
from backcare.policy import Action, AuthenticatedRequest

load_notice = policy.loader(Notice, "notice_id")


@policy.requires(Action.EMAIL_MANAGE)
def undeliverable_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "staff/undeliverable_emails.html",
        {"notices": undeliverable()[:200], "max_attempts": max_attempts()},
    )


@require_POST
@policy.requires(Action.EMAIL_MANAGE, load=load_notice)
def retry(request: AuthenticatedRequest, notice: Notice) -> HttpResponseRedirect:
    if retry_undeliverable(request.user, notice):
        messages.success(request, f"Backcare will try the email to {notice.recipient} again now.")
    else:
        messages.info(request, "That email is no longer waiting: it was sent or is being tried.")
    return redirect("staff:undeliverable_emails")
