"""The fan-out's message bytes (appeals/outbox/mime.py): built from parts shared by the batch,
byte for byte what Django writes for the same row; every other shape is left to Django."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from appeals import emails
from appeals.documents.storage import PACKET_HEADER
from appeals.outbox import mime
from tests.factories import MembershipFactory, NotificationFactory, SellerFactory

pytestmark = pytest.mark.django_db

LINK = "https://coalition.example/unsubscribe/0f0e7a52-8c3b-4a41-9d2a-1f6c8d7e5b40/1234567/"
MERGE_HEADERS = {
    "List-Unsubscribe": f"<{LINK}>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Auto-Submitted": "auto-generated",
}


def django_bytes(row) -> bytes:
    return mime.build_message(row).message().as_bytes(linesep="\r\n")


def fast_as_django_wrote(row, monkeypatch, django: bytes) -> bytes | None:
    """The fast bytes with Django's random boundary and its Date, so the two can be compared."""
    boundary = re.search(rb'boundary="([^"]+)"', django).group(1).decode()
    date = re.search(rb"\r\nDate: ([^\r]+)\r\n", django).group(1).decode()
    monkeypatch.setattr(mime, "_new_boundary", lambda: boundary)
    mime._skeleton.cache_clear()
    try:
        return mime.fast_bytes(row, now=parsedate_to_datetime(date).timestamp())
    finally:
        mime._skeleton.cache_clear()


def message_row(**kw):
    message_id = "<17.4242@coalition.localhost>"
    fields = {
        "message_id": message_id,
        "headers": {"Message-ID": message_id, **MERGE_HEADERS},
        **kw,
    }
    return NotificationFactory.build(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"subject": "第 2 轮《平台冻结货款》正在等待您的签名 — 还剩 3 天 请尽快联署"},
        {"subject": "A subject long enough that the email package folds it over two lines, " * 2},
        {"subject": "Zoë & Co: round 1 “Payouts frozen”"},
        {"body_text": "Hello 王小明,\n\nPlease sign.\n", "body_html": "<p>Hello 王小明</p>\n"},
        {"body_text": "CRLF\r\nlines\rmixed\nno final newline", "body_html": "<p>x</p>"},
        {"body_text": ".leading dot\n..two\n", "body_html": "<p>\n.dot</p>\n"},
        {"to_email": "someone.with+tag@sub.example.org"},
        {"body_text": "x" * 998 + "\n", "body_html": "<p>" + "é" * 495 + "</p>"},  # at the limit
        {
            "headers": {
                "Message-ID": "<17.4242@coalition.localhost>",
                "List-Unsubscribe": "<https://coalition.example/u/" + "a" * 120 + "/>",
            }
        },
    ],
    ids=lambda f: ",".join(f) or "plain",
)
def test_the_fast_bytes_are_the_bytes_django_writes(fields, monkeypatch):
    row = message_row(**fields)
    django = django_bytes(row)
    assert fast_as_django_wrote(row, monkeypatch, django) == django


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", ['Zoë <b>"Bold"</b> & Co', "王小明", "plain"])
def test_a_merged_fan_out_email_goes_out_as_django_would_write_it(
    signing, grievance, language, name, monkeypatch
):
    member = MembershipFactory(
        grievance=grievance,
        seller=SellerFactory(display_name=name, language=language, time_zone="Asia/Tokyo"),
    )
    row = emails.signing_reminders(signing, "deadline", signed=4)(member)
    assert set(row.headers) == {"Message-ID", *MERGE_HEADERS}  # the shape fast_bytes builds
    django = django_bytes(row)
    assert fast_as_django_wrote(row, monkeypatch, django) == django


def test_emails_of_one_batch_share_the_built_parts_and_differ_in_their_own():
    first = message_row(to_email="a@example.com")
    second = message_row(
        to_email="b@example.com",
        message_id="<18@coalition.localhost>",
        headers={**first.headers, "Message-ID": "<18@coalition.localhost>"},
        body_text="Hello B,\n",
    )
    mime._skeleton.cache_clear()
    one, two = mime.fast_bytes(first), mime.fast_bytes(second)
    assert mime._skeleton.cache_info().misses == 1  # the shared head was built once
    a, b = (message_from_bytes(m, policy=policy.default) for m in (one, two))
    assert (a["To"], b["To"]) == ("a@example.com", "b@example.com")
    assert (a["Message-ID"], b["Message-ID"]) == (first.message_id, second.message_id)
    assert b.get_body(("plain",)).get_content().splitlines() == ["Hello B,"]
    assert a.get_body(("html",)).get_content().strip() == first.body_html


@pytest.mark.parametrize(
    "fields",
    [
        {"cc": ["organiser@example.com"]},
        {"body_html": ""},
        {"body_text": "y" * 999},  # Django quote-prints a line this long
        {"body_html": "é" * 500},  # 1,000 bytes
        {"headers": {"Message-ID": "<1@x>", "Reply-To": "organisers@example.com"}},
        {"headers": {"Message-ID": "<1@x>", PACKET_HEADER: "sha256:abc"}},
        {"headers": {}},
    ],
    ids=lambda f: ",".join(f"{k}={str(v)[:12]}" for k, v in f.items()),
)
def test_every_other_shape_is_left_to_django(fields):
    assert mime.fast_bytes(message_row(**fields)) is None
