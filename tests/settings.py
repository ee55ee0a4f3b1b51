"""The test run's environment: the real settings (backcare/settings.py) with test values."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SQLITE_FILE", "test-backcare.sqlite3")

from backcare.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests hash many passwords. tests/test_settings.py and
# tests/test_accounts.py prove the real settings use Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No collected static files in tests: the app finders serve them (WHITENOISE_USE_FINDERS).
STATIC_ROOT = None  # type: ignore[assignment]
