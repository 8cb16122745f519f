"""Django settings for Kvitt.

Everything that differs between a laptop and production comes from the environment;
docs/OPERATIONS.md lists the variables.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KVITT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KVITT_DEBUG", True)
# The default key is for a laptop only; production refuses to start without its own.
SECRET_KEY = os.environ.get("KVITT_SECRET_KEY", "kvitt-dev-only-not-a-secret")
if not DEBUG and SECRET_KEY.startswith("kvitt-dev-only"):
    raise RuntimeError("KVITT_SECRET_KEY must be set when KVITT_DEBUG is off")
ALLOWED_HOSTS = os.environ.get("KVITT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
KVITT_BASE_URL = os.environ.get("KVITT_BASE_URL", "http://127.0.0.1:8000")

# Kvitt's own apps, in dependency order; each owns its models, services, api and views.
KVITT_APPS = [
    "core",
    "network",
    "ledger",
    "cases",
    "booking",
    "einvoice",
    "claims",
    "helfo",
    "interregion",
    "payments",
    "receivables",
    "reconciliation",
    "notify",
    "ops",
    "web",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
] + [f"kvitt.{app}" for app in KVITT_APPS]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kvitt.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kvitt.core.nulguard.NulGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kvitt.core.middleware.ActingOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kvitt.urls"
WSGI_APPLICATION = "kvitt.wsgi.application"
ASGI_APPLICATION = "kvitt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kvitt.core.context_processors.acting",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kvitt.sqlite3'}"),
        conn_max_age=int(os.environ.get("KVITT_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets the web process and the worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

# Login rate limit: five failures lock the username+address pair for fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("KVITT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kvitt" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("KVITT_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
KVITT_CONTENT_SECURITY_POLICY = os.environ.get(
    "KVITT_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# Behind TLS (production), browsers are told to stay on HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("KVITT_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = env_bool("KVITT_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KVITT_BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_AGE = int(os.environ.get("KVITT_SESSION_SECONDS", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KVITT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
KVITT_REDIS_URL = os.environ.get("KVITT_REDIS_URL", "redis://127.0.0.1:6379/0")
# The RQ/Redis backend is a setting only: KVITT_TASK_BACKEND=django_tasks_rq.RQBackend.
from kvitt.ops.taskbackend import rq_settings  # noqa: E402

_rq = rq_settings(TASKS["default"]["BACKEND"], KVITT_REDIS_URL)
INSTALLED_APPS += _rq["INSTALLED_APPS"]
TASKS["default"].update(_rq["TASKS_DEFAULT"])
RQ_QUEUES = _rq["RQ_QUEUES"]
KVITT_TASK_LEASE_SECONDS = int(os.environ.get("KVITT_TASK_LEASE_SECONDS", "300"))

EMAIL_BACKEND = os.environ.get(
    "KVITT_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if not DEBUG else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("KVITT_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KVITT_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KVITT_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KVITT_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KVITT_SMTP_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KVITT_FROM_EMAIL", "kvitt@localhost")

# HMAC key for webhooks Kvitt signs and links it hands out (patient pages, invitations).
KVITT_SIGNING_KEY = os.environ.get("KVITT_SIGNING_KEY", SECRET_KEY)
# Where the official test material lives (tests skip cleanly when it is absent).
KVITT_SHARED_DIR = Path(os.environ.get("KVITT_SHARED_DIR", BASE_DIR.parent / "shared"))
KVITT_UBL_XSD_DIR = Path(os.environ.get("KVITT_UBL_XSD_DIR", KVITT_SHARED_DIR / "fixtures" / "ubl-2.1-xsd"))
KVITT_PEPPOL_ARTIFACTS = os.environ.get("KVITT_PEPPOL_ARTIFACTS", "")
# Where EHF invoices go: a directory drop (development) or an access-point provider's REST API.
KVITT_ACCESS_POINT = {
    "transport": os.environ.get("KVITT_AP_TRANSPORT", "directory"),
    "directory": os.environ.get("KVITT_AP_DIRECTORY", str(VAR_DIR / "access-point")),
    "base_url": os.environ.get("KVITT_AP_URL", ""),
    "token": os.environ.get("KVITT_AP_TOKEN", ""),
    "timeout": float(os.environ.get("KVITT_AP_TIMEOUT", "30")),
    "webhook_secret": os.environ.get("KVITT_AP_WEBHOOK_SECRET", ""),
}
# Optional VATEX code on VAT category E invoices (by default only the § 3-2 text is sent).
KVITT_EHF_VAT_E_REASON_CODE = os.environ.get("KVITT_EHF_VAT_E_REASON_CODE", "")
# Reverse proxies (nginx) whose verified client-certificate header the inter-regional
# producer endpoint trusts; nobody else's.
KVITT_INTERREGION_TRUSTED_PROXIES = [p for p in os.environ.get("KVITT_INTERREGION_TRUSTED_PROXIES", "").split(",") if p]
# Helfo's KUHR Krav API (docs/integrations/helfo.md); unset = BKM XML files for the portal only.
KVITT_HELFO = {
    key: os.environ[f"KVITT_HELFO_{key}"]
    for key in ("KUHR_BASE_URL", "TOKEN_ENDPOINT", "AUDIENCE", "CLIENT_ID", "CLIENT_KEY_FILE", "KEY_ID", "JWK_PATH")
    if os.environ.get(f"KVITT_HELFO_{key}")
}
KVITT_HELFO_OUTBOX = Path(os.environ.get("KVITT_HELFO_OUTBOX", VAR_DIR / "helfo" / "outbox"))
# SMS gateway for patient notices: {"backend": "file"} writes var/sms/; "http" posts to a provider.
KVITT_SMS = {"backend": os.environ.get("KVITT_SMS_BACKEND", "file"), "url": os.environ.get("KVITT_SMS_URL", ""),
             "token": os.environ.get("KVITT_SMS_TOKEN", "")}

# JSON lines by default (KVITT_LOG_FORMAT=text for a laptop); national ids are masked always.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"patient_identity": {"()": "kvitt.core.logging.PatientIdentityFilter"}},
    "formatters": {
        "json": {"()": "kvitt.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("KVITT_LOG_FORMAT", "json"),
            "filters": ["patient_identity"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KVITT_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- ops (metrics) ---
MIDDLEWARE = ["kvitt.ops.metrics.PrometheusMiddleware", *MIDDLEWARE]  # times requests, answers /metrics

# --- ops (outbox ordering) ---
# How long a worker holds a booking webhook before another may send it again (its worker died).
KVITT_OUTBOX_LEASE_SECONDS = int(os.environ.get("KVITT_OUTBOX_LEASE_SECONDS", "60"))

# --- field encryption (issue #11: identity data at rest) ---
# Fernet keys for encrypted fields, newest first (the first encrypts, all decrypt), and the
# HMAC key of the blind index that finds a national id again. `kvitt keys generate` makes
# keys; `kvitt keys rotate` re-encrypts with the first. Unset on a laptop or in tests: keys
# are made once into VAR_DIR/secrets (kvitt.core.fieldcrypto). Production needs both.
KVITT_FIELD_KEYS = [k.strip() for k in os.environ.get("KVITT_FIELD_KEYS", "").split(",") if k.strip()]
KVITT_SEARCH_KEY = os.environ.get("KVITT_SEARCH_KEY", "").strip()
if not DEBUG and not (KVITT_FIELD_KEYS and KVITT_SEARCH_KEY):
    raise RuntimeError("KVITT_FIELD_KEYS and KVITT_SEARCH_KEY must be set when KVITT_DEBUG is off")

# --- security: accounts ---
# Two-factor authentication (TOTP) for staff roles that see patient identity or clinical
# data and for admin users; kvitt/core/twofactor.py. API tokens (machine credentials) are
# not asked; a session used on the API is. The devices are kvitt.core.models.TOTPDevice
# (seed encrypted with KVITT_FIELD_KEYS), not django-otp's otp_totp plugin, which keeps the
# seed in clear: that app is not installed (core migration 0004 moved its rows).
KVITT_2FA_REQUIRED = env_bool("KVITT_2FA_REQUIRED", True)
INSTALLED_APPS += ["django_otp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, "django_otp.middleware.OTPMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("kvitt.core.middleware.ActingOrganisationMiddleware") + 1, "kvitt.core.twofactor.TwoFactorMiddleware"
)
OTP_TOTP_ISSUER = os.environ.get("KVITT_2FA_ISSUER", "Kvitt")
OTP_TOTP_THROTTLE_FACTOR = 1  # waits of 1, 2, 4, 8 … seconds after wrong codes in a row

# Sessions: a working day for staff, gone when the browser closes (unless switched off).
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("KVITT_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
_samesite = os.environ.get("KVITT_COOKIE_SAMESITE", "Lax").strip().capitalize()
if _samesite not in ("Lax", "Strict"):
    raise RuntimeError("KVITT_COOKIE_SAMESITE must be Lax or Strict")
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = _samesite
SESSION_COOKIE_NAME = "sessionid"  # kvitt.core.apiauth.SessionAuth reads this name
# When Kvitt is served over TLS (redirect on, or behind a TLS proxy), cookies are Secure
# whatever KVITT_SECURE_COOKIES says: a session cookie must never travel in clear text.
if SECURE_SSL_REDIRECT or SECURE_PROXY_SSL_HEADER:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
# Origins allowed to POST besides the host itself (e.g. https://kvitt.example.no behind a
# proxy that rewrites Host); scheme included, comma-separated.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("KVITT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
# HSTS preloading commits the whole domain and its subdomains: the operator decides.
SECURE_HSTS_PRELOAD = env_bool("KVITT_HSTS_PRELOAD", False)
# Load balancers probe these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Login rate limit behind a proxy: the client address from X-Forwarded-For (kvitt/core/clientip.py).
KVITT_PROXY_HOPS = int(os.environ.get("KVITT_PROXY_HOPS", "1" if SECURE_PROXY_SSL_HEADER else "0"))
AXES_CLIENT_IP_CALLABLE = "kvitt.core.clientip.client_ip"
