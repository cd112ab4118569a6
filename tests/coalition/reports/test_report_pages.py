"""Report pages: the public form (rate limited, email confirmation), the watcher's status link,
the organisers' review pages, screenshots, and coupon offers — with their permission matrix."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalition.actions.reports import review_report
from coalition.models import Coupon, CouponOffer, Evidence, InfringementReport
from coalition.queries.coupons import free_coupons
from coalition.queries.reports import brand_link_token
from tests.factories import StoreFactory, offer, watcher_report
from tests.files import is_login_redirect, png_bytes, screenshot, text

pytestmark = pytest.mark.django_db


def form_data(grievance=None, **extra):
    target = {"grievance": grievance.pk} if grievance is not None else {}
    return {
        **target,
        "listing_url": "https://www.shop.example/item/77?spm=x",
        "store_name": "Copycat",
        "infringes": "counterfeit",
        "details": "Same photos as ours.",
        "watcher_email": "buyer@example.net",
        "screenshots": [screenshot()],
        **extra,
    }


# --- the public form -----------------------------------------------------------------------


def test_anyone_can_open_the_report_form_and_choose_a_counterfeit_grievance(
    client, counterfeit, grievance
):
    body = text(client.get(reverse("coalition:report_new")))
    assert counterfeit.title in body
    assert grievance.title not in body  # funds withheld: not a grievance reports go to
    assert 'enctype="multipart/form-data"' in body


def test_the_form_says_so_when_no_grievance_collects_reports(client, db):
    assert "No coalition is collecting reports right now" in text(
        client.get(reverse("coalition:report_new"))
    )


def test_a_watcher_reports_confirms_by_email_and_follows_the_status_link(
    client, counterfeit, django_capture_on_commit_callbacks, send_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("coalition:report_new"), form_data(counterfeit))
    send_outbox()
    report = InfringementReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "coalition:report_status", args=[report.status_token]
    )
    assert not report.counts
    status_page = client.get(response["Location"])
    assert "Check your email" in text(status_page)
    assert (
        status_page["Referrer-Policy"] == "same-origin" and "noindex" in status_page["X-Robots-Tag"]
    )

    link = re.search(r"https?://\S+/report/confirm/\S+/", mail.outbox[0].body).group(0)
    path = urlparse(link).path
    page = client.get(path)  # opening the link (or a mail scanner opening it) confirms nothing
    assert page.status_code == 200 and "Yes, confirm my report" in text(page)
    report.refresh_from_db()
    assert not report.counts
    confirmed = client.post(path)
    assert confirmed["Location"] == reverse("coalition:report_status", args=[report.status_token])
    report.refresh_from_db()
    assert report.counts
    assert "Waiting for review" in text(client.get(confirmed["Location"]))
    assert (
        client.get(path)["Location"] == confirmed["Location"]
    )  # the link again: straight to the status


def test_bad_links_are_404(client, db):
    assert client.get(reverse("coalition:report_confirm", args=["nope"])).status_code == 404
    assert client.get(reverse("coalition:report_status", args=["nope"])).status_code == 404
    assert client.get(reverse("coalition:report_new") + "?brand=forged").status_code == 404


def test_a_non_image_screenshot_is_refused_next_to_the_field(client, counterfeit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("shot.png", b"GIF89a-no", content_type="image/png")
    response = client.post(
        reverse("coalition:report_new"), form_data(counterfeit, screenshots=[fake])
    )
    assert response.status_code == 200
    assert "is not a PNG, JPEG or WebP image" in text(response)
    assert not InfringementReport.objects.exists()


def test_a_signed_in_member_reports_without_an_email_field_and_it_counts_at_once(
    as_role, counterfeit
):
    client = as_role("member")
    assert "watcher_email" not in text(client.get(reverse("coalition:report_new")))
    response = client.post(
        reverse("coalition:report_new"), form_data(counterfeit, watcher_email="")
    )
    assert response.status_code == 302
    report = InfringementReport.objects.get()
    assert report.counts and not report.from_watcher


def test_a_brand_link_reports_to_the_brand_owner(client, platform, member):
    token = brand_link_token(member, "Lumina")
    url = reverse("coalition:report_new") + f"?brand={token}"
    assert "Lumina" in text(client.get(url))
    data = form_data(platform=platform.pk, brand_token=token)
    response = client.post(url, data)
    assert response.status_code == 302, text(response)
    report = InfringementReport.objects.get()
    assert (report.brand_owner, report.brand, report.grievance) == (member, "Lumina", None)


def test_the_public_form_is_rate_limited_per_address(client, counterfeit):
    url = reverse("coalition:report_new")
    for _ in range(10):
        assert client.post(url, {"listing_url": "x"}).status_code == 200  # invalid, but counted
    limited = client.post(url, form_data(counterfeit))
    assert limited.status_code == 429
    assert "Too many requests" in text(limited)
    assert not InfringementReport.objects.exists()
    assert client.get(url).status_code == 200  # reading the form is not limited


# --- review pages: permission matrix -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", None),
        ("outsider", False),
        ("member", False),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_the_review_list_shows_reports_only_to_organisers_and_staff(
    as_role, counterfeit, role, sees
):
    watcher_report(counterfeit)
    response = as_role(role).get(reverse("coalition:report_review"))
    if sees is None:
        assert is_login_redirect(response)
        return
    assert response.status_code == 200
    assert ("Copycat store" in text(response)) is sees


def test_the_review_list_hides_reports_whose_email_is_unconfirmed(as_role, counterfeit):
    watcher_report(counterfeit, confirmed=False)
    assert "Copycat store" not in text(as_role("organiser").get(reverse("coalition:report_review")))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("member", 404),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_the_review_page_and_screenshots_are_for_reviewers_only(as_role, counterfeit, role, status):
    report = watcher_report(counterfeit)
    shot = report.screenshots.get()
    client = as_role(role)
    assert (
        client.get(reverse("coalition:report_review_detail", args=[report.pk])).status_code
        == status
    )
    image = client.get(reverse("coalition:report_screenshot", args=[report.pk, shot.pk]))
    assert image.status_code == status
    if status == 200:
        assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
        assert b"".join(image.streaming_content) == png_bytes(
            (200, 30, 30)
        )  # the screenshot() default


@pytest.mark.parametrize(
    ("role", "status", "confirmed"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("member", 404, False),
        ("organiser", 302, True),
        ("staff", 302, True),
    ],
)
def test_only_reviewers_confirm(as_role, counterfeit, role, status, confirmed):
    report = watcher_report(counterfeit)
    response = as_role(role).post(
        reverse("coalition:report_review_confirm", args=[report.pk]), {"reason": ""}
    )
    assert response.status_code == status
    report.refresh_from_db()
    assert (report.state == "confirmed") is confirmed
    assert Evidence.objects.filter(grievance=counterfeit).exists() is confirmed


def test_confirming_on_the_page_tells_the_organiser_what_happened(
    as_role, counterfeit, counterfeit_member
):
    offer(counterfeit_member, n=1)
    report = watcher_report(counterfeit)
    client = as_role("organiser")
    page = client.get(reverse("coalition:report_review_detail", args=[report.pk]))
    assert "1 coupon left in the reward pool" in text(page)
    done = client.post(reverse("coalition:report_review_confirm", args=[report.pk]), follow=True)
    body = text(done)
    assert "The report is confirmed." in body and "screenshots are now in the grievance" in body
    assert "The watcher gets a coupon by email." in body
    second = watcher_report(
        counterfeit, url="https://shop.example/other", email="b@example.net", rgb=(3, 3, 3)
    )
    assert "The reward pool has no coupon for a store on Wishful" in text(
        client.get(reverse("coalition:report_review_detail", args=[second.pk]))
    )
    done = client.post(reverse("coalition:report_review_confirm", args=[second.pk]), follow=True)
    assert "no coupon for a store on Wishful, where the listing is, so the watcher" in text(done)


def test_rejecting_without_a_reason_is_refused_on_the_page(as_role, counterfeit):
    report = watcher_report(counterfeit)
    client = as_role("organiser")
    response = client.post(
        reverse("coalition:report_review_reject", args=[report.pk]), {"reason": ""}
    )
    assert response.status_code == 400 and "Say why you reject it" in text(response)
    response = client.post(
        reverse("coalition:report_review_reject", args=[report.pk]), {"reason": "Genuine product"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "rejected"
    assert "Genuine product" in text(
        client.get(reverse("coalition:report_status", args=[report.status_token]))
    )


def test_the_review_list_query_count_does_not_grow_with_its_size(as_role, counterfeit):
    client = as_role("organiser")
    url = reverse("coalition:report_review")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    for i in range(2):
        watcher_report(counterfeit, url=f"https://shop.example/a{i}", email=f"a{i}@example.net")
    small = count()
    for i in range(8):
        watcher_report(counterfeit, url=f"https://shop.example/b{i}", email=f"b{i}@example.net")
    assert count() == small


def test_the_status_page_shows_the_coupon_or_says_the_pool_is_empty(
    client, counterfeit, counterfeit_member, organiser
):
    report = watcher_report(counterfeit)
    review_report(report, actor=organiser.user, decision="confirm")
    body = text(client.get(reverse("coalition:report_status", args=[report.status_token])))
    assert "Confirmed" in body and "no coupon left for a store on Wishful" in body
    offer(counterfeit_member, codes=["THANKS-1"])
    body = text(client.get(reverse("coalition:report_status", args=[report.status_token])))
    assert "THANKS-1" in body


# --- coupon offers -------------------------------------------------------------------------


def test_coupon_offers_need_an_account(client, db):
    assert is_login_redirect(client.get(reverse("coalition:coupon_offers")))


def test_a_member_offers_coupons_on_the_page_and_sees_them(
    as_role, counterfeit, counterfeit_member
):
    client = as_role("member")
    store = StoreFactory(seller=counterfeit_member.seller, platform=counterfeit.platform)
    response = client.post(
        reverse("coalition:coupon_offers"),
        {
            "membership": counterfeit_member.pk,
            "store": store.pk,
            "discount": "15% off",
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "codes": "LAMP-1\nLAMP-2",
            "quantity": "",
        },
    )
    assert response.status_code == 302
    body = text(client.get(reverse("coalition:coupon_offers")))
    assert "15% off" in body and "LAMP-2" in body and "0 of 2" in body


def test_the_offer_form_refuses_a_store_that_is_not_yours(
    as_role, counterfeit, counterfeit_member, outsider
):
    response = as_role("member").post(
        reverse("coalition:coupon_offers"),
        {
            "membership": counterfeit_member.pk,
            "store": StoreFactory(seller=outsider).pk,
            "discount": "x",
            "expires_on": timezone.localdate().isoformat(),
            "quantity": "2",
        },
    )
    assert response.status_code == 200 and not CouponOffer.objects.exists()


def test_only_the_offerer_withdraws_an_offer(as_role, counterfeit, counterfeit_member):
    mine = offer(counterfeit_member, n=2)
    assert (
        as_role("organiser")
        .post(reverse("coalition:coupon_offer_withdraw", args=[mine.pk]))
        .status_code
        == 404
    )
    assert (
        as_role("member")
        .post(reverse("coalition:coupon_offer_withdraw", args=[mine.pk]))
        .status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.withdrawn_at is not None
    assert not free_coupons(grievance=counterfeit).exists()


def test_a_member_makes_a_report_link_for_their_brand(as_role, counterfeit, client):
    body = text(as_role("member").get(reverse("coalition:coupon_offers"), {"brand": "Lumina"}))
    link = re.search(r'value="(http[^"]+\?brand=[^"]+)"', body).group(1)
    assert "Lumina" in text(client.get(urlparse(link).path + "?" + urlparse(link).query))


def test_coupon_codes_given_out_are_marked(as_role, counterfeit, counterfeit_member, organiser):
    offer(counterfeit_member, codes=["ONE", "TWO"])
    review_report(watcher_report(counterfeit), actor=organiser.user, decision="confirm")
    assert Coupon.objects.get(code="ONE").issued_to_report is not None
    assert "1 of 2" in text(as_role("member").get(reverse("coalition:coupon_offers")))


# --- the block on the grievance page -------------------------------------------------------


def test_the_grievance_page_block_counts_listings_and_waiting_reports(
    rf, counterfeit, organiser, grievance
):
    from django.template.loader import render_to_string

    from coalition.pages.reports import grievance_section

    confirmed = watcher_report(counterfeit, url="https://shop.example/1")
    review_report(confirmed, actor=organiser.user, decision="confirm")
    watcher_report(counterfeit, url="https://shop.example/2", email="b@example.net", rgb=(4, 4, 4))
    request = rf.get("/")
    request.user = organiser.user
    context = grievance_section(request, grievance=counterfeit, membership=None, organiser=True)
    assert context == {"reports_confirmed": 1, "reports_waiting": 1, "coupons_left": 0}
    html = render_to_string(
        "coalition/reports/_grievance_section.html",
        {**context, "grievance": counterfeit, "organiser": True},
        request=request,
    )
    assert (
        f"/report/?grievance={counterfeit.pk}" in html
        and "1 report waiting for your review" in html
    )
    assert grievance_section(request, grievance=grievance, membership=None, organiser=True) is None
