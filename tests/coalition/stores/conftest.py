"""Fixtures of the store tests."""

from __future__ import annotations

import pytest

from tests.factories import StoreFactory


@pytest.fixture
def others_store(platform):
    return StoreFactory(platform=platform, name="Someone else's", platform_store_id="SECRET-1")
