"""Signing a round: opening and closing it, members signing and taking their signature back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from appeals.actions.signing import close_signing, open_signing, sign, withdraw_signature
from appeals.models import Appeal, Signature
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Membership
from tests.appeals.builders import add_members, make_round
from tests.factories import MembershipFactory, NotificationFactory, SellerFactory, UserFactory

S = Appeal.State
pytestmark = pytest.mark.django_db


def _events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def test_open_signing_sets_the_deadline_and_calls_the_hook(draft, organiser, hook_calls):
    deadline = timezone.now() + timedelta(days=7)
    open_signing(draft, actor=organiser.user, deadline=deadline)
    draft.refresh_from_db()
    assert (
        draft.state == S.SIGNING and draft.signing_deadline == deadline and draft.signing_opened_at
    )
    assert hook_calls == [("on_signing_opened", (draft,))]


def test_open_signing_refuses_a_past_deadline(draft, organiser):
    with pytest.raises(ActionRefused):
        open_signing(draft, actor=organiser.user, deadline=timezone.now() - timedelta(days=1))


def test_member_signs_once_and_again_changes_nothing(signing, member, membership):
    first = sign(signing, actor=member.user)
    again = sign(signing, actor=member.user, consent_to_name=True)
    assert first.pk == again.pk
    assert first.newly_signed and not again.newly_signed
    assert Signature.objects.count() == 1
    assert again.consent_to_name is False  # signing again changes nothing, consent included
    (signed,) = _events("round.signed")
    assert (signed.grievance_id, signed.actor_id) == (signing.grievance_id, member.user_id)
    assert signed.subject == f"round:{signing.number}"
    assert signed.data == {"membership": membership.pk}


def test_a_round_can_be_signed_by_its_id(signing, member, membership):
    signature = sign(signing.pk, actor=member.user)
    assert signature.newly_signed and signature.appeal_id == signing.pk
    assert signature.membership.state == Membership.State.VERIFIED


def test_signing_withdraws_the_signers_reminders_waiting_for_their_morning(
    signing, grievance, member, membership
):
    later = timezone.now() + timedelta(hours=8)
    other = MembershipFactory(grievance=grievance, state=Membership.State.VERIFIED)

    def waiting(kind, user, **extra):
        return NotificationFactory(
            kind=kind, recipient=user, appeal=signing, send_after=later, **extra
        )

    summons = waiting("summons", member.user)
    reminder = waiting("signing_reminder", member.user)
    sent = waiting("signing_reminder", member.user, state="sent")
    someone_elses = waiting("signing_reminder", other.seller.user)
    decision = waiting("decision_notice", member.user)

    sign(signing, actor=member.user)

    for row in (summons, reminder):
        row.refresh_from_db()
        assert (row.state, row.last_error) == ("suppressed", "signed meanwhile")
    for row, state in ((sent, "sent"), (someone_elses, "pending"), (decision, "pending")):
        row.refresh_from_db()
        assert row.state == state


def test_signing_again_withdraws_nothing_more(signing, member, membership):
    sign(signing, actor=member.user)
    later = NotificationFactory(
        kind="signing_reminder", recipient=member.user, appeal=signing, state="pending"
    )
    sign(signing, actor=member.user)
    later.refresh_from_db()
    assert later.state == "pending"  # only a signature that newly counts withdraws reminders


def test_consent_defaults_to_the_membership_choice(signing, grievance):
    consenting = MembershipFactory(grievance=grievance, consent_to_name=True)
    assert sign(signing, actor=consenting.seller.user).consent_to_name is True


def test_organisers_sign_too(signing, organiser):
    assert sign(signing, actor=organiser.user).pk


@pytest.mark.parametrize("state", [S.DRAFT, S.READY, S.SUBMITTED, S.RESPONDED, S.WITHDRAWN])
def test_signing_only_while_the_round_is_open_for_it(state, grievance, member, membership):
    appeal = make_round(grievance, state)
    with pytest.raises(ActionRefused, match="not open for signing"):
        sign(appeal, actor=member.user)


def test_outsiders_cannot_sign(signing, outsider):
    with pytest.raises(ActionRefused, match="Only members"):
        sign(signing, actor=outsider.user)
    assert not Signature.objects.exists()


def test_members_who_left_cannot_sign(signing, member, membership):
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WITHDRAWN)
    with pytest.raises(ActionRefused):
        sign(signing, actor=member.user)


def test_unverified_email_cannot_sign(signing, grievance):
    user = UserFactory(verified=False)
    MembershipFactory(grievance=grievance, seller=SellerFactory(user=user))
    with pytest.raises(ActionRefused) as refused:
        sign(signing, actor=user)
    assert refused.value.code == "email_unverified"
    assert "Confirm your email" in str(refused.value.message)


def test_withdraw_then_sign_reactivates_the_same_signature(signing, member, membership):
    first = sign(signing, actor=member.user)
    withdraw_signature(signing, actor=member.user)
    assert Signature.objects.counted().count() == 0
    again = sign(signing, actor=member.user, consent_to_name=True)
    assert again.pk == first.pk and again.withdrawn_at is None and again.newly_signed
    assert again.consent_to_name is True
    assert Signature.objects.counted().count() == 1
    assert _events("round.signed").count() == 2


def test_withdrawing_twice_is_not_an_error(signing, member, membership):
    sign(signing, actor=member.user)
    assert withdraw_signature(signing, actor=member.user) is not None
    assert withdraw_signature(signing, actor=member.user) is None
    assert _events("round.signature_withdrawn").count() == 1


def test_signatures_can_be_withdrawn_until_submission(grievance, member, membership):
    appeal = make_round(grievance, S.SIGNING)
    sign(appeal, actor=member.user)
    Appeal.objects.filter(pk=appeal.pk).update(state=S.READY)
    appeal.refresh_from_db()
    assert withdraw_signature(appeal, actor=member.user).withdrawn_at
    Appeal.objects.filter(pk=appeal.pk).update(state=S.SUBMITTED)
    appeal.refresh_from_db()
    with pytest.raises(ActionRefused):
        withdraw_signature(appeal, actor=member.user)


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the ORM path; PostgreSQL signs in one statement: tests/appeals/signing/test_close_race.py",
)
def test_a_sign_that_loses_the_race_with_closing_is_refused(
    signing, member, membership, monkeypatch
):
    # Simulate closing committing between the state check and the insert.
    real_create = Signature.objects.create

    def create_then_close(**kwargs):
        Appeal.objects.filter(pk=signing.pk).update(state=S.READY)
        return real_create(**kwargs)

    monkeypatch.setattr(Signature.objects, "create", create_then_close)
    with pytest.raises(ActionRefused, match="just closed"):
        sign(signing, actor=member.user)


def test_close_signing_records_the_count(signing, organiser, grievance, hook_calls):
    for m in add_members(grievance, 3):
        sign(signing, actor=m.seller.user)
    close_signing(signing, actor=organiser.user)
    assert _events("round.signing_closed").get().data["signatures"] == 3
    assert hook_calls[-1] == ("on_signing_closed", (Appeal.objects.get(pk=signing.pk),))


def test_email_address_must_be_verified_not_just_present(signing, member, membership):
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    with pytest.raises(ActionRefused):
        sign(signing, actor=member.user)
