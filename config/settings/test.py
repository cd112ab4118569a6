"""Tests: PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set (CI), else SQLite."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate limits are exercised by their own tests, which use a shared cache explicitly.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / "var" / "test-private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
ACCOUNT_RATE_LIMITS = False
IN_CI = env.bool("CI", default=False)

# Integration tests (tests/integration) start a real SMTP server on loopback and hand its address
# to the Celery worker they start; nothing else sets this.
if env("TEST_EMAIL_URL", default=""):
    vars().update(env.email_url("TEST_EMAIL_URL"))
# Unit tests never reach a broker: they assert what was queued and send in-process. Without a
# CELERY_BROKER_URL, a stray .delay() stays in memory instead of landing in var/broker, where a
# `make run` worker would pick it up.
if not env("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
# Outbox retries come back within seconds, so an integration test can outlast an SMTP outage.
OUTBOX_RETRY_BASE_SECONDS = env.float("TEST_OUTBOX_RETRY_BASE_SECONDS", default=1.0)
# Leases of outbox claims and fan-out follow-ups (docs/outbox.md): short in integration tests, so a
# dead worker's rows are taken over within seconds.
OUTBOX_LEASE_SECONDS = env.float("TEST_OUTBOX_LEASE_SECONDS", default=90.0)
FOLLOW_UP_LEASE_SECONDS = env.float("TEST_FOLLOW_UP_LEASE_SECONDS", default=90.0)
