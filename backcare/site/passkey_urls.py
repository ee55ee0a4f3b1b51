"""django-otp-webauthn's endpoints under the names its scripts ask for (``otp_webauthn:``),
each behind the access policy (site/two_factor.py)."""

from django.urls import path

from backcare.site import two_factor as views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        views.passkey_registration_begin,
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.passkey_registration_complete,
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.passkey_verification_begin,
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.passkey_verification_complete,
        name="credential-authentication-complete",
    ),
    path("words.js", views.passkey_words, name="js-i18n-catalog"),
]
