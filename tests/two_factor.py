"""Signing staff in for real in tests: a confirmed authenticator app and a session that has
passed the second step, exactly as the sign-in pages leave it (never a switch that turns the
requirement off)."""

from __future__ import annotations

import base64
import time

from django.http import HttpRequest
from django.test import Client as HttpClient
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from backcare.accounts.models import User

# The key of every test app, so a browser test can type its codes (base32 of 20 bytes).
TEST_KEY_HEX = "3132333435363738393031323334353637383930"


def app_device(user: User) -> TOTPDevice:
    """The person's confirmed authenticator app (made the first time)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user,
        name="Phone",
        defaults={"confirmed": True, "key": TEST_KEY_HEX},
    )
    return device


def code_for(device: TOTPDevice, key: bytes | None = None) -> str:
    """A code the app shows now that the server has not accepted yet (each is used once; the
    server accepts the step before and after too)."""
    device.refresh_from_db()
    totp = TOTP(key or device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    step = max(totp.t(), device.last_t + 1)
    assert step <= totp.t() + device.tolerance, "no unused code left in this 30 seconds"
    totp.time = now + (step - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret: str) -> str:
    """The current code for a key typed from the set-up page (base32, as people type it)."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{TOTP(base64.b32decode(padded)).token():06d}"


def pass_second_step(http: HttpClient, user: User) -> None:
    """Mark the test client's session as having passed the second step with the user's app."""
    request = HttpRequest()
    request.session = http.session
    request.user = user
    otp_login(request, app_device(user))
    request.session.save()


def signed_in(user: User) -> HttpClient:
    """A test client signed in as ``user``; for staff, with the second step passed."""
    http = HttpClient()
    http.force_login(user)
    if user.is_clinic_staff:
        pass_second_step(http, user)
    return http
