"""Coupon rewards: one code per confirmed watcher report, emailed once (through the outbox) in the
watcher's language, an empty pool shown honestly, and exactly one code under concurrent
confirmations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from appeals.models import Notification
from appeals.outbox.service import send_pending
from coalition.actions.coupons import email_coupon, offer_coupons, withdraw_coupon_offer
from coalition.actions.reports import ReviewResult, review_report, submit_report
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Coupon, InfringementReport
from coalition.queries.coupons import free_coupons
from coalition.queries.reports import report_status
from tests.factories import OrganiserFactory, StoreFactory, offer, watcher_report
from tests.files import screenshot


def confirm(report, user, capture):
    """Confirm the report, run what its commit queued, and let the outbox send (as the worker)."""
    with capture(execute=True):
        result = review_report(report, actor=user, decision="confirm")
    send_pending()
    return result


@pytest.mark.django_db
def test_a_confirmed_watcher_report_gets_one_code_by_email_with_both_parts(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks, outbox_emails
):
    offer(counterfeit_member, n=3)
    report = watcher_report(counterfeit)
    result = confirm(report, organiser.user, django_capture_on_commit_callbacks)
    coupon = Coupon.objects.get(issued_to_report=report)
    assert result.coupon == coupon and not result.coupon_owed
    row = Notification.objects.get(kind="watcher.coupon")
    assert row.dedupe_key == f"watcher.coupon:{report.pk}" and row.to_email == "watcher@example.net"
    assert row.state == Notification.State.SENT
    assert [m.to for m in outbox_emails("watcher.coupon")] == [["watcher@example.net"]]
    message = outbox_emails("watcher.coupon")[0]
    assert coupon.code in message.body and "10% off" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and coupon.code in html
    report.refresh_from_db()
    assert report.coupon_emailed_at is not None
    assert report_status(report.status_token).coupon == coupon


@pytest.mark.django_db
def test_the_coupon_email_is_sent_once(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks, outbox_emails
):
    offer(counterfeit_member)
    report = watcher_report(counterfeit)
    confirm(report, organiser.user, django_capture_on_commit_callbacks)
    assert email_coupon(report.pk) is False
    confirm(
        report, organiser.user, django_capture_on_commit_callbacks
    )  # confirming again changes nothing
    assert Notification.objects.filter(kind="watcher.coupon").count() == 1
    assert len(outbox_emails("watcher.coupon")) == 1
    assert Coupon.objects.filter(issued_to_report__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_failed_send_stays_in_the_outbox_and_goes_out_once_on_the_retry(
    counterfeit,
    counterfeit_member,
    organiser,
    django_capture_on_commit_callbacks,
    monkeypatch,
    outbox_emails,
):
    offer(counterfeit_member)
    report = watcher_report(counterfeit)

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.open", broken)
    confirm(report, organiser.user, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.coupon_emailed_at is not None  # claimed when queued: the outbox has it now
    row = Notification.objects.get(kind="watcher.coupon")
    assert row.state == Notification.State.PENDING and row.send_after is not None
    assert mail.outbox == []
    monkeypatch.undo()
    assert email_coupon(report.pk) is False  # never queued a second time
    with time_machine.travel(row.send_after + timedelta(seconds=1)):
        send_pending()
    row.refresh_from_db()
    assert row.state == Notification.State.SENT
    assert len(outbox_emails("watcher.coupon")) == 1


@pytest.mark.django_db
def test_the_coupon_email_is_in_the_watchers_language(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks, outbox_emails
):
    offer(counterfeit_member)
    report = watcher_report(counterfeit, language="zh-hans")
    assert report.watcher_language == "zh-hans"
    confirm(report, organiser.user, django_capture_on_commit_callbacks)
    with translation.override("zh-hans"):
        subject = translation.gettext("Your report was confirmed: here is your coupon")
    [message] = outbox_emails("watcher.coupon")
    assert message.subject == subject
    assert '<html lang="zh-hans">' in message.alternatives[0][0]


@pytest.mark.django_db
def test_an_empty_pool_is_shown_honestly_and_filled_later(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks, outbox_emails
):
    report = watcher_report(counterfeit)
    result = confirm(report, organiser.user, django_capture_on_commit_callbacks)
    assert result.coupon is None and result.coupon_owed
    status = report_status(report.status_token)
    assert status.coupon is None and status.coupon_owed
    assert outbox_emails("watcher.coupon") == []
    assert not Notification.objects.filter(kind="watcher.coupon").exists()
    # A member adds codes: the waiting watcher gets one at once.
    with django_capture_on_commit_callbacks(execute=True):
        offer(counterfeit_member, n=2)
    send_pending()
    assert Coupon.objects.get(issued_to_report=report)
    assert len(outbox_emails("watcher.coupon")) == 1
    assert free_coupons(grievance=counterfeit).count() == 1
    assert AuditEvent.objects.filter(verb="coupon.issued", subject=f"report:{report.pk}").exists()


@pytest.mark.django_db
def test_duplicates_and_member_reports_earn_no_coupon(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks
):
    offer(counterfeit_member, n=5)
    first = watcher_report(counterfeit)
    confirm(first, organiser.user, django_capture_on_commit_callbacks)
    duplicate = watcher_report(counterfeit, email="late@example.net", rgb=(5, 5, 5))
    result = confirm(duplicate, organiser.user, django_capture_on_commit_callbacks)
    assert result.coupon is None and not result.coupon_owed
    assert not report_status(duplicate.status_token).coupon_owed
    mine = submit_report(
        actor=counterfeit_member.seller.user,
        grievance=counterfeit,
        listing_url="https://shop.example/own",
        infringes="design",
        screenshots=[screenshot()],
    )
    assert confirm(mine, organiser.user, django_capture_on_commit_callbacks).coupon is None
    assert Coupon.objects.filter(issued_to_report__isnull=False).count() == 1


@pytest.mark.django_db
def test_expired_and_withdrawn_offers_give_nothing(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks
):
    withdrawn = offer(counterfeit_member, n=2)
    withdraw_coupon_offer(withdrawn, actor=counterfeit_member.seller.user)
    expired = offer(counterfeit_member, n=2)
    type(expired).objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert free_coupons(grievance=counterfeit).count() == 0
    result = confirm(
        watcher_report(counterfeit), organiser.user, django_capture_on_commit_callbacks
    )
    assert result.coupon is None and result.coupon_owed


@pytest.mark.django_db
def test_the_soonest_expiring_code_goes_first(
    counterfeit, counterfeit_member, organiser, django_capture_on_commit_callbacks
):
    later = offer(counterfeit_member, n=1, expires_in=60, codes=["LATER"])
    sooner = offer(counterfeit_member, n=1, expires_in=5, codes=["SOONER"])
    result = confirm(
        watcher_report(counterfeit), organiser.user, django_capture_on_commit_callbacks
    )
    assert result.coupon.offer == sooner and later.coupons.get().issued_to_report is None


@pytest.mark.django_db
def test_a_member_offers_their_own_codes_or_gets_codes_made(counterfeit, counterfeit_member):
    own = offer(counterfeit_member, codes=["SAVE-1", "SAVE-2", "SAVE-1", " "])
    assert own.quantity == 2 and sorted(own.coupons.values_list("code", flat=True)) == [
        "SAVE-1",
        "SAVE-2",
    ]
    made = offer(counterfeit_member, n=4)
    codes = list(made.coupons.values_list("code", flat=True))
    assert made.quantity == 4 and len(set(codes)) == 4 and all(len(c) == 10 for c in codes)
    assert AuditEvent.objects.filter(verb="coupons.offered", grievance=counterfeit).count() == 2


@pytest.mark.django_db
def test_offers_are_refused_for_others_stores_past_dates_and_non_members(
    counterfeit, counterfeit_member, outsider
):
    user = counterfeit_member.seller.user
    mine = StoreFactory(seller=counterfeit_member.seller)
    today = timezone.localdate()
    with pytest.raises(ActionRefused) as refused:
        offer_coupons(
            counterfeit_member,
            actor=user,
            store=StoreFactory(seller=outsider),
            discount="5%",
            quantity=1,
            expires_on=today,
        )
    assert refused.value.field == "store"
    with pytest.raises(ActionRefused) as refused:
        offer_coupons(
            counterfeit_member,
            actor=user,
            store=mine,
            discount="5%",
            quantity=1,
            expires_on=today - timedelta(days=1),
        )
    assert refused.value.field == "expires_on"
    with pytest.raises(ActionRefused):
        offer_coupons(
            counterfeit_member,
            actor=outsider.user,
            store=mine,
            discount="5%",
            quantity=1,
            expires_on=today,
        )


# --- concurrency (PostgreSQL) --------------------------------------------------------------


def _race(n: int, work) -> list:
    """Run `work(i)` in n threads released together; each thread has its own connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisers_confirming_at_the_same_moment_issue_exactly_one_coupon(
    postgres, counterfeit, counterfeit_member, organiser, outbox_emails
):
    second = OrganiserFactory(grievance=counterfeit).seller
    offer(counterfeit_member, n=5)
    report = watcher_report(counterfeit)
    users = [organiser.user, second.user, organiser.user, second.user]
    results = _race(len(users), lambda i: review_report(report, actor=users[i], decision="confirm"))
    assert all(isinstance(r, ReviewResult) for r in results), results
    assert Coupon.objects.filter(issued_to_report=report).count() == 1
    assert Coupon.objects.filter(issued_to_report__isnull=False).count() == 1
    assert AuditEvent.objects.filter(verb="report.confirmed").count() == 1
    # Queued in the one transaction that confirmed; sent once.
    assert Notification.objects.filter(kind="watcher.coupon").count() == 1
    send_pending()
    assert len(outbox_emails("watcher.coupon")) == 1
    report.refresh_from_db()
    assert (
        report.state == InfringementReport.State.CONFIRMED and report.coupon_emailed_at is not None
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_different_reports_take_different_codes(
    postgres, counterfeit, counterfeit_member, organiser
):
    offer(counterfeit_member, n=3)
    many = [
        watcher_report(
            counterfeit, email=f"w{i}@example.net", url=f"https://shop.example/{i}", rgb=(i, 0, 0)
        )
        for i in range(5)
    ]
    results = _race(
        len(many),
        lambda i: review_report(many[i], actor=organiser.user, decision="confirm"),
    )
    assert all(isinstance(r, ReviewResult) for r in results), results
    issued = Coupon.objects.filter(issued_to_report__isnull=False)
    assert (
        issued.count() == 3
    )  # the pool held three: three reports got one each, two found it empty
    assert len(set(issued.values_list("issued_to_report", flat=True))) == 3
    assert sum(r.coupon_owed for r in results) == 2
