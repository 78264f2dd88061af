"""Settings of xieguan, read from the environment.

Defaults are for development on the embedded SQLite database; a production start
(DEBUG=false) must set SECRET_KEY and ALLOWED_HOSTS and fails loudly otherwise.
See README.md, section 配置 / Configuration.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from xieguan.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("XIEGUAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", True)


MIN_SECRET_KEY_LENGTH = 50


def _secret_key() -> str:
    key = envstr("SECRET_KEY", "")
    if key and not DEBUG and key.startswith("change-me"):
        raise ImproperlyConfigured(
            "SECRET_KEY is still the placeholder of deploy/env.example: set a random one "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if key and not DEBUG and len(key) < MIN_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters when DEBUG is false "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (production).")
    # Development: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false (production).")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# The installation's province (two-digit code): named on the pages seen before login.
XIEGUAN_PROVINCE = envstr("XIEGUAN_PROVINCE", "52")
if not (len(XIEGUAN_PROVINCE) == 2 and XIEGUAN_PROVINCE.isdigit()):
    raise ImproperlyConfigured(
        f"XIEGUAN_PROVINCE must be a two-digit province code, got {XIEGUAN_PROVINCE!r}"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",  # second factor (TOTP and recovery codes; docs/security.md)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "ninja",  # serves Swagger UI from its own static files, never a CDN
    # xieguan: one app per area of the domain
    "xieguan.regions",
    "xieguan.accounts",
    "xieguan.employers",
    "xieguan.inspections",
    "xieguan.leads",
    "xieguan.personnel",
    "xieguan.outreach",
    "xieguan.tasks",
    "xieguan.funding",
    "xieguan.indicators",
    "xieguan.documents",
    "xieguan.api",
    "xieguan.field",
    "xieguan.benchmarks",
    "xieguan.ops",
    "xieguan.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): passed the second factor
    "xieguan.ops.logs.RequestContextMiddleware",  # request id, user and region on every log line
    "xieguan.regions.policy.PolicyCacheMiddleware",  # per-province policies read once per request
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL byte or an out-of-range number is a 400 in Chinese, never a 500 (lib/badinput.py).
    "xieguan.lib.badinput.BadInputMiddleware",
    "xieguan.accounts.middleware.ActiveTermMiddleware",
    # A user with a second factor verifies it before any page (XIEGUAN_REQUIRE_2FA: admins enrol).
    "xieguan.accounts.middleware.SecondFactorMiddleware",
    "xieguan.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # An export link's "正在生成文件" ends when the answer begins: a cookie named by the link's
    # token (lib/downloads.py).
    "xieguan.lib.downloads.DownloadStartedMiddleware",
    # Deny by default: every view must declare how it is scoped (docs/scoping.md).
    "xieguan.lib.access.ScopeGuardMiddleware",
]

ROOT_URLCONF = "xieguan.urls"
WSGI_APPLICATION = "xieguan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xieguan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xieguan.lib.nav.navigation",
                "xieguan.accounts.context_processors.bell",
                "xieguan.regions.province.context",
            ],
            # {% once %}: a fragment the same for every request, rendered once per process
            "libraries": {"once": "xieguan.lib.once"},
        },
    },
]

# --- database -------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'xieguan.sqlite3'}"
_database_url = envstr("DATABASE_URL", DEFAULT_DATABASE_URL)
try:
    _db = dj_database_url.parse(
        _database_url,
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),  # 60 in production (README): no connect per request
        conn_health_checks=True,  # a persistent connection the database dropped is replaced, not used
    )
except Exception as exc:  # dj-database-url raises several types for bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed ({exc}): {_database_url!r}") from exc
if not _db.get("ENGINE"):
    raise ImproperlyConfigured(f"DATABASE_URL names no known database engine: {_database_url!r}")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")} if envbool("XIEGUAN_TEST_FILE_DB", False) else {}
# JIT compilation costs 70-170 ms on the indicator queries, which run in less (see
# docs/performance.md); the app runs short queries only, so it is off unless DB_JIT=true.
if _db["ENGINE"] == "django.db.backends.postgresql" and not envbool("DB_JIT", False):
    _db.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend loading the session's user with region and bell count in one
    # statement (xieguan/accounts/backends.py).
    "xieguan.accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "xieguan.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes; docs/security.md). A username is locked after
# AXES_FAILURE_LIMIT failures from any addresses (a guesser who changes address is still
# stopped); an address is locked after XIEGUAN_LOGIN_ADDRESS_LIMIT failures for any usernames
# (password spraying: few tries for many names). The address limit is higher because an office
# or a mobile network puts many users behind one address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "xieguan.accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the address throttle counts them
AXES_RESET_ON_SUCCESS = True
XIEGUAN_LOGIN_ADDRESS_LIMIT = envint("XIEGUAN_LOGIN_ADDRESS_LIMIT", 20)
# Second factor (django-otp; docs/security.md): any account may enrol a TOTP app at 我的账号 →
# 两步验证; with XIEGUAN_REQUIRE_2FA on, province and county admins must. Wrong codes are
# throttled per device (1, 2, 4 … seconds after successive failures).
XIEGUAN_REQUIRE_2FA = envbool("XIEGUAN_REQUIRE_2FA", False)

# Statements compiled once per process (xieguan.lib.prepared) are also compiled afresh on every
# use and compared with the cached one when this is on (the test suite turns it on).
XIEGUAN_CHECK_PREPARED = envbool("XIEGUAN_CHECK_PREPARED", False)
OTP_TOTP_ISSUER = "职业健康监督协管"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Reverse proxies of our own in front of the app (deploy/: nginx = 1); the client's address is
# read from X-Forwarded-For that many entries from the right (xieguan/lib/clientip.py).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "xieguan.lib.clientip.client_ip"
AXES_VERBOSE = False
# Not in the Django admin: its pages list every province's usernames, addresses and browsers to
# any province admin. A lock-out is lifted in the app (账号 → 解除锁定), scoped to the region.
AXES_ENABLE_ADMIN = False

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Only languages with a translation catalogue are offered (docs/decisions.md 13): every UI text is
# written in Simplified Chinese and marked for translation; add ("en", _("English")) here once
# xieguan/locale/en/LC_MESSAGES/django.po exists, and the login page offers it by itself.
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "xieguan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and private files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "xieguan" / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    # Uploaded photos and signatures are private: no MEDIA_URL, served only by scoped views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# Behind nginx: private files are streamed by nginx after the app's scope check (lib/files.py,
# deploy/nginx/xieguan.conf). Empty: the app streams them itself (development, tests).
XIEGUAN_ACCEL_REDIRECT = envstr("XIEGUAN_ACCEL_REDIRECT", "")
if XIEGUAN_ACCEL_REDIRECT and not (
    XIEGUAN_ACCEL_REDIRECT.startswith("/") and XIEGUAN_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured("XIEGUAN_ACCEL_REDIRECT must start and end with '/', e.g. /_private/")
# Retention (个人信息保护法), applied daily by `manage.py applyretention`: a complainant's name and
# contact are erased this many days after the lead is closed; lead, 协查 and publicity photos are
# deleted this many days after they were uploaded. Inspection photos (附表1) belong to the official
# case record and are kept unless the operator sets their own period (docs/decisions.md 10).
# 0 keeps for ever.
XIEGUAN_RETENTION_COMPLAINANT_DAYS = envint("XIEGUAN_RETENTION_COMPLAINANT_DAYS", 3 * 365)
XIEGUAN_RETENTION_PHOTO_DAYS = envint("XIEGUAN_RETENTION_PHOTO_DAYS", 5 * 365)
XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS = envint("XIEGUAN_RETENTION_INSPECTION_PHOTO_DAYS", 0)
# PDF fallback fonts for characters WQY Micro Hei lacks (CJK Extensions A-F): Debian's
# fonts-hanazono by default, used when installed (xieguan/documents/fonts.py).
XIEGUAN_PDF_FALLBACK_FONTS = envlist(
    "XIEGUAN_PDF_FALLBACK_FONTS",
    ["/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"],
)
XIEGUAN_MAX_IMAGE_BYTES = envint("XIEGUAN_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
# Uploaded workbooks (ledger and roster imports, lib/tabular.py): at most this many data rows,
# and at most this many bytes once unzipped (a zip bomb is refused before openpyxl reads it).
XIEGUAN_IMPORT_MAX_ROWS = envint("XIEGUAN_IMPORT_MAX_ROWS", 20_000)
XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES = envint("XIEGUAN_IMPORT_MAX_UNZIPPED_BYTES", 150 * 1024 * 1024)
# Part of the service worker's version (xieguan/field): a new value makes every phone fetch the
# app shell again even when no static file changed (e.g. the deployment's commit id).
XIEGUAN_RELEASE = envstr("XIEGUAN_RELEASE", "")

# --- security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# axes.W006 asks for 'ip_address' in AXES_LOCKOUT_PARAMETERS: addresses are locked by our own
# throttle instead (XIEGUAN_LOGIN_ADDRESS_LIMIT, above), with a higher limit than usernames.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if not DEBUG and SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # preload is an opt-in decision per deployment

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- email ----------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "xieguan@localhost")

# --- logging --------------------------------------------------------------------------
# LOG_FORMAT=json (the default in production): one JSON object per line with the request id,
# user id, role and region (xieguan/ops/logs.py); text is easier to read in development.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "xieguan.ops.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(user_id)s %(role)s %(region)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[%(request_id)s u%(user_id)s %(region)s] %(message)s"
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own per-request lines repeat ours (xieguan.request) and would carry query strings.
        "django.server": {"level": "WARNING"},
        "xieguan.request": {"level": envstr("LOG_REQUESTS", "INFO")},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# Paginators with upper bounds (xieguan/api/pagination.py): a huge offset is a 422, not a 500.
NINJA_PAGINATION_CLASS = "xieguan.api.pagination.BoundedLimitOffsetPagination"
