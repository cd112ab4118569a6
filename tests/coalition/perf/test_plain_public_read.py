"""The plain public read (coalition/api/public.py `plain_public_read`): an anonymous JSON read of
a cached grievance list or detail, served before DRF's dispatch, answers exactly what DRF's
dispatch answers; only a plain request takes that way; and a miss reads the cache once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIClient

from coalition.api import grievances as grievances_api

pytestmark = pytest.mark.django_db

# What a client reads of an answer besides its status and body.
HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "Allow",
    "Content-Security-Policy",
    "X-Frame-Options",
)


def answer(client: APIClient, path: str, **headers) -> tuple[int, bytes, dict]:
    r = client.get(path, **headers)
    return r.status_code, r.content, {h: r[h] for h in HEADERS if r.has_header(h)}


def both_ways(monkeypatch, path: str, **headers) -> tuple[tuple, tuple]:
    """The second anonymous read of `path` (a hit) with the plain read on, then, from an empty
    cache, through DRF alone."""
    answers = []
    for plain in (True, False):
        with monkeypatch.context() as patch:
            if not plain:
                patch.setattr(grievances_api, "plain_public_read", lambda view, request: None)
            cache.clear()
            client = APIClient()
            answer(client, path, **headers)
            answers.append(answer(client, path, **headers))
    return answers[0], answers[1]


def drf_requests(monkeypatch) -> list:
    built = []
    init = Request.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Request, "__init__", counted)
    return built


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_cached_list_and_detail_answer_as_through_drf(
    settled, monkeypatch, grievance, membership, accept, language
):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    for path in (
        "/api/v1/grievances/",
        f"/api/v1/grievances/?q={grievance.title.split()[0]}&page_size=5",
        f"/api/v1/grievances/{grievance.pk}/",
    ):
        plain, drf = both_ways(monkeypatch, path, **headers)
        assert plain[0] == 200
        assert plain == drf, path


def test_a_hit_builds_no_drf_request(settled, monkeypatch, grievance):
    client = APIClient()
    path = f"/api/v1/grievances/{grievance.pk}/"
    first = client.get(path)
    built = drf_requests(monkeypatch)
    again = client.get(path)
    assert again.content == first.content
    assert built == []
    client.get(path, HTTP_ACCEPT="text/html")
    assert built  # the browsable API is DRF's


def test_a_miss_reads_the_cache_once_and_is_kept(settled, monkeypatch, grievance):
    path = "/api/v1/grievances/"
    reads = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))
    built = drf_requests(monkeypatch)
    client = APIClient()
    client.get(path)  # a miss: built by DRF, kept
    assert len(reads) == 1 and len(built) == 1
    client.get(path)  # a hit: served plain
    assert len(reads) == 2 and len(built) == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_ACCEPT": "text/html"}, 200),  # the browsable API
        ({"HTTP_ACCEPT": "application/json; indent=4"}, 200),
        ({"HTTP_ACCEPT": ""}, 406),  # DRF accepts nothing for an empty Accept
        ({"QUERY_STRING": "format=json"}, 200),
    ],
)
def test_a_read_that_is_not_plain_goes_through_drf(
    settled, monkeypatch, grievance, headers, status
):
    client = APIClient()
    path = f"/api/v1/grievances/{grievance.pk}/"
    client.get(path)  # kept for the plain read
    built = drf_requests(monkeypatch)
    assert client.get(path, **headers).status_code == status
    assert built


def test_a_bad_token_is_refused_even_when_an_answer_is_cached(settled, grievance):
    path = "/api/v1/grievances/"
    assert APIClient().get(path).status_code == 200  # kept
    refused = APIClient(HTTP_AUTHORIZATION="Token not-a-token").get(path)
    assert refused.status_code in (401, 403)
    assert "results" not in refused.json()


def test_members_never_read_the_anonymous_answer(settled, monkeypatch, grievance, membership):
    path = f"/api/v1/grievances/{grievance.pk}/"
    anonymous = APIClient().get(path).json()
    assert anonymous["my_membership"] is None
    by_session = APIClient()
    by_session.force_login(membership.seller.user)
    by_token = APIClient(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=membership.seller.user).key}"
    )
    built = drf_requests(monkeypatch)
    for client in (by_session, by_token):
        assert client.get(path).json()["my_membership"] is not None
    assert len(built) == 2


def test_only_the_list_and_a_canonical_detail_are_read_plainly(settled, monkeypatch, grievance):
    client = APIClient()
    client.get(f"/api/v1/grievances/{grievance.pk}/")  # kept
    built = drf_requests(monkeypatch)
    # Another GET of the same viewset caches nothing: DRF serves it, and refuses a visitor.
    assert client.get(f"/api/v1/grievances/{grievance.pk}/timeline/").status_code in (401, 403)
    assert len(built) == 1
    # "05" is not cached (no scope would be bumped for it): DRF serves it too.
    assert client.get(f"/api/v1/grievances/0{grievance.pk}/").status_code == 200
    assert len(built) == 2
