"""Settings for the benchmarks: production settings as deployed, served over plain http on
loopback (no TLS proxy in front), with the bench-only URLs. Never used outside bench/.

bench/_common.py sets the environment production settings require before this is imported.
"""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import CACHES, STORAGES

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"

# Plain http on loopback: no redirect to https, no https-only cookies, no HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# JSON endpoints only: no collectstatic manifest needed.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each run (and each size of bench/read) caches under its own prefix (bench/_common.py).
CACHES = {
    "default": {**CACHES["default"], "KEY_PREFIX": os.environ.get("BENCH_CACHE_KEY_PREFIX", "")}
}

# A log line per request would measure the terminal, not the site.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# bench/cosign measures POST /api/v1/appeals/<id>/signature/, which DRF throttles per user with
# the "sign" scope (120/h in production). The throttle stays on and keeps counting in the shared
# Redis cache, as deployed (one round trip per request: coalition/api/window_throttle.py); its rate is raised so that no
# mix of members and requests the script is given can turn an answer into a 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "sign": "1000000/h",
    },
}
