"""schemathesis against /api/schema/, served by the Django WSGI app in-process.

Every operation is called with generated requests, once anonymously and once with a token of a
seller who organises a grievance, has a store and belongs to another grievance, so that the
authenticated paths (not just their 403s) are exercised. Generated ids mostly miss, so each case
is sent a second time with its path pointing at real objects. Checks: no server error and every
body matches the schema for its status code; for the coalition endpoints also that every status
code and content type is documented and undocumented methods get 405.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from coalition.models import Grievance
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    SellerFactory,
    StoreFactory,
)

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, response_schema_conformance]
# Also held to every status code, content type and method being documented: the coalition
# endpoints (appeals' endpoints join once they document their error responses). Not
# negative_data_rejection: DRF accepts a number where a string is expected, and an invalid
# ?page_size= falls back to the default page size, both by design.
STRICT_TAGS = {"platforms", "stores", "me", "auth", "grievances"}
STRICT_CHECKS = [status_code_conformance, content_type_conformance, unsupported_method]


@pytest.fixture
def same_connection():
    """Keep Django from closing the test's connection after each in-process request, as
    django.test.Client does: the whole run stays inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, settings) -> dict:
    """A small world: public, unlisted and hidden grievances, an organiser with a store."""
    # The join limit has its own test; here it would turn most joins into 429s.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "join": "10000/h"},
    }
    cache.clear()
    platform = PlatformFactory(name="Wishful", slug="wishful")
    organiser = SellerFactory(display_name="Olivia Organiser")
    store = StoreFactory(seller=organiser, platform=platform)
    public = GrievanceFactory(platform=platform, title="Payouts frozen after policy change")
    OrganiserFactory(grievance=public, seller=organiser)
    members = [
        MembershipFactory(
            grievance=public, amount_withheld=Decimal(100 + i), consent_to_name=bool(i % 2)
        )
        for i in range(5)
    ]
    GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    GrievanceFactory(platform=platform, hidden=True)
    elsewhere = GrievanceFactory(platform=platform)
    OrganiserFactory(grievance=elsewhere)
    MembershipFactory(grievance=elsewhere, seller=organiser)
    return {
        "user": organiser.user,
        "grievance": public.pk,
        "store": store.pk,
        "membership_id": members[0].pk,
        "slug": platform.slug,
    }


@pytest.fixture(params=["anonymous", "token"])
def caller_headers(request, api_data, same_connection) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    token, _ = Token.objects.get_or_create(user=api_data["user"])
    return {"Authorization": f"Token {token.key}"}


def real_path(case, api_data: dict) -> dict:
    """The case's path parameters, pointed at objects that exist."""
    ids = {
        **api_data,
        "id": api_data["store" if case.path.startswith("/api/v1/stores/") else "grievance"],
    }
    return {name: ids.get(name, value) for name, value in case.path_parameters.items()}


def _load_schema():
    # Loaded once, at collection, through the WSGI app; one test per operation and caller.
    # (schemathesis.pytest.from_fixture would load it per test, but its lazy runner relies on a
    # pytest Node attribute that pytest 9 no longer has.)
    from config.wsgi import application

    # The coverage phase sends positive boundary cases only: its negative cases (every wrong
    # type of every field) took minutes; the fuzzing phase still sends invalid requests.
    config = schemathesis.Config.from_dict(
        {"phases": {"coverage": {"generation": {"mode": "positive"}}}}
    )
    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


schema = _load_schema()


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_matches_its_schema_and_never_fails(case, caller_headers, api_data):
    checks = CHECKS + (STRICT_CHECKS if STRICT_TAGS & set(case.operation.tags or ()) else [])
    case.call_and_validate(headers=caller_headers, checks=checks)
    if case.path_parameters:
        pinned = case.operation.Case(
            path_parameters=real_path(case, api_data),
            query=case.query,
            headers=case.headers,
            body=case.body,
            media_type=case.media_type,
        )
        pinned.call_and_validate(headers=caller_headers, checks=checks)
