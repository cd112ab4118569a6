"""Email fixtures: a round open for signing since NOON, and absolute links on http://testserver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import AppealFactory

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def signing(grievance):
    return AppealFactory(
        grievance=grievance,
        state="signing",
        signing_opened_at=NOON,
        signing_deadline=NOON + timedelta(days=7),
    )


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"
