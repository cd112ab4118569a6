"""appeals/queries.py: visibility, totals, the round page's flags, clocks and legal windows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from appeals import queries
from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.conftest import make_round
from tests.factories import SignatureFactory, SubmissionFactory, UserFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_members_see_withdrawn_rounds_only_if_signing_had_opened(member, grievance, membership):
    make_round(grievance, S.WITHDRAWN, signing_opened_at=None)
    seen = make_round(grievance, S.WITHDRAWN)
    assert list(queries.rounds_for(member.user, grievance)) == [seen]


def test_former_members_are_outsiders_again(member, grievance, membership):
    signing = make_round(grievance, S.SIGNING)
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WITHDRAWN)
    with pytest.raises(Http404):
        queries.reachable_round(member.user, signing.pk)


def test_reachable_round_is_404_for_garbage_ids():
    with pytest.raises(Http404):
        queries.reachable_round(AnonymousUser(), "abc")


def test_rounds_for_counts_only_counted_signatures(grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    SignatureFactory(appeal=appeal, withdrawn_at=timezone.now())
    SignatureFactory(appeal=appeal, membership__seller__user=UserFactory(verified=False))
    SignatureFactory(appeal=appeal, membership__state=Membership.State.WITHDRAWN)
    assert queries.rounds_for(AnonymousUser(), grievance).count() == 0  # not sent yet
    from tests.factories import SellerFactory

    staff = SellerFactory(user=UserFactory(is_staff=True)).user
    assert queries.rounds_for(staff, grievance).get().signature_count == 1


def test_totals_per_round_and_per_grievance(grievance):
    first, second = make_round(grievance, S.RESPONDED), make_round(grievance, S.SUBMITTED)
    SubmissionFactory(
        appeal=first, outcome="funds_released", amount_recovered=Decimal("100"), currency="USD"
    )
    SubmissionFactory(
        appeal=first, outcome="partial", amount_recovered=Decimal("50.5"), currency="USD"
    )
    SubmissionFactory(appeal=first, outcome="denied")
    SubmissionFactory(
        appeal=second, outcome="reinstated", amount_recovered=Decimal("700"), currency="CNY"
    )
    SubmissionFactory(appeal=second)
    one = queries.round_totals(first)
    assert one.filed == 3 and one.recovered == {"USD": Decimal("150.50")}
    assert one.outcomes == {"funds_released": 1, "partial": 1, "denied": 1}
    both = queries.grievance_totals(grievance)
    assert both.filed == 5 and both.pending == 1
    assert both.recovered == {"CNY": Decimal("700"), "USD": Decimal("150.50")}
    assert [v for v, _label, _n in both.outcome_rows] == [
        "pending",
        "reinstated",
        "funds_released",
        "partial",
        "denied",
    ]


def test_round_page_flags_for_a_member(member, grievance, membership):
    appeal = make_round(grievance, S.SIGNING, signature_goal=3)
    page = queries.round_page(member.user, appeal)
    assert page.can_sign and not page.signed and not page.can_organise and page.can_see_letter
    assert page.email_verified and page.progress_percent == 0 and page.allowed_moves == []
    SignatureFactory(appeal=appeal, membership=membership)
    page = queries.round_page(member.user, appeal)
    assert (
        page.signed
        and page.can_withdraw_signature
        and not page.can_sign
        and page.progress_percent == 33
    )


def test_round_page_for_an_organiser_lists_signers_and_moves(organiser, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    page = queries.round_page(organiser.user, appeal)
    assert page.can_organise and page.allowed_moves == ["close_signing", "withdraw"]
    assert [s.membership for s in page.signers] == [membership]
    assert page.unnamed_signers == 1 and page.annex == []


def test_round_page_for_outsiders_hides_everything_private(outsider, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    SubmissionFactory(appeal=appeal, membership=membership)
    page = queries.round_page(outsider.user, appeal)
    assert (
        not page.can_see_letter
        and page.submissions == []
        and page.responses == []
        and page.signers == []
    )
    assert page.totals.filed == 1  # counts are public, rows are not
    assert not page.can_sign and not page.can_log_submission


def test_clock_labels(grievance):
    appeal = make_round(grievance, S.INFO_REQUESTED, paused_remaining_days=1)
    assert (
        queries.clock_label(appeal, queries.clock_of(appeal))
        == "paused: 1 business day left once the information is sent"
    )
    sent = make_round(grievance, S.SUBMITTED)
    sent.response_due_at = timezone.now() - timedelta(days=8)
    sent.very_overdue_at = timezone.now() + timedelta(days=8)
    label = queries.clock_label(sent, queries.clock_of(sent))
    assert label.startswith("overdue by ") and label.endswith("business days")
    assert (
        queries.clock_label(
            make_round(grievance, S.DRAFT), queries.clock_of(make_round(grievance, S.DRAFT))
        )
        == ""
    )


def test_legal_windows_are_dates_from_the_platforms_action(grievance):
    grievance.infraction_date = date(2025, 3, 3)
    windows = {w.key: w.closes for w in queries.legal_windows_for(grievance)}
    assert windows["appeal_window"] == date(2025, 6, 2)  # 90 days: Sunday 1 June rolls to Monday
    assert windows["dsa_complaint"] == date(2025, 9, 3)
    assert windows["p2b_termination_notice"] == date(2025, 4, 2)


def test_no_dates_no_windows(grievance):
    assert queries.legal_windows_for(grievance) == []
