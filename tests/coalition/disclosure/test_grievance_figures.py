"""The grievance's figures on its page and in its API answer follow the disclosure rule for every
non-organiser (docs/privacy.md); organisers and staff read exact figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coalition.actions.memberships import leave_grievance
from coalition.models import Membership
from coalition.queries.memberships import aggregates
from tests.factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "outsider", "member")
DOC_AMOUNTS = ("23450", "18900", "31200", "12750", "27600", "15800")


def verified(grievance, amount, currency="USD", **extra) -> Membership:
    return MembershipFactory(
        grievance=grievance,
        amount_withheld=Decimal(amount),
        currency=currency,
        state=Membership.State.VERIFIED,
        **extra,
    )


def api_figures(as_, who, grievance) -> dict:
    return as_(who).get(f"/api/v1/grievances/{grievance.pk}/").json()["aggregates"]


def page(client_as, who, grievance) -> str:
    return client_as(who).get(f"/grievances/{grievance.pk}/").content.decode()


def cell(figures, currency, kind="withheld") -> dict:
    return next(c for c in figures["currencies"] if c["currency"] == currency)[kind]


@pytest.mark.parametrize(
    ("count", "released", "text"),
    [
        (4, False, "hidden to protect members: fewer than 5 sellers reported amounts in USD"),
        (5, True, "about US$5,600"),
        (6, True, "about US$6,700"),
    ],
)
@pytest.mark.parametrize("who", READERS)
def test_a_currency_is_released_rounded_only_from_five_verified_contributors(
    as_, client_as, who, grievance, membership, count, released, text
):
    for _ in range(count):
        verified(grievance, "1111.11")
    figures = api_figures(as_, who, grievance)
    usd = cell(figures, "USD")
    assert (usd["released"], usd["text"]) == (released, text)
    assert usd["value"] == ({5: "5600", 6: "6700"}[count] if released else None)
    body = page(client_as, who, grievance)
    assert text in body
    assert "1,111.11" not in body and "1111.11" not in body


def test_five_contributors_release_the_sum_at_two_significant_figures(as_, grievance, membership):
    for _ in range(5):
        verified(grievance, "1111.11")
    assert cell(api_figures(as_, "member", grievance), "USD")["value"] == "5600"


@pytest.mark.parametrize("who", ("organiser", "staff"))
def test_organisers_and_staff_read_exact_figures_and_what_the_others_see(
    as_, client_as, who, grievance, staff_user
):
    for _ in range(4):
        verified(grievance, "1111.11")
    figures = api_figures(as_, who, grievance)
    assert figures["exact"] is True
    assert cell(figures, "USD") == {
        "released": True,
        "value": "4444.44",
        "currency": "USD",
        "text": "US$4,444.44",
    }
    assert cell(figures["public"], "USD")["released"] is False
    assert "US$4,444.44" in page(client_as, who, grievance)


def test_one_dominant_contributor_hides_the_amount(as_, client_as, grievance, membership):
    for amount in ("50000", "40000", "4000", "3000", "2000"):
        verified(grievance, amount)
    reason = "hidden to protect members: one or two sellers account for most of this amount"
    for who in READERS:
        assert cell(api_figures(as_, who, grievance), "USD")["text"] == reason
        body = page(client_as, who, grievance)
        assert reason in body and "99,000" not in body and "50,000" not in body


def test_the_only_contributor_in_a_second_currency_is_not_published(as_, client_as, grievance):
    for _ in range(5):
        verified(grievance, "1000")
    verified(grievance, "777.77", currency="EUR")
    for who in READERS:
        figures = api_figures(as_, who, grievance)
        assert cell(figures, "USD")["released"] is True
        eur = cell(figures, "EUR")
        assert eur["released"] is False and eur["value"] is None
        assert "fewer than 5 sellers reported amounts in EUR" in eur["text"]
        body = page(client_as, who, grievance)
        assert "777" not in body


def test_zero_amount_and_unverified_members_do_not_make_up_the_five(as_, grievance, membership):
    for _ in range(4):
        verified(grievance, "1000")
    for _ in range(4):
        verified(grievance, "0")  # throwaway accounts with nothing to report
    MembershipFactory(grievance=grievance, amount_withheld=Decimal("1000"))  # not verified
    figures = api_figures(as_, "member", grievance)
    assert figures["member_count"] == 11
    assert cell(figures, "USD")["released"] is False
    assert figures["stores"]["released"] is False


def test_a_member_leaving_moves_the_released_total_by_a_rounding_step_not_their_amount(
    as_, grievance, membership
):
    members = [verified(grievance, amount) for amount in DOC_AMOUNTS]
    before = aggregates(grievance, organiser=False).currencies[0].withheld
    assert before.value == Decimal("130000")
    assert cell(api_figures(as_, "member", grievance), "USD")["value"] == "130000"
    leaver = members[DOC_AMOUNTS.index("15800")]
    leave_grievance(grievance, actor=leaver.seller.user)
    after = aggregates(grievance, organiser=False).currencies[0].withheld
    assert after.value == Decimal("110000")
    assert before.value - after.value != Decimal("15800")
    assert cell(api_figures(as_, "member", grievance), "USD")["text"] == "about US$110,000"


def test_store_counts_follow_the_rule_and_member_counts_are_always_shown(
    as_, grievance, platform, membership
):
    for _ in range(4):
        m = verified(grievance, "100")
        Membership.objects.filter(pk=m.pk).update(
            store=StoreFactory(seller=m.seller, platform=platform)
        )
    figures = api_figures(as_, "outsider", grievance)
    assert figures["member_count"] == 6
    assert figures["stores"]["released"] is False
    m = verified(grievance, "100")
    Membership.objects.filter(pk=m.pk).update(
        store=StoreFactory(seller=m.seller, platform=platform)
    )
    assert api_figures(as_, "outsider", grievance)["stores"]["value"] == "5"
