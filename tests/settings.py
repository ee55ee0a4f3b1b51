"""The test run's environment: the real settings (backcare/settings.py) with test values."""

import atexit
import contextlib
import os
import tempfile
from typing import Any, cast

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SQLITE_FILE", "test-backcare.sqlite3")
# Uploaded documents from the tests go to a fresh folder, never the clinic's: one per test
# process (pytest-xdist workers inherit the controller's environment, and a test that counts
# the files on disk must not see a file another worker is saving). A command a test starts
# inherits its worker's folder.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
if os.environ.get("BACKCARE_TEST_MEDIA_WORKER") != _WORKER:
    os.environ["PRIVATE_MEDIA_DIR"] = tempfile.mkdtemp(prefix=f"backcare-private-{_WORKER}-")
    os.environ["BACKCARE_TEST_MEDIA_WORKER"] = _WORKER
# The tests' own key for documents and backups (production refuses to start without one).
os.environ.setdefault("BACKCARE_FILE_KEYS", "dGVzdC1vbmx5LWZpbGUta2V5LTAxMjM0NTY3ODkwMTI=")

from backcare.settings import *  # noqa: E402, F403 (the environment above comes first)

# Argon2 is deliberately slow; tests hash many passwords. tests/test_settings.py and
# tests/test_accounts.py prove the real settings use Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Queued email runs at once, in the test's own thread, so a test sees it in mail.outbox right
# after the transaction commits (django_capture_on_commit_callbacks). The immediate backend
# cannot wait, so reminders are not planned with it; tests/notices/ switch to the real database
# backend (override_settings) where the queue itself is under test.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No collected static files in tests: the app finders serve them (WHITENOISE_USE_FINDERS),
# looked up when asked for, as in development (WhiteNoise's autorefresh). Without it, each test
# client, starting its own middleware, had WhiteNoise walk every static file first: about 20 ms
# a client, a few thousand times a run.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_AUTOREFRESH = True

# The test databases are thrown away, so no commit waits for the disk (a crash of the machine
# could lose the last commits, which no test survives anyway): what each connection sees, and
# when, is the same as in production.
_OPTIONS = cast("dict[str, Any]", DATABASES["default"].setdefault("OPTIONS", {}))  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _OPTIONS["options"] = f"{_OPTIONS.get('options', '')} -c synchronous_commit=off".strip()
else:
    _OPTIONS["init_command"] = _OPTIONS["init_command"].replace(
        "PRAGMA synchronous=NORMAL;", "PRAGMA synchronous=OFF;"
    )
    assert "synchronous=OFF" in _OPTIONS["init_command"]

# On SQLite the test database is a file, as in production, not Django's default shared
# in-memory one: a real multi-threaded server (the browser tests, the booking race) then gets
# one connection per request thread, and concurrent writers queue (WAL, IMMEDIATE) instead of
# failing with "database table is locked".
# One file per test process (in the temporary folder, removed when the run ends), so two runs
# never share a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _TEST_SQLITE = os.path.join(tempfile.gettempdir(), f"backcare-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _TEST_SQLITE}  # noqa: F405

    @atexit.register
    def _remove_test_database() -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(_TEST_SQLITE + suffix)


# Every audit action must be registered with its sentence (backcare/audit/labels.py).
AUDIT_STRICT = True
