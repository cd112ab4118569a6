"""API fixtures: one client per role."""

from __future__ import annotations

import pytest


@pytest.fixture
def clients(api_client, outsider_api, member_api, organiser_api, staff_api):
    return {
        "anonymous": api_client,
        "outsider": outsider_api,
        "member": member_api,
        "organiser": organiser_api,
        "staff": staff_api,
    }
