"""Two-step sign-in (SPEC §7): the second step after the password, with django-otp's devices.

Every member of staff confirms each sign-in with one of their devices; a client may choose to.
The devices are django-otp's: an authenticator app (``TOTPDevice``), a passkey
(django-otp-webauthn's ``WebAuthnCredential``) and ten single-use recovery codes
(``StaticDevice``). A session that has passed the step carries the device in it
(``django_otp.login``), and ``request.user.is_verified()`` says so.

The named actions below change devices and write the audit rows; the pages are in
``site/two_factor.py`` and the gate every page is behind in ``accounts/middleware.py``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, device_classes, devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from backcare.accounts.models import User
from backcare.audit.log import diff, record

RECOVERY_CODES = 10
APP = "authenticator app"
PASSKEY = "passkey"
RECOVERY = "recovery codes"
# Set at sign-in for a client who chose two-step sign-in (staff always need it).
REQUIRED_SESSION_KEY = "backcare_second_factor_required"
# Fresh recovery codes wait here for the one page that shows them.
FRESH_CODES_SESSION_KEY = "backcare_fresh_recovery_codes"

_APP_CODE = re.compile(r"^\d{6}$")


class SecondFactorRefused(ValueError):
    """A change to someone's devices that cannot be made; the message says why."""


def kind_of(device: Device) -> str:
    if isinstance(device, TOTPDevice):
        return APP
    if isinstance(device, WebAuthnCredential):
        return PASSKEY
    return RECOVERY


# --- Reads ----------------------------------------------------------------------------------


def sign_in_devices(user: User) -> list[Device]:
    """The confirmed devices that can confirm a sign-in on their own: apps and passkeys
    (recovery codes are for when those are lost)."""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, StaticDevice)
    ]


def sign_in_devices_of(users: Sequence[User]) -> dict[int, list[Device]]:
    """``sign_in_devices`` of many people at once (a page listing staff): one query for each
    kind of device, however many people."""
    found: dict[int, list[Device]] = {user.pk: [] for user in users}
    for model in device_classes():
        if issubclass(model, StaticDevice):
            continue
        for device in model.objects.filter(user__in=users, confirmed=True):
            found[device.user_id].append(device)
    return found


def recovery_codes_left_of(users: Sequence[User]) -> dict[int, int]:
    """``recovery_codes_left`` of many people at once, in one query."""
    left = (
        StaticToken.objects.filter(device__user__in=users, device__confirmed=True)
        .values("device__user")
        .annotate(left=Count("pk"))
    )
    counted = {row["device__user"]: row["left"] for row in left}
    return {user.pk: counted.get(user.pk, 0) for user in users}


def is_enrolled(user: User) -> bool:
    return bool(sign_in_devices(user))


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def has_passkey(user: User) -> bool:
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


def required_for(user: User, session: Any) -> bool:
    """Must this signed-in session pass the second step? Always for staff; for a client, when
    they had a device when they signed in (noted in the session then, so no query per page)."""
    return bool(user.is_clinic_staff or session.get(REQUIRED_SESSION_KEY))


def note_at_sign_in(request: HttpRequest, user: User) -> None:
    """At sign-in: does this client have two-step sign-in switched on?"""
    if not user.is_clinic_staff and is_enrolled(user):
        request.session[REQUIRED_SESSION_KEY] = True


@dataclass(frozen=True)
class AppSetup:
    """What the person copies into their authenticator app."""

    device: TOTPDevice
    secret: str  # base32, for typing in by hand
    qr_svg: str  # the same as a QR code, an inline SVG


def pending_app(user: User) -> AppSetup:
    """The unconfirmed authenticator app this person is setting up (made on first asking, kept
    until they confirm it with a code, so reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#111827", light="#ffffff", omitsize=False)
    return AppSetup(device=device, secret=secret, qr_svg=svg)


# --- Actions --------------------------------------------------------------------------------


def _device_row(device: Device) -> dict[str, Any]:
    return {"device": kind_of(device), "name": device.name}


@transaction.atomic
def confirm_app(request: HttpRequest, user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm a new authenticator app with the first code it shows. On success the device is
    kept, this session has passed the second step, and the audit log says so."""
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorRefused("This authenticator app is already set up.")
    if not _APP_CODE.match(code) or not device.verify_token(code):
        record(user, "two_factor.failed", user, changes=diff({}, _device_row(device)))
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(user, "two_factor.enrolled", user, changes=diff({}, _device_row(device)))
    if not request.user.is_verified():  # type: ignore[union-attr]
        otp_login(request, device)
    return True


def passkey_added(user: User, credential: WebAuthnCredential) -> None:
    """Record a passkey that django-otp-webauthn has just saved (it also marks the session)."""
    record(user, "two_factor.enrolled", user, changes=diff({}, _device_row(credential)))


@transaction.atomic
def make_recovery_codes(user: User) -> list[str]:
    """Ten new single-use recovery codes; any older ones stop working. Shown once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record(user, "two_factor.recovery_codes_made", user)
    return codes


def verify(request: HttpRequest, user: User, code: str) -> Device | None:
    """The second step: a six-digit code from an app, or a recovery code (used up). On success
    this session is marked as having passed it; either way the audit log says what happened."""
    code = "".join(code.split()).lower()
    if _APP_CODE.match(code):
        candidates = [d for d in devices_for_user(user) if isinstance(d, TOTPDevice)]
    else:
        candidates = [d for d in devices_for_user(user) if isinstance(d, StaticDevice)]
    for device in candidates:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            otp_login(request, verified)
            if isinstance(verified, StaticDevice):
                left = verified.token_set.count()
                record(
                    user, "two_factor.recovery_code_used", user, changes=diff({}, {"left": left})
                )
            else:
                record(user, "two_factor.verified", user, changes=diff({}, _device_row(verified)))
            return verified
    tried = APP if _APP_CODE.match(code) else RECOVERY
    record(user, "two_factor.failed", user, changes=diff({}, {"device": tried}))
    return None


def passkey_verified(user: User, credential: WebAuthnCredential) -> None:
    record(user, "two_factor.verified", user, changes=diff({}, _device_row(credential)))


def passkey_failed(user: User) -> None:
    record(user, "two_factor.failed", user, changes=diff({}, {"device": PASSKEY}))


@transaction.atomic
def remove_device(request: HttpRequest, user: User, persistent_id: str) -> Device:
    """Remove one of one's own apps or passkeys. A member of staff keeps at least one."""
    device = Device.from_persistent_id(persistent_id, for_verify=True)
    if device is None or device.user_id != user.pk or isinstance(device, StaticDevice):
        raise SecondFactorRefused("That device is not one of yours.")
    others = [d for d in sign_in_devices(user) if d.persistent_id != device.persistent_id]
    if user.is_clinic_staff and device.confirmed and not others:
        raise SecondFactorRefused(
            "Staff need a way to confirm signing in: add another app or passkey first."
        )
    if not others:
        # A client switching two-step sign-in off: the recovery codes go too.
        StaticDevice.objects.filter(user=user).delete()
        request.session.pop(REQUIRED_SESSION_KEY, None)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    if request.session.get(DEVICE_ID_SESSION_KEY) == device.persistent_id and others:
        otp_login(request, others[0])  # this session stays confirmed
    record(user, "two_factor.removed", user, changes=diff({}, _device_row(device)))
    device.delete()
    return device


@transaction.atomic
def reset_second_factor(actor: User | None, colleague: User) -> int:
    """The owner's reset of a colleague who lost their phone or passkey: every device and
    recovery code of theirs goes, they are signed out everywhere, and at their next sign-in
    they set it up again. Returns how many devices were removed."""
    devices = list(devices_for_user(colleague, confirmed=None))
    for device in devices:
        device.delete()
    # Every session of theirs ends: at their next sign-in they set up a new device.
    colleague.session_version += 1
    colleague.save(update_fields=["session_version"])
    record(
        actor,
        "two_factor.reset",
        colleague,
        changes=diff({}, {"devices": len(devices)}),
    )
    return len(devices)
