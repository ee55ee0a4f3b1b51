"""Audit rows for signing in and out (SPEC §7), from Django's and django-axes' signals.

Connected in :meth:`backcare.accounts.apps.AccountsConfig.ready`. Every row names the address
from which it came. A failed sign-in records the address typed, never the password.

- ``signin.succeeded`` / ``signin.signed_out``: by the person, about their own login.
- ``signin.failed``: nobody signed in; the row is filed under the address tried. When the
  attempt was refused because the account, or the address it came from, is locked out,
  ``refused`` says so.
- ``signin.locked_out``: the failure that locked the account or the address out, with the count.

Password changes and resets are recorded by their views (site/sign_in.py, site/password_reset.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from backcare.accounts.lockout import email_tried
from backcare.accounts.models import User
from backcare.audit.context import client_ip, current_ip
from backcare.audit.log import diff, record

# Set on the request by the idle logout middleware: why the session ended.
SIGNED_OUT_BECAUSE = "backcare_signed_out_because"


@contextmanager
def _from(request: HttpRequest) -> Iterator[None]:
    # Sign-outs can happen in middleware before the audit middleware has noted the address.
    token = current_ip.set(client_ip(request))
    try:
        yield
    finally:
        current_ip.reset(token)


# Django's test client signs people in and out through a bare HttpRequest that no browser sent
# (force_login, logout; its method is None): those are not sign-ins anyone made.


def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or request.method is None:
        return
    with _from(request):
        record(user, "signin.succeeded", user)


def clear_failures_and_note_second_factor(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """After a sign-in: the failures of this account from this address are forgiven (those at
    other accounts from here still count towards the address's own limit, and those at this
    account from elsewhere towards the account's), and a client's
    choice of two-step sign-in is noted in the session."""
    from axes.models import AccessAttempt

    from backcare.accounts.second_factor import note_at_sign_in

    if request is None:
        return
    if request.method is not None:
        AccessAttempt.objects.filter(username=user.email, ip_address=client_ip(request)).delete()
    note_at_sign_in(request, user)


def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or request is None or request.method is None:
        return
    because = getattr(request, SIGNED_OUT_BECAUSE, None)
    with _from(request):
        record(
            user,
            "signin.signed_out",
            user,
            changes=diff({}, {"because": because}) if because else None,
        )


def _refused_while_locked_out(request: HttpRequest) -> bool:
    """django-axes refused the attempt at the door: the account or the address is locked out.
    (Its backend marks the request before any password is checked; a failure that newly locks
    one out has a failure count instead.)"""
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


def sign_in_failed(
    sender: Any,
    credentials: Mapping[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    email = email_tried(request, credentials) or ""
    after: dict[str, Any] = {"email": email}
    if request is not None and _refused_while_locked_out(request):
        after["refused"] = "locked out"
    if request is None:
        record(None, "signin.failed", changes=diff({}, after), actor_email=email)
        return
    with _from(request):
        record(None, "signin.failed", changes=diff({}, after), actor_email=email)


def locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return  # refused while already locked out: its signin.failed row says so
    email = username or ""
    with _from(request):
        record(
            None,
            "signin.locked_out",
            changes=diff({}, {"email": email, "failures": failures}),
            actor_email=email,
        )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(signed_in, dispatch_uid="backcare.accounts.signed_in")
    user_logged_in.connect(
        clear_failures_and_note_second_factor,
        dispatch_uid="backcare.accounts.clear_failures_and_note_second_factor",
    )
    user_logged_out.connect(signed_out, dispatch_uid="backcare.accounts.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="backcare.accounts.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="backcare.accounts.locked_out")
