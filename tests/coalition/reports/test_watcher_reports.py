"""Infringement reports: submitting, the watcher's email confirmation, duplicates, review, and
screenshots becoming grievance evidence."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from appeals.models import Notification
from coalition.actions.reports import confirm_watcher_email, review_report, submit_report
from coalition.categories import Category
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Evidence, InfringementReport, ReportScreenshot
from coalition.queries.reports import (
    brand_link_token,
    confirmed_listings,
    duplicates_of,
    read_brand_token,
    report_status,
    reviewable_reports,
)
from coalition.rules.listings import normalise_listing_url
from tests.factories import GrievanceFactory, SellerFactory, UserFactory, watcher_report
from tests.files import screenshot

pytestmark = pytest.mark.django_db


# --- listing URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.wish.com/product/5f1a2b?source=search&utm_medium=x",
            "http://wish.com/product/5f1a2b/",
        ),
        (
            "https://m.aliexpress.com/item/1005001.html?spm=a2g0o.detail",
            "https://www.aliexpress.com/item/1005001.html",
        ),
        (
            "https://www.amazon.com/Lamp-Copy/dp/B0ABCDEFGH/ref=sr_1_3?keywords=lamp&qid=1",
            "https://amazon.com/dp/B0ABCDEFGH",
        ),
        (
            "https://item.taobao.com/item.htm?spm=1&id=123",
            "https://item.taobao.com/item.htm?id=123",
        ),
    ],
)
def test_listing_urls_of_the_same_listing_normalise_to_the_same_key(a, b):
    assert normalise_listing_url(a) == normalise_listing_url(b)


def test_different_listings_keep_different_keys():
    assert normalise_listing_url(
        "https://item.taobao.com/item.htm?id=123"
    ) != normalise_listing_url("https://item.taobao.com/item.htm?id=124")


# --- submitting ----------------------------------------------------------------------------


def test_a_watchers_report_does_not_count_until_the_email_is_confirmed(
    counterfeit, django_capture_on_commit_callbacks, send_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        report = watcher_report(counterfeit, confirmed=False)
    row = Notification.objects.get(kind="watcher.confirm")
    assert row.dedupe_key == f"watcher.confirm:{report.pk}:{report.confirm_token}"
    send_outbox()
    row.refresh_from_db()
    assert row.state == Notification.State.SENT
    assert not report.counts and report.from_watcher
    assert not reviewable_reports(counterfeit.memberships.first().seller.user).exists()
    assert not AuditEvent.objects.filter(verb="report.received").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["watcher@example.net"]
    assert f"/report/confirm/{report.confirm_token}/" in message.body
    html = message.alternatives[0][0]
    assert (
        f"/report/confirm/{report.confirm_token}/" in html
        and f"/report/status/{report.status_token}/" in html
    )

    confirmed = confirm_watcher_email(report.confirm_token)
    assert confirmed.counts
    assert reviewable_reports(counterfeit.memberships.first().seller.user).get() == report
    assert AuditEvent.objects.filter(
        grievance=counterfeit, verb="report.received", subject=f"report:{report.pk}"
    ).exists()


def test_confirming_twice_changes_nothing(counterfeit):
    report = watcher_report(counterfeit)
    first = report.email_confirmed_at
    assert confirm_watcher_email(report.confirm_token).email_confirmed_at == first
    assert AuditEvent.objects.filter(verb="report.received").count() == 1


def test_a_confirmation_link_expires_after_a_week(counterfeit):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        report = watcher_report(counterfeit, confirmed=False)
    with (
        time_machine.travel(dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC), tick=False),
        pytest.raises(ActionRefused, match="expired"),
    ):
        confirm_watcher_email(report.confirm_token)


def test_an_unknown_confirmation_token_is_refused():
    with pytest.raises(ActionRefused, match="not valid"):
        confirm_watcher_email("nope")


def test_a_members_report_counts_at_once(counterfeit, counterfeit_member):
    report = submit_report(
        actor=counterfeit_member.seller.user,
        grievance=counterfeit,
        listing_url="https://shop.example/x",
        infringes="trademark",
        screenshots=[screenshot()],
    )
    assert (
        report.counts
        and not report.from_watcher
        and report.reporter_membership == counterfeit_member
    )


def test_a_signed_in_watcher_with_a_verified_email_counts_at_once_but_unverified_must_confirm(
    counterfeit,
):
    verified, unverified = UserFactory(), UserFactory(verified=False)
    a = submit_report(
        actor=verified,
        grievance=counterfeit,
        listing_url="https://shop.example/a",
        infringes="design",
        screenshots=[screenshot()],
    )
    b = submit_report(
        actor=unverified,
        grievance=counterfeit,
        listing_url="https://shop.example/b",
        infringes="design",
        screenshots=[screenshot()],
    )
    assert a.counts and a.from_watcher and a.watcher_email == verified.email
    assert not b.counts and b.watcher_email == unverified.email


def test_an_anonymous_watcher_must_give_an_email_address(counterfeit):
    with pytest.raises(ActionRefused) as refused:
        submit_report(
            actor=AnonymousUser(),
            grievance=counterfeit,
            listing_url="https://shop.example/a",
            infringes="design",
            screenshots=[screenshot()],
        )
    assert refused.value.field == "watcher_email"


def test_reports_go_only_to_open_grievances_against_counterfeits(platform):
    refunds = GrievanceFactory(platform=platform, category=Category.REFUND_DISPUTE)
    with pytest.raises(ActionRefused) as refused:
        submit_report(
            actor=AnonymousUser(),
            grievance=refunds,
            listing_url="https://shop.example/a",
            infringes="design",
            screenshots=[screenshot()],
            watcher_email="w@example.net",
        )
    assert refused.value.field == "grievance"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "at least one screenshot"),
        ([screenshot(f"s{i}.png", (i, i, i)) for i in range(6)], "at most 5"),
    ],
)
def test_reports_need_one_to_five_screenshots(counterfeit, files, message):
    with pytest.raises(ActionRefused, match=message):
        submit_report(
            actor=AnonymousUser(),
            grievance=counterfeit,
            listing_url="https://shop.example/a",
            infringes="design",
            screenshots=files,
            watcher_email="w@example.net",
        )


def test_a_screenshot_must_really_be_an_image(counterfeit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("shot.png", b"%PDF-1.4 not an image", content_type="image/png")
    with pytest.raises(ActionRefused, match="not a PNG, JPEG or WebP image"):
        submit_report(
            actor=AnonymousUser(),
            grievance=counterfeit,
            listing_url="https://shop.example/a",
            infringes="design",
            screenshots=[fake],
            watcher_email="w@example.net",
        )
    assert not InfringementReport.objects.exists()


def test_screenshots_are_stored_privately_with_their_sniffed_type_and_hash(counterfeit):
    report = watcher_report(counterfeit)
    shot = report.screenshots.get()
    assert shot.content_type == "image/png" and len(shot.sha256) == 64
    assert shot.file.name.startswith(f"reports/{report.pk}/") and "listing" not in shot.file.name
    assert shot.original_name == "listing.png"


def test_a_members_brand_link_targets_their_brand(platform, member):
    token = brand_link_token(member, "Lumina")
    owner, brand = read_brand_token(token)
    assert (owner, brand) == (member, "Lumina")
    assert read_brand_token(token + "x") is None
    report = submit_report(
        actor=AnonymousUser(),
        brand_owner=owner,
        brand=brand,
        platform=platform,
        listing_url="https://shop.example/lamp",
        infringes="trademark",
        screenshots=[screenshot()],
        watcher_email="w@example.net",
    )
    report = confirm_watcher_email(report.confirm_token)
    assert reviewable_reports(member.user).get() == report
    assert report.target_label == "Lumina"


# --- duplicates ----------------------------------------------------------------------------


def test_a_second_report_of_the_same_listing_is_linked_to_the_first(counterfeit):
    first = watcher_report(counterfeit, url="https://www.shop.example/item/1?utm_source=x")
    second = watcher_report(
        counterfeit, email="other@example.net", url="http://shop.example/item/1/"
    )
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert list(duplicates_of(first)) == [second]


def test_the_first_confirmed_report_is_the_one_counted(counterfeit, organiser):
    first = watcher_report(counterfeit)
    second = watcher_report(counterfeit, email="other@example.net", rgb=(1, 2, 3))
    review_report(second, actor=organiser.user, decision="confirm")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.duplicate_of is None and first.duplicate_of == second
    review_report(first, actor=organiser.user, decision="confirm")
    first.refresh_from_db()
    assert first.duplicate_of == second  # confirming the other one later does not flip the original
    assert list(confirmed_listings(counterfeit)) == [second]


def test_a_rejected_first_report_leaves_the_next_one_as_the_original(counterfeit, organiser):
    first = watcher_report(counterfeit)
    second = watcher_report(counterfeit, email="other@example.net")
    review_report(first, actor=organiser.user, decision="reject", reason="Not a copy")
    second.refresh_from_db()
    assert second.duplicate_of is None


def test_the_same_listing_reported_to_another_grievance_is_not_a_duplicate(
    counterfeit, platform, organiser
):
    other = GrievanceFactory(platform=platform, category=Category.COUNTERFEIT_INFRINGER)
    watcher_report(counterfeit)
    elsewhere = watcher_report(other)
    assert elsewhere.duplicate_of is None


# --- review --------------------------------------------------------------------------------


def test_confirming_turns_the_screenshots_into_grievance_evidence(counterfeit, organiser):
    report = watcher_report(counterfeit)
    result = review_report(report, actor=organiser.user, decision="confirm", reason="Clear copy")
    evidence = Evidence.objects.get(grievance=counterfeit)
    shot = ReportScreenshot.objects.get(report=report)
    assert result.evidence == (evidence,)
    assert shot.evidence == evidence
    assert (evidence.kind, evidence.content_type, evidence.sha256) == (
        "screenshot",
        "image/png",
        shot.sha256,
    )
    assert evidence.membership == counterfeit.memberships.get(seller=organiser)
    assert evidence.visibility == Evidence.Visibility.ORGANISERS
    assert report.listing_url in evidence.description
    with evidence.file.open("rb") as fh, shot.file.open("rb") as original:
        assert fh.read() == original.read()
    assert evidence.file.name != shot.file.name
    event = AuditEvent.objects.get(verb="report.confirmed")
    assert event.data["evidence"] == [evidence.pk] and event.actor == organiser.user


def test_a_member_reports_screenshots_become_that_members_evidence(
    counterfeit, counterfeit_member, organiser
):
    report = submit_report(
        actor=counterfeit_member.seller.user,
        grievance=counterfeit,
        listing_url="https://shop.example/x",
        infringes="trademark",
        screenshots=[screenshot()],
    )
    review_report(report, actor=organiser.user, decision="confirm")
    assert Evidence.objects.get().membership == counterfeit_member


def test_a_screenshot_the_grievance_already_holds_is_linked_not_stored_twice(
    counterfeit, organiser
):
    a = watcher_report(counterfeit, url="https://shop.example/1")
    b = watcher_report(
        counterfeit, url="https://shop.example/2", email="b@example.net"
    )  # same picture
    review_report(a, actor=organiser.user, decision="confirm")
    review_report(b, actor=organiser.user, decision="confirm")
    assert Evidence.objects.count() == 1
    assert ReportScreenshot.objects.filter(evidence__isnull=False).count() == 2


def test_staff_can_confirm_and_the_evidence_belongs_to_an_organiser(
    counterfeit, staff_user, organiser
):
    review_report(watcher_report(counterfeit), actor=staff_user, decision="confirm")
    assert Evidence.objects.get().membership.seller == organiser


def test_rejecting_needs_a_reason_the_watcher_will_see(counterfeit, organiser):
    report = watcher_report(counterfeit)
    with pytest.raises(ActionRefused) as refused:
        review_report(report, actor=organiser.user, decision="reject")
    assert refused.value.field == "reason"
    review_report(
        report, actor=organiser.user, decision="reject", reason="The listing is the brand's own."
    )
    status = report_status(report.status_token)
    assert status.step == "rejected" and status.report.reason == "The listing is the brand's own."
    assert not Evidence.objects.exists()


def test_the_same_decision_twice_changes_nothing_and_the_opposite_is_refused(
    counterfeit, organiser
):
    report = watcher_report(counterfeit)
    review_report(report, actor=organiser.user, decision="confirm")
    review_report(report, actor=organiser.user, decision="confirm")
    assert AuditEvent.objects.filter(verb="report.confirmed").count() == 1
    with pytest.raises(ActionRefused, match="already confirmed"):
        review_report(report, actor=organiser.user, decision="reject", reason="changed my mind")


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_organisers_brand_owners_and_staff_review(
    counterfeit, counterfeit_member, outsider, who
):
    report = watcher_report(counterfeit)
    actor = {
        "member": counterfeit_member.seller.user,
        "outsider": outsider.user,
        "anonymous": AnonymousUser(),
    }[who]
    with pytest.raises(ActionRefused, match="organisers"):
        review_report(report, actor=actor, decision="confirm")
    assert not reviewable_reports(actor).exists()


def test_an_unconfirmed_report_cannot_be_reviewed(counterfeit, organiser):
    report = watcher_report(counterfeit, confirmed=False)
    with pytest.raises(ActionRefused, match="not confirmed their email"):
        review_report(report, actor=organiser.user, decision="confirm")


def test_the_annex_lists_each_confirmed_listing_once_since_a_date(counterfeit, organiser):
    a = watcher_report(counterfeit, url="https://shop.example/1")
    review_report(a, actor=organiser.user, decision="confirm")
    a.refresh_from_db()
    dup = watcher_report(
        counterfeit, url="https://shop.example/1/", email="b@example.net", rgb=(9, 9, 9)
    )
    review_report(dup, actor=organiser.user, decision="confirm")
    b = watcher_report(
        counterfeit, url="https://shop.example/2", email="c@example.net", rgb=(8, 8, 8)
    )
    review_report(b, actor=organiser.user, decision="confirm")
    assert list(confirmed_listings(counterfeit)) == [a, b]
    assert list(confirmed_listings(counterfeit, since=a.reviewed_at)) == [b]


def test_the_status_link_tells_the_watcher_where_the_report_stands(counterfeit, organiser):
    report = watcher_report(counterfeit, confirmed=False)
    assert report_status(report.status_token).step == "unconfirmed"
    confirm_watcher_email(report.confirm_token)
    assert report_status(report.status_token).step == "new"
    assert report_status("wrong") is None
    assert report_status("") is None


def test_a_brand_owner_reviews_reports_of_their_brand_but_not_others(platform, member, outsider):
    report = submit_report(
        actor=AnonymousUser(),
        brand_owner=member,
        brand="Lumina",
        platform=platform,
        listing_url="https://shop.example/lamp",
        infringes="trademark",
        screenshots=[screenshot()],
        watcher_email="w@example.net",
    )
    confirm_watcher_email(report.confirm_token)
    result = review_report(report, actor=member.user, decision="confirm")
    assert result.report.state == "confirmed" and result.evidence == ()
    other = SellerFactory()
    with pytest.raises(ActionRefused):
        review_report(report, actor=other.user, decision="confirm")
