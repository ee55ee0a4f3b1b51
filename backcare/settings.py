"""Backcare settings: one file, driven by environment variables (README.md, Configuration)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext

from backcare.lib import filecrypt
from backcare.lib.env import ConfigError, env_bool, env_int, env_int_list, env_list, env_str

# Lets generic classes such as ModelAdmin[Client] be subscripted at run time (django-stubs).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The clinic's name and reply address, on letters to physicians and in emails.
CLINIC_NAME = env_str("CLINIC_NAME", "Backcare Massage Therapy")
CLINIC_EMAIL = env_str("CLINIC_EMAIL", "")
# Online card payments through Stripe Checkout: on only when both are set (docs/billing.md).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")

INSTALLED_APPS = [
    "backcare.site.apps.BackcareAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "backcare.accounts",
    "backcare.audit",
    "backcare.clinic",
    "backcare.scheduling",
    "backcare.booking",
    "backcare.intake",
    "backcare.screening",
    "backcare.care",
    "backcare.notes",
    "backcare.holds",
    "backcare.outcomes",
    "backcare.analytics",
    "backcare.demo",
    "backcare.staff",
    "backcare.portal",
    "backcare.waitlist",
    "backcare.notices",
    "backcare.emails",
    "backcare.feeds",
    "backcare.signup",
    "backcare.documents",
    "backcare.billing",
    "backcare.systems",
    "backcare.interop",
    "corsheaders",
    "ninja",  # the API's documentation page, served from its own static files
    "backcare.api",
    "backcare.imports",
    "backcare.backups",
]

MIDDLEWARE = [
    # The clinic's clock (12- or 24-hour) is read afresh by each request that shows a time.
    "backcare.scheduling.clock.ClockMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks; it answers only CORS_URLS_REGEX.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second step of signing in?
    "backcare.accounts.middleware.SecondStepSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "backcare.accounts.middleware.IdleLogoutMiddleware",
    # Staff (and clients who chose it) reach no page but the second step until they pass it.
    "backcare.accounts.middleware.SecondFactorMiddleware",
    # Nothing a signed-in person is shown is kept by the browser or a proxy.
    "backcare.accounts.middleware.NoStoreMiddleware",
    "backcare.audit.middleware.AuditContextMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backcare.urls"
# Form widgets render through TEMPLATES, so widget templates can live in backcare/templates
# (widgets/body_chart.html); "django.forms" above supplies Django's own widget templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "backcare.wsgi.application"
# Called when a web server process starts (backcare/wsgi.py), before its first request: the
# statistics libraries of the clinic analytics take a few seconds to import and first run.
WARM_UP_AT_STARTUP = ["backcare.analytics.stats.warm_up"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backcare" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backcare.site.navigation.navigation",
                "backcare.portal.context_processors.client_navigation",
            ],
            # {{ value|clock }}: every time of day in the clinic's 12- or 24-hour clock.
            "builtins": ["backcare.scheduling.templatetags.clock"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL in production (DATABASE_URL); an SQLite file in the project folder otherwise, in WAL
# mode with IMMEDIATE transactions so that writers queue instead of failing half-way.
SQLITE_PATH = BASE_DIR / env_str("SQLITE_FILE", "backcare.sqlite3")
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    try:
        _database = dict(dj_database_url.parse(_database_url, conn_max_age=60))
    except ValueError as error:
        message = f"DATABASE_URL is not a database address Backcare understands: {error}"
        raise ConfigError(message) from None
    if _database.get("ENGINE") != "django.db.backends.postgresql":
        raise ConfigError("DATABASE_URL must be a postgres:// address (SQLite is the default).")
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SQLITE_PATH,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Lockout (SPEC §7): after 10 failures for one account, from any addresses, django-axes refuses
# signing in to it (Backcare's page, HTTP 429: accounts/lockout.py) until 15 minutes after the
# last failure; the Django admin's sign-in too. Every sign-in must pass the request to
# authenticate(). The owner unlocks someone with `backcare axes_reset_username EMAIL` or in the
# admin (docs/operations.md, Sign-in protection).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
# Per account, whatever the addresses (guessing one password from many machines), and per
# address across accounts (password spraying): at most 10 failures in 15 minutes either way.
# The price: anyone who knows an address can lock that account for 15 minutes.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful sign-in clears the failures of that account from that address only (axes' own
# reset would clear every failure from the address, so one known password would hide a spray;
# failures from other addresses still count for the account): accounts/receivers.py.
AXES_RESET_ON_SUCCESS = False
# Attempts while locked out neither count nor extend the lock: it ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "backcare.accounts.lockout.email_tried"
AXES_CLIENT_IP_CALLABLE = "backcare.audit.context.client_ip"
AXES_LOCKOUT_CALLABLE = "backcare.accounts.lockout.locked_out"
# Successful sign-ins and sign-outs are in Backcare's own audit log (accounts/receivers.py).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Password reset requests answered with an email, per hour (site/password_reset.py).
PASSWORD_RESETS_PER_EMAIL_HOUR = 5
PASSWORD_RESETS_PER_IP_HOUR = 20
# The public booking page (new clients from the clinic's website): how many times one address
# may hold a time, and sign up, in any hour. Bots are turned away by these and a honeypot field.
WEBSITE_HOLDS_PER_IP_HOUR = env_int("WEBSITE_HOLDS_PER_IP_HOUR", 10, minimum=1)
WEBSITE_SIGNUPS_PER_IP_HOUR = env_int("WEBSITE_SIGNUPS_PER_IP_HOUR", 5, minimum=1)
# The clinic's own sites that may show the booking page in a frame (the embed snippet), e.g.
# https://clinic.example. None: the page can still be linked to, never framed.
BOOKING_EMBED_ORIGINS = env_list("BOOKING_EMBED_ORIGINS", [])
# The text-message provider for reminders. Unset: Backcare sends no text messages, and clients
# are not offered them.
SMS_PROVIDER = env_str("SMS_PROVIDER", "")
# … and, as for signing in, at most 10 from one address in 15 minutes.
PASSWORD_RESETS_PER_IP_15_MINUTES = 10

# Two-step sign-in (SPEC §7, accounts/second_factor.py): every member of staff confirms their
# sign-in with a code from an authenticator app, a passkey or a recovery code; clients may
# choose to. Passkeys never replace the password here (no passwordless sign-in).
OTP_TOTP_ISSUER = CLINIC_NAME
OTP_WEBAUTHN_RP_NAME = CLINIC_NAME
# A passkey belongs to the site's host name (SITE_URL's). Browsers accept passkeys only over
# HTTPS or at localhost, so on a development machine (127.0.0.1) they work at
# http://localhost:<port>.
_site = urlsplit(SITE_URL)
if _site.hostname in ("127.0.0.1", "localhost"):
    OTP_WEBAUTHN_RP_ID = "localhost"
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{_site.port or 80}"]
else:
    OTP_WEBAUTHN_RP_ID = _site.hostname or ""
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{_site.netloc}"]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# --- Time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "backcare" / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False
# Uploaded clinical documents live outside any public URL and are served through the policy,
# encrypted at rest and readable by the server's user only (backcare/private_files.py).
PRIVATE_MEDIA_ROOT = BASE_DIR / env_str("PRIVATE_MEDIA_DIR", "private-media")
# The keys of documents and backups: the first encrypts, every one decrypts (key rotation:
# docs/operations.md). Required in production, as SECRET_KEY is; derived from it in development.
_file_keys = env_list("BACKCARE_FILE_KEYS", [])
if not _file_keys:
    if not DEBUG:
        raise ConfigError(
            "BACKCARE_FILE_KEYS must be set in production: the key that encrypts documents "
            f"and backups ({filecrypt.KEY_HELP})."
        )
    _file_keys = [filecrypt.development_key(SECRET_KEY)]
try:
    BACKCARE_FILE_KEYS = filecrypt.parse_keys(_file_keys)
except filecrypt.BadKey as problem:
    raise ConfigError(f"BACKCARE_FILE_KEYS: {problem}.") from None
# The audit log's chain is keyed (HMAC-SHA256, audit/chain.py), so that someone who can write
# the database but lacks the key cannot forge a link. The key is derived from AUDIT_KEY, or from
# SECRET_KEY when AUDIT_KEY is unset; it is never stored in the database. AUDIT_OLD_KEYS lists
# the earlier values, oldest first, after a change of key: `backcare audit verify` needs them
# for the rows written before (docs/operations.md, The audit log's chain).
AUDIT_KEY = env_str("AUDIT_KEY", "") or SECRET_KEY
if not DEBUG and len(AUDIT_KEY) < 32:
    raise ConfigError("AUDIT_KEY must be at least 32 characters long in production.")
AUDIT_OLD_KEYS = env_list("AUDIT_OLD_KEYS", [])
STORAGES["private"] = {
    "BACKEND": "backcare.private_files.PrivateStorage",
    "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Backcare <no-reply@backcare.local>")
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An email that could not be sent this many times (1, 2, 4 … minutes apart, at most six hours)
# is marked undeliverable and listed for the owner, who can try it again.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 12, minimum=1)

# --- Cache ----------------------------------------------------------------------------------
# Kept in the database (table made by accounts migration 0004), so that limits such as password
# resets per hour hold across every worker process and application server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backcare_cache",
    }
}

# --- Background tasks -----------------------------------------------------------------------
# Email leaves through a queue kept in the database; `backcare worker` sends it (`make run`
# starts one beside the web server). docs/operations.md says what happens when none runs.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Appointment reminders go out this many hours before the start (SPEC §4: 48 h and 2 h).
REMINDER_HOURS = env_int_list("REMINDER_HOURS", [48, 2], minimum=1)
# A waitlist offer of a freed slot can be accepted for this long before it passes to the next.
WAITLIST_OFFER_MINUTES = env_int("WAITLIST_OFFER_MINUTES", 120, minimum=5)

# --- Outcome measures (SPEC §5, docs/outcomes.md) -------------------------------------------
# A clinic's own instrument files (a FHIR Questionnaire and its scoring rule), read after the
# shipped ones; a file with a shipped id replaces it. Relative paths are from the project folder.
OUTCOMES_INSTRUMENTS_DIR: Path | None = None
if env_str("OUTCOMES_INSTRUMENTS_DIR", ""):
    OUTCOMES_INSTRUMENTS_DIR = BASE_DIR / env_str("OUTCOMES_INSTRUMENTS_DIR")
    if not OUTCOMES_INSTRUMENTS_DIR.is_dir():
        raise ConfigError(f"OUTCOMES_INSTRUMENTS_DIR must be a folder: {OUTCOMES_INSTRUMENTS_DIR}")
# The Roland-Morris questionnaire (24 yes/no items) is optional per clinic.
OUTCOMES_RMDQ = env_bool("OUTCOMES_RMDQ", False)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content security policy (django-csp): only Backcare's own scripts, styles and images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# How many reverse proxies (each appending to X-Forwarded-For) stand in front of Backcare: the
# client's address, for sign-in lockout, reset limits and the audit log, is the one the outermost
# trusted proxy saw. 0 (the default) trusts no header and uses the connection's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Sessions end after this many minutes without a request (SPEC §7, idle logout).
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, minimum=1)
CLIENT_IDLE_MINUTES = env_int("CLIENT_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = 60 * 60 * 12

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- The REST API and the website booking widget (docs/interop.md) --------------------------
# The clinic's own websites, whose pages may call the public part of the API (services and free
# times) from the booking widget: e.g. `https://clinic.example,https://www.clinic.example`.
CORS_ALLOWED_ORIGINS = env_list("WIDGET_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/v1/public/.*$"
CORS_ALLOW_METHODS = ("GET", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
# Requests per minute to the public API from one address (the widget makes two or three a view).
API_PUBLIC_PER_MINUTE = env_int("API_PUBLIC_PER_MINUTE", 60, minimum=1)
