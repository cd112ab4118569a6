"""The round page's view-model (appeals.pages.rounds.round_page): what each viewer may do and see."""

from __future__ import annotations

import pytest

from appeals.models import Appeal
from appeals.pages.rounds import round_page
from tests.appeals.builders import make_round
from tests.factories import SignatureFactory, SubmissionFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def test_round_page_flags_for_a_member(member, grievance, membership):
    appeal = make_round(grievance, S.SIGNING, signature_goal=3)
    page = round_page(member.user, appeal)
    assert page.can_sign and not page.signed and not page.can_organise and page.can_see_letter
    assert page.email_verified and page.progress_percent == 0 and page.allowed_moves == []
    SignatureFactory(appeal=appeal, membership=membership)
    page = round_page(member.user, appeal)
    assert (
        page.signed
        and page.can_withdraw_signature
        and not page.can_sign
        and page.progress_percent == 33
    )


def test_round_page_for_an_organiser_lists_signers_and_moves(organiser, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    page = round_page(organiser.user, appeal)
    assert page.can_organise and page.allowed_moves == ["close_signing", "withdraw"]
    assert [s.membership for s in page.signers] == [membership]
    assert page.unnamed_signers == 1 and page.annex == []


def test_round_page_for_outsiders_hides_everything_private(outsider, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    SubmissionFactory(appeal=appeal, membership=membership)
    page = round_page(outsider.user, appeal)
    assert (
        not page.can_see_letter
        and page.submissions == []
        and page.responses == []
        and page.signers == []
    )
    assert page.totals.filed == 1  # counts are public, rows are not
    assert not page.can_sign and not page.can_log_submission
