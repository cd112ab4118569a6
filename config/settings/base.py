"""Settings shared by every environment; values come from the environment (django-environ).

Without DATABASE_URL / CELERY_BROKER_URL / EMAIL_URL the embedded default runs: SQLite in WAL
mode, kombu's filesystem broker and email written to files, all under var/.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-coalition-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "coalition",
    "appeals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coalition.middleware.SellerPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'coalition.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # psycopg prepares nothing on its own (a threshold no query reaches: Django's queries stay
    # unprepared, as Django leaves them), yet honours an explicit prepare=True, which the co-sign
    # statement asks for (appeals/actions/signing.py). None would refuse that too.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits live here, so it must be shared between processes) ----------------
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "config.redis_cache.RedisCache"  # one client per pool

# --- auth ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "coalition.forms.account.SignupExtraForm"
SITE_NAME = env("SITE_NAME", default="Coalition")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "coalition.views.allauth.AccountAdapter"
ACCOUNT_USER_DISPLAY = "coalition.queries.sellers.display_name_of"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# allauth's own rate limits cover sign-up, login and password reset.
ACCOUNT_RATE_LIMITS = {
    "signup": env("RATE_SIGNUP", default="20/h/ip"),
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence never sits under a public URL: MEDIA is private and served through views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")),
            "base_url": None,
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- email --------------------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "config.email_backends.FileAndConsoleBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Coalition <noreply@coalition.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Platform replies (appeals/inbound): the mailbox address whose plus-addresses carry each round's
# token, and where it is read: an IMAP URL (imaps://user:pass@host/INBOX), else var/inbox/.
# Emails to sellers that fall due at night wait for 09:00 in the recipient's time zone.
OUTBOX_DAYTIME_HOLD = env.bool("OUTBOX_DAYTIME_HOLD", default=True)
INBOUND_ADDRESS = env("INBOUND_ADDRESS", default="appeals@coalition.localhost")
INBOUND_IMAP_URL = env("INBOUND_IMAP_URL", default="")
EMAIL_TIMEOUT = 20

# --- client address (every rate limit counts per address) ---------------------------------
# How many reverse proxies in front of the site append to X-Forwarded-For (README.md,
# Deploying). 0, the default: the header is ignored and the socket address is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "coalition.rules.client_address.client_ip"  # django-ratelimit
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "coalition.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "coalition.api.integers.BoundedPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coalition.api.exceptions.exception_handler",
    # Bodies of a plausible shape only: depth, item counts, field counts (a 400, never a 500).
    "DEFAULT_PARSER_CLASSES": [
        "coalition.api.parsers.JSONParser",
        "coalition.api.parsers.FormParser",
        "coalition.api.parsers.MultiPartParser",
    ],
    # DRF's default (None) trusts the whole X-Forwarded-For header, which any client writes.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {"join": "30/h", "sign": "120/h", "public_form": "10/h"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coalition API",
    "DESCRIPTION": "Grievances, memberships, appeal rounds and platform responses.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "state"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "GrievanceStateEnum": "coalition.models.Grievance.State",
        "StoreStateEnum": "coalition.models.Store.State",
        "MembershipStateEnum": "coalition.models.Membership.State",
        "GrievanceVisibilityEnum": "coalition.models.Grievance.Visibility",
        "EvidenceVisibilityEnum": "coalition.models.Evidence.Visibility",
        "EvidenceKindEnum": "coalition.categories.EvidenceKind",
        # appeals (rounds API)
        "AppealStateEnum": "appeals.models.Appeal.State",
        "AppealChannelEnum": "appeals.models.Appeal.Channel",
        "AppealOutcomeEnum": "appeals.models.Appeal.Outcome",
        "SubmissionOutcomeEnum": "appeals.models.Submission.Outcome",
        "ResponseChannelEnum": "appeals.models.PlatformResponse.Channel",
        "ResponseClassificationEnum": "appeals.models.PlatformResponse.Classification",
        "ClockStateEnum": "appeals.api.clocks.CLOCK_STATES",
        "CaseItemKindEnum": "appeals.api.my_cases.CASE_ITEM_KINDS",
    },
    # Out-of-range ?page= and id filters are a documented 400 (coalition/api/integers.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coalition.api.integers.document_refused_numbers",
    ],
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_queue / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# One queue for everything unless told otherwise (integration tests use a private one per run).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE: dict = {
    # Each entry expires before its next run, so a backlog never runs stale copies.
    "dispatch-follow-ups": {
        "task": "appeals.tasks.dispatch_due_follow_ups",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "sweep-outbox": {  # takes over expired outbox leases (docs/outbox.md)
        "task": "appeals.tasks.sweep_outbox",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "read-inbound": {  # platform replies from INBOUND_IMAP_URL or var/inbox/ (appeals/inbound)
        "task": "appeals.tasks.read_inbound",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "forget-rate-windows": {  # rate-limit counts of ended windows (coalition/actions/rates.py)
        "task": "coalition.tasks.forget_rate_windows",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
RATELIMIT_VIEW = "coalition.views.ratelimits.ratelimited"
