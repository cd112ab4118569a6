"""Production settings: `manage.py check --deploy` reports nothing, and missing configuration fails
loudly instead of falling back to the embedded defaults under var/.

Each case runs manage.py in a subprocess: settings are read once per process, and these must be
read fresh from the environment given here, not from the test settings already loaded.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "coalition.example",
    "SITE_URL": "https://coalition.example",
    # No connection is opened by the checks below; these only have to be well-formed.
    "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/coalition-deploy-check.sqlite3"),
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
    "EMAIL_URL": "smtp://mail.coalition.example:587",
    "CACHE_URL": "rediscache://127.0.0.1:6379/9",
}


def manage(*args: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "CACHE_URL",
        "SITE_URL",
    ],
)
def test_production_settings_refuse_to_start_without(missing):
    result = manage("check", **{missing: None})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    "cache_url", ["locmemcache://", "filecache:///tmp/coalition-cache", "dummycache://"]
)
def test_production_rate_limit_cache_must_be_redis(cache_url):
    result = manage("check", CACHE_URL=cache_url)

    assert result.returncode != 0
    assert "CACHE_URL must point at Redis" in result.stderr
