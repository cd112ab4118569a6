"""Emails: both parts, the recipient's language and time zone, one-click unsubscribe headers and
links, and the fan-out mail merge (appeals/emails.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from appeals import emails
from appeals.models import Notification
from appeals.outbox import service as outbox
from tests.factories import (
    AppealFactory,
    MembershipFactory,
    SellerFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def sent(row: Notification):
    """Write the row, send it through the outbox (locmem) and return the email."""
    row.save()
    outbox.send_many([row.pk])
    return mail.outbox[-1]


# --- rendering --------------------------------------------------------------------------------


def test_a_reminder_has_a_text_and_an_html_part_with_the_same_facts(signing, membership):
    email = sent(emails.signing_reminder(membership, signing, "opened", signed=3, now=NOON))
    html = email.alternatives[0][0]
    for part in (email.body, html):
        assert signing.grievance.title in part
        assert "3 members have signed so far; the goal is 10." in part
        assert f"/rounds/{signing.pk}/" in part
        assert "March 10, 2025" in part  # the signing deadline
    assert email.body.startswith(f"Hello {membership.seller.display_name},")
    assert "<p>" in html and "<p>" not in email.body


def test_plain_text_is_not_html_escaped_and_html_is(grievance, membership):
    grievance.title = 'Refunds "frozen" & <withheld>'
    grievance.save()
    appeal = AppealFactory(grievance=grievance, state="signing", signing_opened_at=NOON)
    email = sent(emails.signing_reminder(membership, appeal, "opened", now=NOON))
    assert 'Refunds "frozen" & <withheld>' in email.subject
    assert 'Refunds "frozen" & <withheld>' in email.body
    html = email.alternatives[0][0]
    assert "&lt;withheld&gt;" in html and "<withheld>" not in html


def test_dates_are_shown_in_the_recipients_time_zone_and_language(grievance):
    zh = MembershipFactory(
        grievance=grievance, seller=SellerFactory(language="zh-hans", time_zone="Asia/Shanghai")
    )
    appeal = AppealFactory(
        grievance=grievance,
        state="signing",
        signing_opened_at=NOON,
        signing_deadline=datetime(2025, 3, 10, 20, 0, tzinfo=UTC),  # 04:00 on the 11th in Shanghai
    )
    row = emails.signing_reminder(zh, appeal, "deadline", now=NOON)
    assert "2025年3月11日" in row.body_text and "Asia/Shanghai" in row.body_text
    assert '<html lang="zh-hans">' in row.body_html


def test_every_member_email_carries_one_click_unsubscribe_headers_and_links(signing, membership):
    row = emails.signing_reminder(membership, signing, "opened", now=NOON)
    token = membership.seller.unsubscribe_token
    one = f"http://testserver/notifications/unsubscribe/{token}/grievance/{signing.grievance_id}/"
    every = f"http://testserver/notifications/unsubscribe/{token}/"
    assert row.headers["List-Unsubscribe"] == f"<{one}>"
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert row.headers["Auto-Submitted"] == "auto-generated"
    for part in (row.body_text, row.body_html):
        assert one in part and every in part
    email = sent(row)
    assert email.message()["List-Unsubscribe"] == f"<{one}>"
    assert email.message()["Message-ID"] == row.message_id


def test_each_kind_renders_a_subject_and_both_parts(grievance, organiser, membership):
    organiser_membership = grievance.memberships.get(role="organiser")
    submitted = AppealFactory(
        grievance=grievance,
        state="submitted",
        channel="email",
        submitted_at=NOON,
        response_due_at=NOON + timedelta(days=7),
        very_overdue_at=NOON + timedelta(days=14),
        message_id="<round1@x>",
        outcome="",
    )
    responded = AppealFactory(
        grievance=grievance, state="responded", outcome="partial", submitted_at=NOON
    )
    submission = SubmissionFactory(appeal=submitted, membership=membership)
    rows = [
        emails.member_submit_reminder(membership, submitted, "submitted", now=NOON),
        emails.outcome_check(submission, now=NOON),
        emails.organiser_chase(organiser_membership, submitted, 1, now=NOON),
        emails.overdue_alert(organiser_membership, submitted, "due", "x", now=NOON),
        emails.next_round(organiser_membership, responded, now=NOON),
        emails.round_submission(submitted, [organiser_membership], now=NOON),
        emails.platform_chase(submitted, 2, [organiser_membership], now=NOON),
    ]
    for row in rows:
        assert row.subject and "\n" not in row.subject, row.kind
        assert row.body_text.strip() and row.body_html.startswith("<!DOCTYPE html>"), row.kind
        assert (
            "{%" not in row.body_text + row.body_html and "{{" not in row.body_text + row.body_html
        )
    assert len({r.dedupe_key for r in rows}) == len(rows)
    platform_rows = rows[-2:]
    assert all(r.recipient is None and r.send_after is None for r in platform_rows)
    assert all("List-Unsubscribe" not in r.headers for r in platform_rows)
    assert platform_rows[1].headers["In-Reply-To"] == "<round1@x>"


def test_platform_emails_are_written_in_the_rounds_language(grievance, organiser):
    organiser_membership = grievance.memberships.get(role="organiser")
    appeal = AppealFactory(
        grievance=grievance,
        state="submitted",
        language="zh-hans",
        submitted_at=NOON,
        response_due_at=NOON + timedelta(days=7),
    )
    row = emails.platform_chase(appeal, 1, [organiser_membership], now=NOON)
    assert "2025年3月3日" in row.body_text


# --- fan-outs: the mail merge -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "name",
    ['Zoë <b>"Bold"</b> & Co', "王小明", "00000000-0000-4000-8000-00000000c0a1", "{{ seller }}"],
)
def test_a_merged_fan_out_email_is_identical_to_one_rendered_directly(
    signing, grievance, name, language
):
    member = MembershipFactory(
        grievance=grievance,
        seller=SellerFactory(display_name=name, language=language, time_zone="Asia/Tokyo"),
    )
    builders = [
        (
            emails.signing_reminders(signing, "deadline", signed=4, now=NOON),
            lambda m: emails.signing_reminder(m, signing, "deadline", signed=4, now=NOON),
        ),
        (
            emails.member_submit_reminders(signing, "later", now=NOON),
            lambda m: emails.member_submit_reminder(m, signing, "later", now=NOON),
        ),
    ]
    for merged_builder, direct_builder in builders:
        merged, direct = merged_builder(member), direct_builder(member)
        for field in (
            "subject",
            "body_text",
            "body_html",
            "dedupe_key",
            "to_email",
            "send_after",
            "kind",
        ):
            assert getattr(merged, field) == getattr(direct, field), field
        drop = lambda h: {k: v for k, v in h.items() if k != "Message-ID"}  # noqa: E731
        assert drop(merged.headers) == drop(direct.headers)
        assert merged.message_id != direct.message_id  # each email its own Message-ID
    assert str(member.seller.unsubscribe_token) in merged.body_text


def test_a_merge_renders_once_per_language_and_time_zone(signing, grievance, monkeypatch):
    calls = []
    real = emails.render  # the project's one renderer (coalition.mail.render), as emails uses it

    def counting(name, context, *, language, zone):
        calls.append((language, zone))
        return real(name, context, language=language, zone=zone)

    monkeypatch.setattr(emails, "render", counting)
    build = emails.signing_reminders(signing, "opened", now=NOON)
    for lang, zone in [
        ("en", "UTC"),
        ("en", "UTC"),
        ("zh-hans", "UTC"),
        ("en", "Asia/Tokyo"),
        ("zh-hans", "UTC"),
    ]:
        build(
            MembershipFactory(
                grievance=grievance, seller=SellerFactory(language=lang, time_zone=zone)
            )
        )
    assert calls == [("en", "UTC"), ("zh-hans", "UTC"), ("en", "Asia/Tokyo")]
