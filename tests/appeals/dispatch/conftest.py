"""Dispatcher fixtures: frozen time, both ways of claiming, and a recording job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from appeals import jobs

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["skip_locked", "conditional_update"])
def claim_path(request, monkeypatch):
    """Run each test through both ways of claiming (PostgreSQL's and SQLite's)."""
    monkeypatch.setattr(
        connection.features, "has_select_for_update_skip_locked", request.param == "skip_locked"
    )
    return request.param


@pytest.fixture
def recorded(monkeypatch):
    """Replace the next_round job with a recorder; returns the list of follow-ups it ran."""
    ran: list[str] = []
    monkeypatch.setitem(jobs.JOBS, "next_round", lambda fu, now: ran.append(fu.key))
    return ran
