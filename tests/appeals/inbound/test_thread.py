"""The round's thread on its page and in the API, the classify form and endpoint, the raw message
download, the board's to-do and the staff queue — with their permission cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from appeals.actions import inbound
from appeals.inbound.sources import Incoming
from appeals.models import Appeal, InboundMessage, Notification, PlatformResponse
from coalition.models import AuditEvent, Grievance
from tests.appeals.builders import make_round
from tests.appeals.inbound import samples
from tests.factories import NotificationFactory

C = PlatformResponse.Classification
S = Appeal.State
TOKEN = "k3x9q2"
ROLES = ["anonymous", "outsider", "member", "organiser"]


@pytest.fixture(autouse=True)
def inbound_address(settings):
    settings.INBOUND_ADDRESS = samples.INBOUND


@pytest.fixture
def appeal(grievance) -> Appeal:
    return make_round(grievance, S.SUBMITTED, reply_token=TOKEN)


def take(raw: bytes, uid: str = "1") -> InboundMessage:
    return inbound.take_message(Incoming(uid=uid, raw=raw, source="test"))[0]


@pytest.fixture
def reply(appeal) -> PlatformResponse:
    return take(samples.with_attachment(600)).response


def api_as(client_as, role: str) -> APIClient:
    api = APIClient()
    django_client = client_as(role)
    api.cookies = django_client.cookies
    return api


def thread_url(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/thread/"


def classify_url(appeal, response) -> str:
    return f"/api/v1/appeals/{appeal.pk}/thread/{response.pk}/classify/"


# --- the round page --------------------------------------------------------------------------


def test_round_page_shows_the_reply_to_classify_with_its_form_to_organisers(
    client_as, appeal, reply
):
    page = client_as("organiser").get(appeal.get_absolute_url()).content.decode()
    assert "to classify" in page
    assert f"/rounds/{appeal.pk}/replies/{reply.pk}/classify/" in page
    assert "statement.pdf" in page and f"/inbound/{reply.inbound_message_id}/message.eml" in page


@pytest.mark.parametrize("role", ["member", "outsider", "anonymous"])
def test_others_see_no_unclassified_reply_nor_its_message(client_as, appeal, reply, role):
    response = client_as(role).get(appeal.get_absolute_url())
    page = response.content.decode()
    assert "Our statement is attached" not in page
    assert "message.eml" not in page and "classify" not in page


def test_members_see_the_reply_once_classified_but_not_its_raw_message(
    client_as, appeal, reply, organiser
):
    inbound.classify_response(reply, actor=organiser.user, classification=C.ACKNOWLEDGED)
    page = client_as("member").get(appeal.get_absolute_url()).content.decode()
    assert "Our statement is attached" in page
    assert "message.eml" not in page and "statement.pdf" not in page


def test_thread_lists_submission_chaser_and_reply_in_date_order(client_as, appeal, reply):
    for kind in ("auto_submit", "response_chase"):
        NotificationFactory(appeal=appeal, kind=kind, recipient=None, to_email="a@p.example")
    take(samples.auto_reply(), uid="2")
    items = api_as(client_as, "organiser").get(thread_url(appeal)).json()
    kinds = [i["kind"] for i in items]
    assert sorted(kinds) == ["auto_reply", "reply", "sent", "sent"]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)


def test_classify_form_moves_the_round_and_comes_back_to_the_thread(client_as, appeal, reply):
    url = f"/rounds/{appeal.pk}/replies/{reply.pk}/classify/"
    response = client_as("organiser").post(url, {"classification": C.INFO_REQUESTED})
    assert response.status_code == 302 and response["Location"].endswith("#thread")
    assert Appeal.objects.get(pk=appeal.pk).state == S.INFO_REQUESTED


@pytest.mark.parametrize(("role", "code"), [("member", 404), ("outsider", 404)])
def test_classify_form_is_not_for_others(client_as, appeal, reply, role, code):
    url = f"/rounds/{appeal.pk}/replies/{reply.pk}/classify/"
    assert client_as(role).post(url, {"classification": C.GRANTED}).status_code == code
    assert PlatformResponse.objects.get(pk=reply.pk).is_unclassified


def test_board_shows_reply_to_classify_as_an_organiser_action(client_as, appeal, reply):
    page = client_as("organiser").get("/board/").content.decode()
    assert "Organiser: reply to classify" in page


# --- the raw message ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "code"), [("organiser", 200), ("staff", 200), ("member", 404),
                                           ("outsider", 404), ("anonymous", 302)])  # fmt: skip
def test_raw_message_is_for_organisers_and_staff_and_logged(client_as, reply, role, code):
    message = reply.inbound_message
    response = client_as(role).get(f"/inbound/{message.pk}/message.eml")
    assert response.status_code == code
    downloads = AuditEvent.objects.filter(
        verb="inbound.downloaded", subject=f"inbound:{message.pk}"
    )
    assert downloads.count() == (1 if code == 200 else 0)
    if code == 200:
        assert b"".join(response.streaming_content) == message.raw.open("rb").read()
        assert response["Content-Disposition"].startswith("attachment")


def test_unmatched_message_is_for_staff_only(client_as, appeal):
    message = take(samples.unmatched())
    assert client_as("organiser").get(f"/inbound/{message.pk}/message.eml").status_code == 404
    assert client_as("staff").get(f"/inbound/{message.pk}/message.eml").status_code == 200


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "code"), [("anonymous", 403), ("outsider", 403), ("member", 200),
                                           ("organiser", 200)])  # fmt: skip
def test_thread_api_permissions(client_as, appeal, reply, role, code):
    response = api_as(client_as, role).get(thread_url(appeal))
    assert response.status_code == code
    if role == "member":
        assert response.json() == []  # the only reply is not classified yet
    if role == "organiser":
        (item,) = response.json()
        assert item["to_classify"] and item["message"]["attachments"][0]["filename"]
        assert item["response"]["suggested_classification"] == ""


def test_thread_api_of_a_private_round_is_404_for_outsiders(client_as, grievance, appeal):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    assert api_as(client_as, "outsider").get(thread_url(appeal)).status_code == 404


def test_members_get_classified_replies_without_sender_or_message(
    client_as, appeal, reply, organiser
):
    inbound.classify_response(reply, actor=organiser.user, classification=C.ACKNOWLEDGED)
    (item,) = api_as(client_as, "member").get(thread_url(appeal)).json()
    assert item["message"] is None and "sender" not in item["response"]


@pytest.mark.parametrize(("role", "code"), [("anonymous", 403), ("outsider", 403), ("member", 404),
                                           ("organiser", 200)])  # fmt: skip
def test_classify_api_permissions(client_as, appeal, reply, role, code):
    response = api_as(client_as, role).post(
        classify_url(appeal, reply), {"classification": C.INFO_REQUESTED}, format="json"
    )
    assert response.status_code == code
    expected = S.INFO_REQUESTED if code == 200 else S.SUBMITTED
    assert Appeal.objects.get(pk=appeal.pk).state == expected


def test_members_cannot_classify_a_classified_reply_either(client_as, appeal, reply, organiser):
    inbound.classify_response(reply, actor=organiser.user, classification=C.ACKNOWLEDGED)
    response = api_as(client_as, "member").post(
        classify_url(appeal, reply), {"classification": C.GRANTED}, format="json"
    )
    assert response.status_code == 403


def test_responses_api_hides_unclassified_replies_from_members(client_as, appeal, reply):
    url = f"/api/v1/appeals/{appeal.pk}/responses/"
    assert api_as(client_as, "member").get(url).json() == []
    assert len(api_as(client_as, "organiser").get(url).json()) == 1


def test_thread_api_query_count_does_not_grow(client_as, appeal, django_assert_num_queries):
    api = api_as(client_as, "organiser")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            take(samples.with_attachment(100 + i, seed=i).replace(b"<big-", f"<{i}-".encode()),
                 uid=str(i))  # fmt: skip
            NotificationFactory(appeal=appeal, kind="response_chase", recipient=None)

    add(2, 0)
    api.get(thread_url(appeal))
    with CaptureQueriesContext(connection) as small:
        assert len(api.get(thread_url(appeal)).json()) == 4
    add(10, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get(thread_url(appeal)).json()) == 24


# --- the staff queue ---------------------------------------------------------------------------


def test_staff_attach_an_unmatched_message_from_the_admin(client_as, appeal):
    message = take(samples.unmatched())
    admin = client_as("staff")
    url = "/admin/appeals/inboundmessage/"
    assert "Ten tips" in admin.get(url + "?outcome=unmatched").content.decode()
    asked = admin.post(url, {"action": "attach", "_selected_action": [message.pk]})
    assert asked.status_code == 200 and "Attach to a round" in asked.content.decode()
    done = admin.post(
        url,
        {"action": "attach", "_selected_action": [message.pk], "apply": "yes", "appeal": appeal.pk},
    )
    assert done.status_code == 302
    message.refresh_from_db()
    assert message.appeal == appeal and message.response.is_unclassified
    assert Notification.objects.filter(kind="platform_replied").exists()
