"""Emails: both parts, the recipient's language and time zone, one-click unsubscribe (headers,
links, pages), the preferences page, and the staff admin for the schedule and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from appeals import emails, outbox
from appeals.models import Appeal, FollowUp, Notification, Unsubscribe
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
    GrievanceFactory,
    MembershipFactory,
    NotificationFactory,
    SellerFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def signing(grievance):
    return AppealFactory(
        grievance=grievance,
        state="signing",
        signing_opened_at=NOON,
        signing_deadline=NOON + timedelta(days=7),
    )


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


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


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


# --- unsubscribe pages ------------------------------------------------------------------------


def unsubscribe_url(seller, grievance=None) -> str:
    if grievance is None:
        return reverse("appeals:unsubscribe", args=[seller.unsubscribe_token])
    return reverse("appeals:unsubscribe_grievance", args=[seller.unsubscribe_token, grievance.pk])


def test_opening_the_link_asks_first_and_changes_nothing(client, member, membership, grievance):
    response = client.get(unsubscribe_url(member, grievance))
    assert response.status_code == 200
    assert f"Stop emails about “{grievance.title}”" in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_one_click_post_from_a_mail_client_unsubscribes_without_a_csrf_token(
    member, membership, grievance
):
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(member, grievance), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Unsubscribe.objects.filter(seller=member, grievance=grievance).exists()
    assert "You are unsubscribed" in response.content.decode()


def test_the_global_link_stops_everything_and_undo_restarts_it(member, membership):
    client = Client(enforce_csrf_checks=True)
    client.post(unsubscribe_url(member))
    member.refresh_from_db()
    assert (
        Unsubscribe.objects.filter(seller=member, grievance=None).exists()
        and not member.email_notifications
    )
    client.post(reverse("appeals:resubscribe", args=[member.unsubscribe_token]))
    member.refresh_from_db()
    assert not Unsubscribe.objects.exists() and member.email_notifications


def test_an_unknown_token_or_someone_elses_grievance_is_a_404(client, member, membership):
    import uuid

    assert client.get(reverse("appeals:unsubscribe", args=[uuid.uuid4()])).status_code == 404
    other = GrievanceFactory()
    assert client.get(unsubscribe_url(member, other)).status_code == 404
    assert client.post(unsubscribe_url(member, other)).status_code == 404


def test_the_unsubscribe_page_answers_in_the_sellers_language(client, grievance):
    seller = SellerFactory(language="zh-hans")
    MembershipFactory(grievance=grievance, seller=seller)
    content = client.get(unsubscribe_url(seller)).content.decode()
    assert '<html lang="zh-hans"' in content


def test_unsubscribing_stops_emails_already_waiting_for_the_morning(member, membership, grievance):
    with time_machine.travel(NOON, tick=False):
        row = NotificationFactory(
            recipient=member.user, grievance=grievance, send_after=NOON + timedelta(hours=9)
        )
        Client().post(unsubscribe_url(member, grievance))
    with time_machine.travel(NOON + timedelta(hours=9), tick=False):
        outbox.send_pending()
    row.refresh_from_db()
    assert row.state == "suppressed" and mail.outbox == []


# --- the preferences page ---------------------------------------------------------------------


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("appeals:notification_settings"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_sees_and_changes_preferences_per_grievance(
    member_client, member, membership, grievance
):
    second = MembershipFactory(seller=member)
    response = member_client.get(reverse("appeals:notification_settings"))
    content = response.content.decode()
    assert grievance.title in content and second.grievance.title in content
    response = member_client.post(
        reverse("appeals:notification_settings"),
        {"everything": "on", "grievances": [second.grievance_id]},
    )
    assert response.status_code == 302
    assert list(Unsubscribe.objects.filter(seller=member).values_list("grievance", flat=True)) == [
        grievance.pk
    ]
    member_client.post(
        reverse("appeals:notification_settings"),
        {"grievances": [grievance.pk, second.grievance_id]},
    )
    member.refresh_from_db()
    assert not member.email_notifications
    assert set(Unsubscribe.objects.filter(seller=member).values_list("grievance", flat=True)) == {
        None
    }


def test_a_grievance_the_seller_is_not_in_cannot_be_chosen(member_client, member, membership):
    other = GrievanceFactory()
    response = member_client.post(
        reverse("appeals:notification_settings"), {"everything": "on", "grievances": [other.pk]}
    )
    assert response.status_code == 200  # the form error, nothing saved
    assert not Unsubscribe.objects.exists()


@pytest.mark.parametrize("count", [1, 6])
def test_the_preferences_page_queries_do_not_grow_with_grievances(
    count, member, django_assert_num_queries
):
    for _ in range(count):
        MembershipFactory(seller=member)
    client = Client()
    client.force_login(member.user)
    with django_assert_num_queries(5):
        assert client.get(reverse("appeals:notification_settings")).status_code == 200


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_see_the_schedule_and_the_outbox_filtered_by_state(admin_client):
    FollowUpFactory(state="failed", last_error="boom")
    NotificationFactory(state="failed", last_error="550 no such user")
    for name in ("followup", "notification"):
        url = reverse(f"admin:appeals_{name}_changelist")
        assert admin_client.get(url).status_code == 200
        response = admin_client.get(url, {"state__exact": "failed"})
        assert response.status_code == 200
    assert (
        "550 no such user"
        in admin_client.get(reverse("admin:appeals_notification_changelist")).content.decode()
    )


def test_the_admin_retry_actions_go_through_the_outbox_and_the_dispatcher(
    admin_client, django_capture_on_commit_callbacks
):
    failed_email = NotificationFactory(state="failed", attempts=8)
    failed_job = FollowUpFactory(state="failed", attempts=3)
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("admin:appeals_notification_changelist"),
            {"action": "retry", "_selected_action": [failed_email.pk]},
        )
    admin_client.post(
        reverse("admin:appeals_followup_changelist"),
        {"action": "retry", "_selected_action": [failed_job.pk]},
    )
    failed_email.refresh_from_db()
    failed_job.refresh_from_db()
    assert (failed_email.state, failed_email.attempts, len(callbacks)) == ("pending", 0, 1)
    assert (failed_job.state, failed_job.attempts) == ("scheduled", 0)


def test_members_cannot_reach_the_outbox_admin(member_client):
    response = member_client.get(reverse("admin:appeals_notification_changelist"))
    assert response.status_code == 302


# --- management commands ----------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_the_management_commands_run_the_same_functions(grievance, organiser, capsys):
    appeal = AppealFactory(grievance=grievance, state="responded", outcome="rejected")
    FollowUpFactory(kind="next_round", key=f"next_round:{appeal.pk}", appeal=appeal)
    call_command("dispatch_follow_ups")
    assert "1 follow-up(s) run" in capsys.readouterr().out
    assert Notification.objects.filter(kind="next_round").count() == 1
    assert FollowUp.objects.get().state == "done"
    call_command("sweep_outbox", "--send")
    out = capsys.readouterr().out
    assert "released: 0" in out and "sent: 1" in out
    assert len(mail.outbox) == 1 and Appeal.objects.get().number == appeal.number


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
    real = emails._render
    monkeypatch.setattr(emails, "_render", lambda *a: calls.append(a[2:]) or real(*a))
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
