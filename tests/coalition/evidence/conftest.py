"""Fixtures of the evidence tests: every test stores its files in a fresh private folder."""

from __future__ import annotations

import pytest

from tests.conftest import use_private_storage


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    return use_private_storage(settings, tmp_path)
