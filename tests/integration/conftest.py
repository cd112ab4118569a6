"""Integration fixtures: PostgreSQL, the real Redis broker, a real Celery worker process and a real
SMTP server on loopback.

The worker runs `celery -A config worker` against the pytest-django *test* database (the test
process and the worker share it, so tests use `django_db(transaction=True)`), listens on a queue
private to this test session (so no other worker on the machine can take its tasks, and it takes
no one else's), and sends mail to the aiosmtpd server started here (TEST_EMAIL_URL, honoured only
by config/settings/test.py).

Without PostgreSQL or Redis these tests skip locally and fail in CI (tests.conftest.require_service).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from config.celery_app import app
from tests.conftest import require_service
from tests.integration.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
QUEUE = f"coalition-it-{uuid.uuid4().hex[:10]}"
LEASE_SECONDS = 15


def _redis_answers(url: str) -> bool:
    if not url.startswith("redis://"):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def services(django_db_setup, django_db_blocker) -> dict:
    """PostgreSQL (the test database's URL) and a flushed Redis broker database."""
    with django_db_blocker.unblock():
        vendor, settings_dict = connection.vendor, dict(connection.settings_dict)
    require_service("PostgreSQL", vendor == "postgresql", "set DATABASE_URL=postgres://…")
    require_service("Redis", _redis_answers(BROKER_URL), "set CELERY_BROKER_URL=redis://…")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    return {"database_url": database_url(settings_dict)}


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.recorder.release.set()
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The session's SMTP server, running and empty at the start of each test."""
    if not smtp_server.running:
        smtp_server.start()
    smtp_server.recorder.reset()
    yield smtp_server
    smtp_server.recorder.release.set()


class Worker:
    """A `celery worker` process (prefork, 2 pool processes) in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        celery = Path(sys.executable).parent / "celery"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    str(celery),
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=2",
                    "-Q",
                    QUEUE,
                    "-n",
                    f"{QUEUE}-{uuid.uuid4().hex[:6]}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the Celery worker exited:\n{self.tail(offset)}")
            if b" ready." in self.log.read_bytes()[offset:]:
                return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"the Celery worker did not become ready in {timeout}s:\n{self.tail(offset)}")

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once: a crash, nothing cleans up."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def tail(self, offset: int = 0) -> str:
        return self.log.read_bytes()[offset:][-4000:].decode(errors="replace")


@pytest.fixture
def worker(services, smtp_server, tmp_path_factory):
    """A real worker on this session's private queue, one per test (a test that kills it starts
    it again). It is stopped before pytest-django flushes the test database: a worker still
    finishing redelivered tasks would hold locks that the flush's TRUNCATE waits on (deadlock)."""
    import redis

    # Messages a previous test left (redeliveries after a kill) must not leak into this one.
    redis.Redis.from_url(BROKER_URL).delete(
        QUEUE, f"{QUEUE}\x06\x163", f"{QUEUE}\x06\x166", f"{QUEUE}\x06\x169"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": services["database_url"],
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "TEST_EMAIL_URL": smtp_server.url,
        "TEST_OUTBOX_RETRY_BASE_SECONDS": "1",
        # Leases of seconds, not minutes: a dead worker's claims are taken over within a test.
        "TEST_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "TEST_FOLLOW_UP_LEASE_SECONDS": str(LEASE_SECONDS),
        "DB_CONN_MAX_AGE": "0",  # the test database is flushed between tests: no idle sessions
        "PYTHONUNBUFFERED": "1",
    }
    # This process publishes to the same private queue.
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    proc = Worker(env, tmp_path_factory.mktemp("worker") / "worker.log")
    proc.start()
    yield proc
    proc.stop()
    app.conf.task_default_queue = previous
