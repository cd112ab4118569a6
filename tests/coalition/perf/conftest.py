import pytest

from coalition import cache as public_cache


@pytest.fixture
def settled(monkeypatch):
    """Versions settle at once, so answers are kept right after a write (the real delay is
    covered by its own test)."""
    monkeypatch.setattr(public_cache, "SETTLE_SECONDS", 0.0)
