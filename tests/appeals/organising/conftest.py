"""Fixtures for the organisers-at-scale pages (tests/appeals/organising/builders.py makes the
members in bulk)."""

from __future__ import annotations

import pytest

from tests.appeals.organising.builders import bulk_members


@pytest.fixture
def make_members():
    return bulk_members
