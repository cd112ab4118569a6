"""`manage.py demo_rounds` (after demo_data): a round open for signing and a submitted round with
the platform's answer, loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from appeals.management.commands.demo_rounds import ANSWERED_TITLE, SIGNING_TITLE
from appeals.models import Appeal, PlatformResponse, Signature
from tests.conftest import use_private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def packet_storage(settings, tmp_path):
    return use_private_storage(settings, tmp_path)


def load(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_demo_rounds_need_the_demo_grievances_first():
    with pytest.raises(Exception, match="demo_data"):
        load("demo_rounds")


def test_the_demo_has_a_round_open_for_signing_and_an_answered_one():
    load("demo_data")
    assert "created" in load("demo_rounds")
    signing = Appeal.objects.get(grievance__title=SIGNING_TITLE)
    assert signing.state == Appeal.State.SIGNING and signing.signing_deadline is not None
    # Everyone but Mei signed: she is left to try signing herself.
    signers = set(
        Signature.objects.filter(appeal=signing).values_list(
            "membership__seller__user__email", flat=True
        )
    )
    assert signers == {"sam@demo.coalition.test"}
    answered = Appeal.objects.get(grievance__title=ANSWERED_TITLE)
    assert answered.submitted_at is not None and answered.case_reference
    response = PlatformResponse.objects.get(appeal=answered)
    assert response.classification == PlatformResponse.Classification.REJECTED
    assert answered.state != Appeal.State.SUBMITTED  # the answer moved the round on


def test_demo_rounds_twice_creates_nothing_the_second_time():
    load("demo_data")
    load("demo_rounds")
    before = (Appeal.objects.count(), Signature.objects.count(), PlatformResponse.objects.count())
    assert "nothing changed" in load("demo_rounds")
    assert (
        Appeal.objects.count(),
        Signature.objects.count(),
        PlatformResponse.objects.count(),
    ) == before


def test_a_member_can_open_the_demo_round_to_sign(client):
    load("demo_data")
    load("demo_rounds")
    signing = Appeal.objects.get(grievance__title=SIGNING_TITLE)
    client.login(username="sam@demo.coalition.test", password="coalition-demo")
    assert client.get(signing.get_absolute_url()).status_code == 200
