"""What a letter cites: the rounds the platform received (round N > 1), what is new since, and
only the laws of the platform's regimes that apply to the sellers behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.documents.letters import letter_regimes, platform_number, render_letter
from appeals.models import Appeal
from coalition.categories import Category, EvidenceKind
from coalition.models import Evidence, Membership
from tests.appeals.builders import make_round
from tests.factories import GrievanceFactory, MembershipFactory, PlatformFactory, SellerFactory
from tests.files import bring

pytestmark = pytest.mark.django_db
S = Appeal.State
EU_ARTICLES = ("2019/1150", "2022/2065", "Platform-to-Business", "Digital Services Act")


def seller_in(grievance, country: str = "", **fields) -> Membership:
    fields.setdefault("state", Membership.State.VERIFIED)
    return MembershipFactory(
        grievance=grievance, seller=SellerFactory(country_of_establishment=country), **fields
    )


def coalition_on(regimes: list[str], *countries: str, category=Category.FUNDS_WITHHELD):
    g = GrievanceFactory(platform=PlatformFactory(legal_regimes=regimes), category=category)
    for country in countries:
        seller_in(g, country)
    return g


# --- legal references by jurisdiction --------------------------------------------------------


@pytest.mark.parametrize("category", list(Category.values))
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_eu_article_in_a_letter_to_a_platform_without_eu_regimes(category, language):
    g = coalition_on(["us_ftc"], "DE", "CN", category=category)  # e.g. Amazon US
    _, body = render_letter(g, language=language, round_number=1)
    for words in (*EU_ARTICLES, "欧盟", "第 4 条", "第 11 条"):
        assert words not in body
    assert ("Federal Trade Commission" if language == "en" else "联邦贸易委员会") in body


def test_p2b_is_cited_only_when_a_seller_established_in_the_eu_signed_up():
    chinese_sellers = coalition_on(["eu_p2b", "eu_dsa"], "CN", "HK")  # Amazon EU, no EU seller
    _, body = render_letter(chinese_sellers, language="en", round_number=1)
    assert "2019/1150" not in body and "Article 11" not in body
    assert "Digital Services Act (Regulation 2022/2065)" in body
    assert "Article 17" in body and "Article 20" in body and "Article 21" in body
    assert letter_regimes(chinese_sellers) == ["eu_dsa"]

    seller_in(chinese_sellers, "DE")
    _, body = render_letter(chinese_sellers, language="en", round_number=1)
    for article in ("Article 4", "Article 11", "Article 12", "Article 14", "30 days' notice"):
        assert article in body
    _, zh = render_letter(chinese_sellers, language="zh-hans", round_number=1)
    assert "第 2019/1150 号条例" in zh and "第 11 条" in zh and "第 21 条" in zh


def test_an_unverified_member_established_in_the_eu_does_not_make_p2b_apply():
    g = coalition_on(["eu_p2b", "eu_dsa"], "CN")
    seller_in(g, "FR", state=Membership.State.JOINED)
    assert letter_regimes(g) == ["eu_dsa"]


def test_chinese_platform_letters_cite_the_e_commerce_law_with_its_articles():
    g = coalition_on(["cn_ecommerce"], "CN", category=Category.IP_CLAIM_AGAINST_SELLER)
    _, en = render_letter(g, language="en", round_number=1)
    assert "Article 43" in en and "Article 34" in en and "Article 59" in en
    assert "2019/1150" not in en
    _, zh = render_letter(g, language="zh-hans", round_number=1)
    assert "第四十三条" in zh and "第三十四条" in zh and "第五十九条" in zh


def test_a_platform_with_no_regimes_gets_no_rights_section():
    _, body = render_letter(coalition_on([], "DE"), language="en", round_number=1)
    assert "OUR RIGHTS" not in body and "Article" not in body


# --- rounds the platform received, and what is new since ---------------------------------------


def test_round_3_cites_rounds_1_and_2_and_lists_what_is_new():
    g = coalition_on([], "CN", "CN")
    g.demands = "Release the funds."
    g.save()
    now = timezone.now()
    first = make_round(
        g,
        S.RESPONDED,
        number=1,
        submitted_at=now - timedelta(days=60),
        case_reference="CS-1",
        channel="email",
        demands="Release the funds.",
    )
    second = make_round(
        g,
        S.RESPONDED,
        number=2,
        previous=first,
        submitted_at=now - timedelta(days=20),
        case_reference="CS-2",
        outcome="partial",
        demands="Release the funds.",
    )
    # before round 2 went out: not new
    old = bring(seller_in(g, "CN"), kind=EvidenceKind.SETTLEMENT_REPORT)
    Evidence.objects.filter(pk=old.pk).update(uploaded_at=now - timedelta(days=30))
    Membership.objects.filter(grievance=g).update(joined_at=now - timedelta(days=90))
    # since round 2: two order records, a chat log, two new verified sellers, changed demands
    newcomer = seller_in(g, "CN")
    seller_in(g, "CN")
    seller_in(g, "CN", state=Membership.State.JOINED)  # not verified: not a new signer
    bring(newcomer, kind=EvidenceKind.ORDER_RECORD)
    bring(newcomer, kind=EvidenceKind.ORDER_RECORD)
    bring(newcomer, kind=EvidenceKind.CHAT_LOG)
    g.demands = "Release the funds and pay interest."
    g.save()

    subject, body = render_letter(g, language="en", round_number=3, previous=second)
    assert subject.startswith("Collective appeal, round 3:")
    assert "This is round 3 of our appeal." in body
    first_day = timezone.localtime(first.submitted_at).strftime("%-d %B %Y")
    assert (
        f"- Round 1, submitted on {first_day} by email, your case reference CS-1: rejected." in body
    )
    assert "- Round 2, submitted on" in body and "through your appeal portal" in body
    assert "your case reference CS-2: partly granted." in body
    new = body.split("WHAT IS NEW SINCE ROUND 2")[1].split("WHAT HAPPENED")[0]
    assert "New evidence: 2 × order record" in new
    assert "New evidence: 1 × chat log with the buyer" in new
    assert "settlement report" not in new
    assert "New sellers who joined the coalition: 2" in new
    assert "Our demands have changed" in new
    assert "quoting case reference CS-2" in body

    _, zh = render_letter(g, language="zh-hans", round_number=3, previous=second)
    assert "这是我们的第 3 轮申诉" in zh and "CS-1" in zh and "部分批准" in zh
    assert "新证据：订单记录 2 份" in zh and "新加入联盟的卖家：2 位" in zh


def test_a_withdrawn_round_does_not_shift_the_number_the_platform_sees():
    g = coalition_on([], "CN")
    first = make_round(g, S.RESPONDED, number=1, case_reference="CS-1")
    withdrawn = make_round(g, S.WITHDRAWN, number=2, previous=first)
    third = make_round(g, S.DRAFT, number=3, previous=withdrawn)
    assert platform_number(third) == 2
    subject, body = render_letter(g, language="en", round_number=3)
    assert subject.startswith("Collective appeal, round 2:")
    assert "This is round 2 of our appeal." in body and "round 3" not in body.lower()
    assert body.count("- Round ") == 1


def test_round_1_after_a_withdrawn_round_1_is_still_round_1_for_the_platform():
    g = coalition_on([], "CN")
    make_round(g, S.WITHDRAWN, number=1)
    subject, body = render_letter(g, language="en", round_number=2)
    assert subject.startswith("Collective appeal: ")
    assert "OUR EARLIER ROUNDS" not in body
