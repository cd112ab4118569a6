"""Fixtures for the coalition's loop (summons, decision notices, announcements, remind now):
time frozen on a Monday morning in Los Angeles (builders.MONDAY)."""

from __future__ import annotations

import pytest
import time_machine

from tests.appeals.builders import MONDAY


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller
