"""The member list organisers work through: permissions, search, each filter, paging, the bulk
actions, and a query count that stays flat from 50 to 5,000 members."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import Appeal, Notification, Signature, Submission
from coalition.models import AuditEvent, Membership
from tests.appeals.builders import make_round
from tests.appeals.organising.builders import bulk_members
from tests.factories import GrievanceFactory, SignatureFactory, SubmissionFactory


def list_url(grievance, **params) -> str:
    url = reverse("appeals:member_list", args=[grievance.pk])
    if params:
        url += "?" + urlencode(params)
    return url


def names(response) -> list[str]:
    return [row.membership.seller.display_name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 403), ("member", 403), ("organiser", 200), ("staff", 200)],
)
def test_only_organisers_and_staff_open_the_member_list(client_as, grievance, role, status):
    assert client_as(role).get(list_url(grievance)).status_code == status


def test_the_member_list_finds_a_member_by_store_name(client_as, grievance):
    bulk_members(grievance, 30)
    response = client_as("organiser").get(list_url(grievance, q="Shop m17"))
    assert names(response) == ["Seller m17"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [("Seller m3", ["Seller m3"]), ("m4@example.com", ["Seller m4"]), ("SID-m5", ["Seller m5"])],
)
def test_the_member_list_searches_name_email_and_store_id(client_as, grievance, q, expected):
    bulk_members(grievance, 6)
    assert names(client_as("organiser").get(list_url(grievance, q=q))) == expected


def test_the_state_filter_keeps_members_waiting_for_verification(client_as, grievance):
    bulk_members(grievance, 3, prefix="j")
    bulk_members(grievance, 2, prefix="v", state=Membership.State.VERIFIED)
    response = client_as("organiser").get(list_url(grievance, state="joined"))
    assert sorted(names(response)) == ["Seller j0", "Seller j1", "Seller j2"]
    organisers = names(client_as("organiser").get(list_url(grievance, state="organiser")))
    assert organisers == ["Olivia Organiser"]


def test_signed_and_not_signed_filters_follow_the_round_number(client_as, grievance):
    members = bulk_members(grievance, 4, state=Membership.State.VERIFIED)
    round1 = make_round(grievance, Appeal.State.SIGNING)
    SignatureFactory(appeal=round1, membership=members[0])
    withdrawn = SignatureFactory(appeal=round1, membership=members[1])
    Signature.objects.filter(pk=withdrawn.pk).update(withdrawn_at=round1.created_at)
    organiser = client_as("organiser")
    assert names(organiser.get(list_url(grievance, signed=1))) == ["Seller m0"]
    not_signed = names(organiser.get(list_url(grievance, not_signed=1, q="Seller m")))
    assert not_signed == ["Seller m1", "Seller m2", "Seller m3"]
    assert names(organiser.get(list_url(grievance, signed=2))) == []


def test_own_appeal_and_outcome_filters(client_as, grievance):
    members = bulk_members(grievance, 3, state=Membership.State.VERIFIED)
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    SubmissionFactory(appeal=appeal, membership=members[0], outcome=Submission.Outcome.DENIED)
    SubmissionFactory(appeal=appeal, membership=members[1], outcome=Submission.Outcome.REINSTATED)
    organiser = client_as("organiser")
    assert names(organiser.get(list_url(grievance, filed="yes"))) == ["Seller m0", "Seller m1"]
    assert "Seller m0" not in names(organiser.get(list_url(grievance, filed="no")))
    assert names(organiser.get(list_url(grievance, outcome="reinstated"))) == ["Seller m1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"signed": "two"}, "signed"), ({"state": "bogus"}, "state"), ({"outcome": "won"}, "outcome")],
)
def test_a_bad_filter_is_a_400_with_the_fields_message_not_an_unfiltered_list(
    client_as, grievance, params, field
):
    bulk_members(grievance, 3)
    response = client_as("organiser").get(list_url(grievance, **params))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert response.context["rows"] == []


def test_the_member_list_is_paginated(client_as, grievance):
    bulk_members(grievance, 120)
    first = client_as("organiser").get(list_url(grievance))
    assert len(first.context["rows"]) == 50
    last = client_as("organiser").get(list_url(grievance, page=3))
    assert len(last.context["rows"]) == 22  # 120 members, the organiser and the `member`


def _query_count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "Shop"}, {"filed": "no", "signed": 1}])
def test_member_list_queries_stay_flat_from_50_to_5000_members(
    client_as, grievance, django_assert_num_queries, params
):
    client = client_as("organiser")
    appeal = make_round(grievance, Appeal.State.SIGNING)
    members = bulk_members(grievance, 50, prefix="a", state=Membership.State.VERIFIED)
    Signature.objects.bulk_create([Signature(appeal=appeal, membership=m) for m in members])
    small = _query_count(client, list_url(grievance, **params))
    more = bulk_members(grievance, 4950, prefix="b", state=Membership.State.VERIFIED)
    Signature.objects.bulk_create([Signature(appeal=appeal, membership=m) for m in more])
    with django_assert_num_queries(small):
        response = client.get(list_url(grievance, **params))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_the_grievance_page_stays_short_and_flat_at_5000_members(
    client_as, grievance, django_assert_num_queries
):
    client = client_as("organiser")
    bulk_members(grievance, 50, prefix="a")
    small = _query_count(client, grievance.get_absolute_url())
    bulk_members(grievance, 4950, prefix="b")
    with django_assert_num_queries(small):
        response = client.get(grievance.get_absolute_url())
    body = response.content.decode()
    assert body.count('class="list-item-title"') <= 12  # the queue of ten, not 5,000 rows
    assert "5,002" in body and "Waiting for verification" in body  # with organiser, `member`
    assert reverse("appeals:member_list", args=[grievance.pk]) in body


def bulk(client, grievance, action, members, **extra):
    return client.post(
        reverse("appeals:member_bulk", args=[grievance.pk]),
        {"action": action, "members": [m.pk for m in members], **extra},
    )


def test_bulk_verify_verifies_the_chosen_waiting_members_with_one_timeline_entry(
    client_as, grievance
):
    members = bulk_members(grievance, 60)
    response = bulk(client_as("organiser"), grievance, "verify", members[:50])
    assert response.status_code == 302
    states = dict(Membership.objects.filter(grievance=grievance).values_list("pk", "state"))
    assert sum(states[m.pk] == "verified" for m in members) == 50
    assert all(states[m.pk] == "joined" for m in members[50:])
    events = AuditEvent.objects.filter(grievance=grievance, verb="membership.bulk_verified")
    assert [e.data["count"] for e in events] == [50]


def test_bulk_verify_leaves_members_of_other_grievances_alone(client_as, grievance, platform):
    elsewhere = bulk_members(GrievanceFactory(platform=platform), 2, prefix="x")
    bulk(client_as("organiser"), grievance, "verify", elsewhere)
    assert set(
        Membership.objects.filter(pk__in=[m.pk for m in elsewhere]).values_list("state", flat=True)
    ) == {"joined"}


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_members_cannot_bulk_verify(client_as, grievance, role):
    members = bulk_members(grievance, 2)
    assert bulk(client_as(role), grievance, "verify", members).status_code == 403
    assert not Membership.objects.filter(pk__in=[m.pk for m in members], state="verified").exists()


def test_bulk_remind_emails_the_chosen_unsigned_members_once_a_day(
    client_as, grievance, django_capture_on_commit_callbacks
):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    members = bulk_members(grievance, 5, state=Membership.State.VERIFIED)
    SignatureFactory(appeal=appeal, membership=members[0])
    organiser = client_as("organiser")
    bulk(organiser, grievance, "remind", members[:3])
    bulk(organiser, grievance, "remind", members[:3])
    reminded = Notification.objects.filter(kind="signing_reminder", appeal=appeal)
    assert sorted(reminded.values_list("to_email", flat=True)) == [
        "m1@example.com",
        "m2@example.com",
    ]
    assert AuditEvent.objects.filter(verb="round.members_reminded", subject="round:1").exists()


def test_bulk_remind_without_an_open_round_says_so(client_as, grievance):
    members = bulk_members(grievance, 2)
    response = bulk(client_as("organiser"), grievance, "remind", members, next="/")
    assert not Notification.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("No round is open for signing" in m for m in messages)


def test_bulk_without_members_says_to_choose_some(client_as, grievance):
    response = client_as("organiser").post(
        reverse("appeals:member_bulk", args=[grievance.pk]), {"action": "verify"}
    )
    assert response.status_code == 302
    assert any("Choose at least one member" in str(m) for m in response.wsgi_request._messages)
