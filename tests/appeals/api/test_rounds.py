"""The rounds API: what each caller sees, the round's moves, signing, submissions, and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal, PlatformResponse, Signature, Submission
from coalition.models import AuditEvent
from tests.appeals.builders import add_members, make_round
from tests.factories import (
    MembershipFactory,
    PlatformResponseFactory,
    SellerFactory,
    SignatureFactory,
    SubmissionFactory,
    UserFactory,
)

S = Appeal.State
pytestmark = pytest.mark.django_db


def _url(appeal, action=""):
    return f"/api/v1/appeals/{appeal.pk}/" + (f"{action}/" if action else "")


# --- reading --------------------------------------------------------------------------------


def test_outsiders_see_sent_rounds_without_the_letter(outsider_api, grievance):
    make_round(grievance, S.DRAFT)
    sent = make_round(grievance, S.SUBMITTED)
    body = outsider_api.get("/api/v1/appeals/", {"grievance": grievance.pk}).json()
    assert [r["id"] for r in body["results"]] == [sent.pk]
    row = body["results"][0]
    assert row["letter"] is None and row["case_reference"] is None
    assert row["number"] == sent.number and row["state"] == "submitted"
    detail = outsider_api.get(_url(sent)).json()
    assert detail["letter"] is None and detail["responses"] == [] and detail["submissions"] == []
    assert detail["annex"] == [] and detail["my_signature"] is None


def test_members_see_letters_but_not_drafts(member_api, grievance, membership):
    make_round(grievance, S.DRAFT)
    signing = make_round(grievance, S.SIGNING, letter="Sign this.")
    rows = member_api.get("/api/v1/appeals/").json()["results"]
    assert [(r["id"], r["letter"]) for r in rows] == [(signing.pk, "Sign this.")]


def test_organisers_see_every_round(organiser_api, grievance):
    rounds = [make_round(grievance, s) for s in (S.RESPONDED, S.WITHDRAWN, S.DRAFT)]
    rows = organiser_api.get("/api/v1/appeals/").json()["results"]
    assert [r["id"] for r in rows] == [a.pk for a in rounds]
    assert organiser_api.get("/api/v1/appeals/", {"state": "draft"}).json()["count"] == 1


def test_detail_shows_the_round_page(member_api, member, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED, signature_goal=4)
    SignatureFactory(appeal=appeal, membership=membership, consent_to_name=True)
    for m in add_members(grievance, 2, consent_to_name=True):
        SignatureFactory(appeal=appeal, membership=m, consent_to_name=True)
    SubmissionFactory(appeal=appeal, membership=membership, ticket_reference="MINE-1")
    SubmissionFactory(appeal=appeal, ticket_reference="THEIRS-1", outcome="reinstated")
    PlatformResponseFactory(appeal=appeal)
    body = member_api.get(_url(appeal)).json()
    assert body["signature_count"] == 3 and body["progress_percent"] == 75
    assert body["my_signature"]["signed"] and body["my_signature"]["counted"]
    assert body["my_submission"]["ticket_reference"] == "MINE-1"
    assert [s["ticket_reference"] for s in body["submissions"]] == ["MINE-1"]  # never another's
    assert body["totals"]["filed"] == 2 and body["totals"]["outcomes"] == {
        "pending": 1,
        "reinstated": 1,
    }
    assert len(body["responses"]) == 1
    assert (
        body["allowed_moves"] == [] and body["can_organise"] is False and body["is_member"] is True
    )
    assert body["clock"]["state"] in {"on_time", "due_today"}
    assert len(body["annex"]) == 2  # Mia did not consent on her membership


def test_organisers_see_every_submission_with_ticket_references(organiser_api, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    SubmissionFactory.create_batch(3, appeal=appeal)
    body = organiser_api.get(_url(appeal, "submissions")).json()
    assert body["count"] == 3 and all(r["ticket_reference"] for r in body["results"])
    assert organiser_api.get(_url(appeal)).json()["allowed_moves"] == [
        "request_information",
        "record_response",
    ]


# --- drafting and moves ---------------------------------------------------------------------


def test_create_drafts_round_one(organiser_api, grievance):
    response = organiser_api.post(
        "/api/v1/appeals/", {"grievance": grievance.pk, "channel": "email"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 1 and body["state"] == "draft" and body["channel"] == "email"
    assert grievance.title in body["subject"]


def test_create_asks_for_a_reason_when_nothing_is_new(organiser_api, grievance):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    response = organiser_api.post("/api/v1/appeals/", {"grievance": grievance.pk}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "confirmation_required"
    assert "Art. 23" in body["errors"]["reason"][0]
    response = organiser_api.post(
        "/api/v1/appeals/",
        {"grievance": grievance.pk, "reason": "New evidence by post"},
        format="json",
    )
    assert (
        response.status_code == 201
        and response.json()["new_round_reason"] == "New evidence by post"
    )


def test_create_for_an_unreachable_grievance_is_a_field_error(organiser_api, grievance):
    grievance.hidden = True
    grievance.save()
    response = organiser_api.post("/api/v1/appeals/", {"grievance": 999999}, format="json")
    assert response.status_code == 400 and "grievance" in response.json()["errors"]


def test_a_wrong_move_is_a_400_naming_the_state(organiser_api, grievance):
    appeal = make_round(grievance, S.DRAFT)
    response = organiser_api.post(_url(appeal, "close_signing"))
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_state" and "Draft" in response.json()["detail"]


def test_the_round_journey_through_the_api(organiser_api, member_api, grievance, membership):
    appeal_id = organiser_api.post(
        "/api/v1/appeals/", {"grievance": grievance.pk}, format="json"
    ).json()["id"]
    appeal = Appeal.objects.get(pk=appeal_id)
    assert (
        organiser_api.patch(_url(appeal), {"letter": "Our letter."}, format="json").json()["letter"]
        == "Our letter."
    )
    deadline = (timezone.now() + timedelta(days=5)).isoformat()
    assert (
        organiser_api.post(
            _url(appeal, "open_signing"), {"deadline": deadline}, format="json"
        ).json()["state"]
        == "signing"
    )
    assert member_api.post(_url(appeal, "signature"), {}, format="json").status_code == 201
    assert organiser_api.post(_url(appeal, "close_signing")).json()["state"] == "ready"
    missing = organiser_api.post(_url(appeal, "submit"), {}, format="json")
    assert missing.status_code == 400 and "case_reference" in missing.json()["errors"]
    body = organiser_api.post(
        _url(appeal, "submit"), {"case_reference": "CS-1"}, format="json"
    ).json()
    assert body["state"] == "submitted" and body["response_due_at"]
    info = {
        "received_at": timezone.now().isoformat(),
        "channel": "email",
        "text": "Send invoices.",
        "classification": "info_requested",
    }
    assert organiser_api.post(_url(appeal, "responses"), info, format="json").status_code == 201
    assert organiser_api.get(_url(appeal)).json()["clock"]["label"].startswith("paused")
    assert (
        organiser_api.post(_url(appeal, "information_sent"), {}, format="json").json()["state"]
        == "submitted"
    )
    logged = member_api.post(
        _url(appeal, "submissions"),
        {"submitted_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert logged.status_code == 201
    decision = {**info, "text": "No.", "classification": "rejected"}
    assert organiser_api.post(_url(appeal, "responses"), decision, format="json").status_code == 201
    outcome = member_api.post(
        _url(appeal, f"submissions/{logged.json()['id']}/outcome"),
        {"outcome": "funds_released", "amount_recovered": "99.90", "currency": "USD"},
        format="json",
    )
    assert outcome.status_code == 200 and outcome.json()["amount_recovered"] == "99.90"
    assert [r["classification"] for r in member_api.get(_url(appeal, "responses")).json()] == [
        "info_requested",
        "rejected",
    ]
    assert Appeal.objects.get(pk=appeal.pk).outcome == "rejected"


def test_editing_a_frozen_letter_is_a_field_error(organiser_api, grievance):
    appeal = make_round(grievance, S.SIGNING)
    response = organiser_api.patch(_url(appeal), {"letter": "late change"}, format="json")
    assert response.status_code == 400 and "letter" in response.json()["errors"]


# --- signing --------------------------------------------------------------------------------


def test_signing_twice_answers_201_then_200_with_the_same_body(member_api, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    first = member_api.post(_url(appeal, "signature"), {"consent_to_name": True}, format="json")
    second = member_api.post(_url(appeal, "signature"), {"consent_to_name": True}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["signed"] and first.json()["consent_to_name"] is True
    assert Signature.objects.count() == 1
    assert AuditEvent.objects.filter(verb="round.signed").count() == 1


def test_my_signature_before_and_after_withdrawing(member_api, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    assert member_api.get(_url(appeal, "signature")).json()["signed"] is False
    member_api.post(_url(appeal, "signature"), {}, format="json")
    assert member_api.get(_url(appeal, "signature")).json()["signed"] is True
    assert member_api.delete(_url(appeal, "signature")).status_code == 204
    assert member_api.delete(_url(appeal, "signature")).status_code == 204
    body = member_api.get(_url(appeal, "signature")).json()
    assert body["signed"] is False and body["withdrawn_at"]


def test_unverified_members_are_told_to_confirm_their_email(grievance):

    user = UserFactory(verified=False)
    MembershipFactory(grievance=grievance, seller=SellerFactory(user=user))
    client = APIClient()
    client.force_login(user)
    appeal = make_round(grievance, S.SIGNING)
    response = client.post(_url(appeal, "signature"), {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "email_unverified"


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
        "DEFAULT_PAGINATION_CLASS": "coalition.api.pagination.Pagination",
        "EXCEPTION_HANDLER": "coalition.api.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "DEFAULT_THROTTLE_RATES": {"sign": "3/h"},
    }
)
def test_signing_is_rate_limited(member_api, grievance, membership):
    cache.clear()
    appeal = make_round(grievance, S.SIGNING)
    codes = [
        member_api.post(_url(appeal, "signature"), {}, format="json").status_code for _ in range(4)
    ]
    assert codes == [201, 200, 200, 429]
    assert member_api.get(_url(appeal, "signature")).status_code == 200  # reading is not limited
    cache.clear()


# --- query counts -----------------------------------------------------------------------------


def _populate(grievance, appeal, n: int) -> None:
    for m in add_members(grievance, n, consent_to_name=True):
        SignatureFactory(appeal=appeal, membership=m, consent_to_name=True)
        SubmissionFactory(appeal=appeal, membership=m)
    PlatformResponseFactory.create_batch(n, appeal=appeal)


@pytest.mark.parametrize("role", ["organiser", "member", "outsider"])
def test_round_detail_query_count_does_not_grow(
    role, request, django_assert_num_queries, grievance, membership
):
    client = request.getfixturevalue(f"{role}_api")
    appeal = make_round(grievance, S.SUBMITTED)
    _populate(grievance, appeal, 2)
    client.get(_url(appeal))  # warm caches (content types, session)

    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(appeal)).status_code == 200
    _populate(grievance, appeal, 25)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(_url(appeal)).json()
    assert body["signature_count"] == 27


def test_round_list_query_count_does_not_grow(organiser_api, django_assert_num_queries, grievance):
    for _ in range(2):
        make_round(grievance, S.RESPONDED)
    organiser_api.get("/api/v1/appeals/")
    with CaptureQueriesContext(connection) as small:
        organiser_api.get("/api/v1/appeals/")
    for _ in range(15):
        _populate(grievance, make_round(grievance, S.RESPONDED), 1)
    with django_assert_num_queries(len(small.captured_queries)):
        assert organiser_api.get("/api/v1/appeals/").json()["count"] == 17


def test_detail_responses_only_for_insiders(outsider_api, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    PlatformResponse.objects.create(
        appeal=appeal, received_at=timezone.now(), text="secret", classification="rejected"
    )
    assert "secret" not in outsider_api.get(_url(appeal)).content.decode()
    assert Submission.objects.count() == 0


def test_an_unverified_members_signature_says_it_does_not_count_yet(
    member_api, grievance, membership
):
    """The API says what the round's count says: a member the organisers have not verified has
    signed, but is not counted (nor in the annex) until they are."""
    membership.state = "joined"
    membership.save(update_fields=["state"])
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    body = member_api.get(_url(appeal)).json()
    assert body["my_signature"]["signed"] and not body["my_signature"]["counted"]
    assert body["signature_count"] == 0
