"""The benchmark's settings: Backcare's own (production mode, from the environment that
``bench/run.py`` sets) plus two measuring endpoints (``bench/urls.py``)."""

from backcare.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Measure the product, not a password hash: the racers' sessions are made directly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The benchmark runs without collectstatic: templates get plain static URLs, as in the tests.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The race answers 409 ninety times a round; Django would log each as a warning.
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "ERROR"}},
}
