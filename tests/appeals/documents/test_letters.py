"""Letters from the category templates in English and Chinese, and the signer annex's consent rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from appeals.documents.letters import (
    annex_text,
    letter_with_annex,
    render_letter,
    signer_annex,
    template_names,
)
from appeals.models import Appeal
from coalition.categories import Category
from coalition.models import InfringementReport, Membership
from tests.appeals.builders import make_round
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    SellerFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("category", list(Category.values))
def test_every_category_renders_in_both_languages(category, language, platform):
    g = GrievanceFactory(platform=platform, category=category)
    subject, body = render_letter(g, language=language, round_number=1)
    assert g.title in subject and "\n" not in subject
    assert g.summary in body and g.demands in body
    assert "{%" not in body and "{{" not in body
    assert "\n\n\n" not in body


def test_category_falls_back_to_the_default_template():
    assert template_names("other", "en")[-1] == "appeals/letters/default.en.txt"
    assert template_names("refund_dispute", "fr") == [
        "appeals/letters/refund_dispute.en.txt",
        "appeals/letters/default.en.txt",
    ]


def test_english_refund_letter_cites_orders_chats_and_tracking_with_released_figures(coalition):
    subject, body = render_letter(coalition, language="en", round_number=1)
    assert subject == "Collective appeal: Refunds granted without reason (6 sellers on Wishful)"
    for words in ("order record", "chat history", "proof of delivery", "neutral third party"):
        assert words in body
    assert "6 verified sellers on Wishful, with 6 stores between us" in body
    # released and rounded (4,050.50 exact), never the organisers' exact total
    assert "Funds withheld (USD): about US$4,100" in body and "4,050" not in body
    assert "CNY" not in body  # one seller's amount: a cell of one stays hidden


def test_unverified_members_are_counted_nowhere_in_the_letter(coalition):
    _, body = render_letter(coalition, language="en", round_number=1)
    assert "9" not in body.split("WHAT HAPPENED")[0]  # 6 verified, not 9 members
    assert "99,999" not in body and "300,000" not in body and "about US$300" not in body


def test_the_letter_is_dated_and_comes_from_the_coalition_with_its_reply_address(coalition):
    _, body = render_letter(
        coalition,
        language="en",
        round_number=1,
        reply_address="appeals+abc@coalition.example",
        drafted_on=date(2026, 3, 9),
    )
    assert body.startswith("9 March 2026\n")
    assert "From: the sellers' coalition “Refunds granted without reason”" in body
    assert "Reply to: appeals+abc@coalition.example" in body
    assert "Please reply to appeals+abc@coalition.example" in body
    _, zh = render_letter(
        coalition, language="zh-hans", round_number=1, drafted_on=date(2026, 3, 9)
    )
    assert zh.startswith("2026年3月9日\n")


def test_chinese_letter_is_chinese(coalition):
    subject, body = render_letter(coalition, language="zh-hans", round_number=1)
    assert subject.startswith("集体申诉：")
    assert "订单记录" in body and "聊天记录" in body and "签收证明" in body
    assert "本联盟经核实的卖家人数：6" in body
    assert "4,100美元" in body  # released and rounded, said in Chinese
    assert "Collective appeal" not in body


@pytest.mark.parametrize(
    ("category", "words"),
    [
        (Category.IP_CLAIM_AGAINST_SELLER, ["registration certificates", "Article 43", "15 days"]),
        (
            Category.COUNTERFEIT_INFRINGER,
            ["counterfeit", "screenshots", "registration certificates"],
        ),
        (Category.FUNDS_WITHHELD, ["settlement reports", "Article 4", "statement of reasons"]),
        (Category.POLICY_CHANGE, ["15 days", "Article 34"]),
    ],
)
def test_category_paragraphs(category, words, platform):
    platform.legal_regimes = ["eu_p2b", "eu_dsa", "cn_ecommerce"]
    platform.save()
    g = GrievanceFactory(platform=platform, category=category)
    established_in(g, "DE")  # a seller established in the EU: P2B applies
    _, body = render_letter(g, language="en", round_number=1)
    for w in words:
        assert w in body


def established_in(grievance, country: str, **fields):
    return MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(country_of_establishment=country),
        **fields,
    )


@pytest.mark.parametrize(
    "category",
    [
        Category.DUPLICATE_LISTING,
        Category.ACCOUNT_LINKING,
        Category.FULFILMENT_PERFORMANCE,
        Category.OFF_PLATFORM,
        Category.MISLEADING_AUTHORIZATION,
    ],
)
def test_suspensions_follow_a_plan_of_action(category, platform):
    g = GrievanceFactory(platform=platform, category=category)
    _, en = render_letter(g, language="en", round_number=1)
    root, corrective, preventive = (
        en.index(h) for h in ("Root cause", "Corrective actions", "Preventive measures")
    )
    assert root < corrective < preventive
    _, zh = render_letter(g, language="zh-hans", round_number=1)
    assert zh.index("根本原因") < zh.index("纠正措施") < zh.index("预防措施")


def test_a_later_round_refers_to_the_previous_one(coalition):
    previous = make_round(
        coalition, Appeal.State.RESPONDED, case_reference="CS-4411", outcome="rejected"
    )
    subject, body = render_letter(coalition, language="en", round_number=2, previous=previous)
    assert subject.startswith("Collective appeal, round 2:")
    assert "- Round 1, submitted on" in body and "CS-4411" in body and ": rejected." in body
    _, zh = render_letter(coalition, language="zh-hans", round_number=2, previous=previous)
    assert "第 2 轮申诉" in zh and "CS-4411" in zh and "被驳回" in zh


def test_an_overdue_previous_round_is_described_as_unanswered(coalition):
    previous = make_round(coalition, Appeal.State.SUBMITTED)
    _, body = render_letter(coalition, language="en", round_number=2, previous=previous)
    assert "no decision within the response time" in body


# --- the annex ------------------------------------------------------------------------------


def test_annex_names_only_counted_signers_who_consented_twice(round_with_signers):
    assert signer_annex(round_with_signers) == [("Ann", "Ann's shop"), ("Bo", "")]


def test_annex_text_counts_the_unnamed(round_with_signers):
    text = annex_text(round_with_signers)
    ann = round_with_signers.signatures.get(membership__seller__display_name="Ann")
    store_id = ann.membership.store.platform_store_id
    assert f"1. Ann (store: Ann's shop, store ID {store_id})" in text and "2. Bo" in text
    assert "and 3 further sellers who asked not to be named." in text  # Cai, Dee, Eve
    for name in ("Cai", "Dee", "Eve", "Fay", "Gus", "Hal", "Ian"):  # Ian: not verified
        assert name not in text


def test_the_annex_gives_a_store_id_only_with_its_separate_consent(round_with_signers):
    text = annex_text(round_with_signers)
    for m in round_with_signers.grievance.memberships.exclude(store=None):
        if m.seller.display_name != "Ann":
            assert m.store.platform_store_id not in text
    assert "store ID" not in "".join(f"{n} {s}" for n, s in signer_annex(round_with_signers))


def test_chinese_annex(round_with_signers):
    round_with_signers.language = "zh-hans"
    text = annex_text(round_with_signers)
    assert text.startswith("附件：联署本申诉的卖家")
    assert "1. Ann（店铺：Ann's shop，店铺 ID：" in text
    assert "另有 3 位卖家联署但要求不公开姓名。" in text


def test_annex_when_nobody_wants_to_be_named(coalition):
    appeal = make_round(coalition, Appeal.State.SIGNING)
    for m in coalition.memberships.all():
        SignatureFactory(appeal=appeal, membership=m)
    # the three members nobody verified signed too, and count nowhere
    assert "6 sellers co-signed this appeal and asked not to be named." in annex_text(appeal)


def test_annex_with_no_signers(coalition):
    appeal = make_round(coalition, Appeal.State.SIGNING)
    assert "No seller has co-signed this appeal yet." in annex_text(appeal)


def test_letter_with_annex_appends_the_annex_to_the_edited_letter(round_with_signers):
    round_with_signers.letter = "Edited by the organisers."
    text = letter_with_annex(round_with_signers)
    assert text.startswith("Edited by the organisers.\n\nANNEX")


def confirmed_report(grievance, url: str, when):
    return InfringementReport.objects.create(
        grievance=grievance,
        platform=grievance.platform,
        listing_url=url,
        listing_key=url,
        store_name="Fake Goods Store",
        infringes=InfringementReport.Infringes.COUNTERFEIT,
        watcher_email="watcher@example.com",
        state=InfringementReport.State.CONFIRMED,
        reviewed_at=when,
    )


def test_each_round_annexes_the_infringing_listings_confirmed_since_the_last_one(grievance):
    now = timezone.now()
    confirmed_report(grievance, "https://market.example/item/1", now - timedelta(days=9))
    first = make_round(grievance, Appeal.State.SUBMITTED, submitted_at=now - timedelta(days=5))
    confirmed_report(grievance, "https://market.example/item/2", now - timedelta(days=1))
    second = make_round(grievance, previous=first, number=2)

    assert "https://market.example/item/1" in letter_with_annex(first)
    assert "INFRINGING LISTINGS" in annex_text(first)
    annex = annex_text(second)
    assert "https://market.example/item/2" in annex and "item/1" not in annex
    second.language = "zh-hans"
    assert "侵权商品链接" in annex_text(second)


def test_a_round_without_confirmed_listings_has_no_listings_annex(grievance):
    assert "INFRINGING" not in annex_text(make_round(grievance))
