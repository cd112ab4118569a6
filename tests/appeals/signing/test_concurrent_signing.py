"""50 members sign one round at the same moment, 20 of them twice: exactly 50 signatures, no error.
Real threads, each with its own database connection, released together by a barrier. PostgreSQL
only (the `postgres` fixture skips locally and fails in CI without it): SQLite serialises writers,
so it cannot show the race. The data it needs comes from factories, so the flush a transactional
test ends with costs later tests nothing.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from appeals.actions.signing import sign
from appeals.models import Appeal, Signature
from coalition.models import AuditEvent
from tests.appeals.builders import add_members, make_round

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

MEMBERS, TWICE = 50, 20


def _race(work, users) -> list:
    """Run work(user) for every user in its own thread, all released at once; return the results
    (or the exceptions raised)."""
    barrier = threading.Barrier(len(users))
    results: list = [None] * len(users)

    def run(i: int, user) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(user)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def crowd(postgres, grievance):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    users = [m.seller.user for m in add_members(grievance, MEMBERS)]
    return appeal, users + users[:TWICE]


def test_fifty_members_sign_at_once_through_the_action(crowd):
    appeal, users = crowd
    results = _race(lambda user: sign(appeal, actor=user), users)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert Signature.objects.filter(appeal=appeal).count() == MEMBERS
    assert Signature.objects.filter(appeal=appeal).counted().count() == MEMBERS
    assert Counter(r.newly_signed for r in results) == {True: MEMBERS, False: TWICE}
    assert AuditEvent.objects.filter(verb="round.signed").count() == MEMBERS


def test_fifty_members_sign_at_once_through_the_api(crowd):
    appeal, users = crowd

    def post(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client.post(f"/api/v1/appeals/{appeal.pk}/signature/", {}, format="json").status_code

    codes = _race(post, users)
    assert [c for c in codes if isinstance(c, Exception)] == []
    assert Counter(codes) == {201: MEMBERS, 200: TWICE}
    assert Signature.objects.filter(appeal=appeal).counted().count() == MEMBERS
    assert AuditEvent.objects.filter(verb="round.signed").count() == MEMBERS
