"""Outbox fixtures: frozen time at NOON and a real SMTP server on loopback for this process."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.integration.smtp import SMTPServer

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings):
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.recorder.release.set()
    server.stop()
