"""Admin fixtures: a client signed in as staff."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client
