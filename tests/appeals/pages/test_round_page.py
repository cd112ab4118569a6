"""The round page: who sees it and what they see (letter, annex, submissions, responses,
controls), and that its queries do not grow with signatures and submissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, Signature
from coalition.models import Grievance, Membership
from tests.appeals.builders import make_round
from tests.factories import (
    MembershipFactory,
    PlatformResponseFactory,
    SignatureFactory,
    StoreFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.files import ROLES, text

pytestmark = pytest.mark.django_db


S = Appeal.State
LETTER = "We, the undersigned sellers, ask you to release our funds.\n\nSecond paragraph."


def url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


def _round(grievance, state, **fields) -> Appeal:
    return make_round(grievance, state, letter=LETTER, subject="Release our funds", **fields)


# --- who may open the page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # anonymous, outsider, member, organiser, staff. Signed out, a round one may not see
        # asks to sign in (the same for every id, so it tells nothing); signed in, it is a 404.
        (S.DRAFT, (302, 404, 404, 200, 200)),
        (S.SIGNING, (302, 404, 200, 200, 200)),
        (S.READY, (302, 404, 200, 200, 200)),
        (S.SUBMITTED, (200, 200, 200, 200, 200)),
        (S.RESPONDED, (200, 200, 200, 200, 200)),
    ],
)
def test_who_can_open_a_round_of_a_public_grievance(client_as, grievance, state, expected):
    appeal = _round(grievance, state)
    got = tuple(client_as(role).get(url(appeal)).status_code for role in ROLES)
    assert got == expected


@pytest.mark.parametrize("field", ["visibility", "hidden"])
def test_rounds_of_unlisted_or_hidden_grievances_are_a_404_for_outsiders(
    client_as, grievance, field
):
    change = (
        {"visibility": Grievance.Visibility.UNLISTED} if field == "visibility" else {"hidden": True}
    )
    Grievance.objects.filter(pk=grievance.pk).update(**change)
    appeal = _round(grievance, S.SUBMITTED)
    got = {role: client_as(role).get(url(appeal)).status_code for role in ROLES}
    assert got == {"anonymous": 302, "outsider": 404, "member": 200, "organiser": 200, "staff": 200}


def test_a_round_that_does_not_exist_is_a_404(client_as):
    assert client_as("member").get("/rounds/999999/").status_code == 404


def test_a_signed_out_member_following_the_summons_link_signs_in_and_comes_back(
    client, grievance, member, membership
):
    appeal = _round(grievance, S.SIGNING)
    response = client.get(url(appeal))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url(appeal)}"
    # A round that does not exist answers the same, so the redirect tells nobody what exists.
    assert client.get("/rounds/999999/").url == "/accounts/login/?next=/rounds/999999/"
    client.force_login(member.user)
    assert client.get(url(appeal)).status_code == 200


# --- what each viewer sees --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_letter"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_only_insiders_read_the_letter(client_as, grievance, role, sees_letter):
    appeal = _round(grievance, S.SUBMITTED)
    body = text(client_as(role).get(url(appeal)))
    assert ("We, the undersigned sellers" in body) is sees_letter
    assert ("Release our funds" in body) is sees_letter
    assert ("shared with members only" in body) is not sees_letter
    # The state and the signature count are public once the round was sent.
    assert "Submitted" in body
    assert "Members who signed" in body


def test_the_letter_is_rendered_as_escaped_paragraphs(client_as, grievance):
    appeal = _round(grievance, S.SIGNING)
    Appeal.objects.filter(pk=appeal.pk).update(
        letter="Dear team,\n\n<script>alert(1)</script>\nline two"
    )
    body = text(client_as("member").get(url(appeal)))
    assert "<p>Dear team,</p><p>&lt;script&gt;alert(1)&lt;/script&gt;<br>line two</p>" in body


def test_the_annex_preview_names_only_consenting_signers(client_as, grievance):
    appeal = _round(grievance, S.SIGNING)
    named = MembershipFactory(
        grievance=grievance,
        consent_to_name=True,
        store=StoreFactory(name="Lotus Shop"),
        state=Membership.State.VERIFIED,
    )
    named.seller.display_name = "Nora Named"
    named.seller.save()
    quiet = MembershipFactory(
        grievance=grievance, consent_to_name=True, state=Membership.State.VERIFIED
    )
    quiet.seller.display_name = "Quentin Quiet"
    quiet.seller.save()
    SignatureFactory(appeal=appeal, membership=named, consent_to_name=True)
    SignatureFactory(appeal=appeal, membership=quiet, consent_to_name=False)
    body = text(client_as("member").get(url(appeal)))
    assert "Nora Named" in body and "Lotus Shop" in body
    assert "Quentin Quiet" not in body
    assert "1 more signer who chose not to be named" in body
    assert named.store.platform_store_id not in body  # store IDs never appear in the annex


def test_the_signature_count_counts_only_verified_active_unwithdrawn_signers(client_as, grievance):
    appeal = _round(grievance, S.SIGNING, signature_goal=4)
    SignatureFactory(appeal=appeal)
    SignatureFactory(appeal=appeal, withdrawn_at=timezone.now())
    SignatureFactory(
        appeal=appeal,
        membership=MembershipFactory(
            grievance=grievance,
            seller__user=UserFactory(verified=False),
            state=Membership.State.VERIFIED,
        ),
    )
    SignatureFactory(
        appeal=appeal,
        membership=MembershipFactory(grievance=grievance, state=Membership.State.WITHDRAWN),
    )
    SignatureFactory(  # a member the organisers have not verified
        appeal=appeal,
        membership=MembershipFactory(grievance=grievance, state=Membership.State.JOINED),
    )
    body = text(client_as("member").get(url(appeal)))
    assert "<strong>1</strong> of 4" in body


def test_a_member_who_has_not_signed_gets_the_sign_form_with_their_consent_pre_ticked(
    client_as, grievance, membership
):
    Membership.objects.filter(pk=membership.pk).update(consent_to_name=True)
    appeal = _round(grievance, S.SIGNING)
    body = text(client_as("member").get(url(appeal)))
    assert reverse("appeals:round_sign", args=[appeal.pk]) in body
    assert 'name="sign-consent_to_name"' in body
    assert "checked" in body.split('name="sign-consent_to_name"')[1].split(">")[0]


def test_a_member_who_signed_sees_it_and_can_withdraw(client_as, grievance, membership):
    appeal = _round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    body = text(client_as("member").get(url(appeal)))
    assert "You signed this round." in body
    assert reverse("appeals:round_unsign", args=[appeal.pk]) in body
    assert reverse("appeals:round_sign", args=[appeal.pk]) not in body


def test_a_member_without_a_confirmed_email_is_asked_to_confirm_it_instead_of_signing(
    client, grievance
):
    user = UserFactory(verified=False)
    MembershipFactory(grievance=grievance, seller__user=user)
    appeal = _round(grievance, S.SIGNING)
    client.force_login(user)
    body = text(client.get(url(appeal)))
    assert "Confirm your email address to sign" in body
    assert reverse("appeals:round_sign", args=[appeal.pk]) not in body


def test_outsiders_are_invited_to_join_instead_of_signing(client_as, grievance):
    appeal = _round(grievance, S.SUBMITTED)
    body = text(client_as("outsider").get(url(appeal)))
    assert reverse("appeals:round_sign", args=[appeal.pk]) not in body
    assert reverse("coalition:join", args=[grievance.pk]) in body


def test_organisers_see_every_submission_with_ticket_references_and_members_only_their_own(
    client_as, grievance, membership
):
    appeal = _round(grievance, S.SUBMITTED)
    SubmissionFactory(appeal=appeal, membership=membership, ticket_reference="MINE-1")
    SubmissionFactory(appeal=appeal, ticket_reference="OTHER-2", outcome="reinstated")
    organiser_view = text(client_as("organiser").get(url(appeal)))
    member_view = text(client_as("member").get(url(appeal)))
    outsider_view = text(client_as("outsider").get(url(appeal)))
    assert "MINE-1" in organiser_view and "OTHER-2" in organiser_view
    assert "MINE-1" in member_view and "OTHER-2" not in member_view
    assert "MINE-1" not in outsider_view and "OTHER-2" not in outsider_view
    for body in (organiser_view, member_view, outsider_view):
        assert "Own appeals filed" in body  # the totals are for everyone who sees the round


def test_members_get_the_log_form_then_the_outcome_form(client_as, grievance, membership):
    appeal = _round(grievance, S.SUBMITTED)
    log_url = reverse("appeals:round_log_submission", args=[appeal.pk])
    assert log_url in text(client_as("member").get(url(appeal)))
    submission = SubmissionFactory(appeal=appeal, membership=membership)
    body = text(client_as("member").get(url(appeal)))
    assert reverse("appeals:submission_outcome", args=[submission.pk]) in body
    assert "Did the platform answer you?" in body


def test_responses_are_shown_to_insiders_only(client_as, grievance):
    appeal = _round(grievance, S.SUBMITTED)
    PlatformResponseFactory(
        appeal=appeal, text="We need your invoices.", classification="info_requested"
    )
    assert "We need your invoices." in text(client_as("member").get(url(appeal)))
    assert "We need your invoices." not in text(client_as("outsider").get(url(appeal)))


@pytest.mark.parametrize(
    ("state", "control"),
    [
        (S.DRAFT, "round_open_signing"),
        (S.SIGNING, "round_close_signing"),
        (S.READY, "round_submit"),
        (S.SUBMITTED, "round_response"),
        (S.INFO_REQUESTED, "round_info_sent"),
    ],
)
def test_organisers_get_the_control_for_the_rounds_next_move_and_members_none(
    client_as, grievance, state, control
):
    appeal = _round(grievance, state)
    control_url = reverse(f"appeals:{control}", args=[appeal.pk])
    assert control_url in text(client_as("organiser").get(url(appeal)))
    assert control_url in text(client_as("staff").get(url(appeal)))
    if state != S.DRAFT:  # members do not see drafts at all
        body = text(client_as("member").get(url(appeal)))
        assert control_url not in body
        assert "Next step for organisers" not in body


def test_a_ready_portal_round_shows_organisers_the_text_to_paste(client_as, grievance):
    appeal = _round(grievance, S.READY)
    body = text(client_as("organiser").get(url(appeal)))
    assert "The text to send: letter and signer list" in body
    assert "Second paragraph." in body


def test_a_rejected_round_offers_the_next_round_and_an_overdue_one_too(client_as, grievance):
    rejected = _round(grievance, S.RESPONDED)
    new_url = reverse("appeals:round_new", args=[grievance.pk])
    assert new_url in text(client_as("organiser").get(url(rejected)))
    Appeal.objects.filter(pk=rejected.pk).update(outcome=Appeal.Outcome.GRANTED)
    assert new_url not in text(client_as("organiser").get(url(rejected)))
    overdue = _round(grievance, S.SUBMITTED, submitted_at=timezone.now() - timedelta(days=9))
    body = text(client_as("organiser").get(url(overdue)))
    assert new_url in body
    assert "Overdue by" in body


def test_the_clock_says_when_the_answer_is_due(client_as, grievance):
    appeal = _round(grievance, S.SUBMITTED, submitted_at=timezone.now() - timedelta(days=60))
    body = text(client_as("member").get(url(appeal)))
    assert "Very overdue: late by" in body
    paused = _round(grievance, S.INFO_REQUESTED)
    assert "Paused: 3 business days left" in text(client_as("member").get(url(paused)))


def test_dates_are_shown_in_the_viewers_time_zone(client_as, grievance, member):
    submitted = timezone.now().replace(
        year=2024, month=1, day=15, hour=20, minute=30, second=0, microsecond=0
    )
    appeal = _round(grievance, S.SUBMITTED, submitted_at=submitted)
    member.time_zone = "Asia/Shanghai"  # UTC+8: 20:30 UTC is 04:30 the next day
    member.save()
    body = text(client_as("member").get(url(appeal)))
    assert "Jan. 16, 2024, 4:30 a.m." in body


# --- queries ----------------------------------------------------------------------------------


def _fill(appeal: Appeal, n: int) -> None:
    """n members who signed (half named) and logged their own appeal, and n responses."""
    for i in range(n):
        m = MembershipFactory(
            grievance=appeal.grievance, consent_to_name=True, store=StoreFactory()
        )
        SignatureFactory(appeal=appeal, membership=m, consent_to_name=bool(i % 2))
        SubmissionFactory(appeal=appeal, membership=m, outcome="reinstated" if i % 3 else "pending")
        PlatformResponseFactory(appeal=appeal)


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser", "staff"])
def test_round_page_queries_do_not_grow_with_signatures_and_submissions(
    client_as, grievance, membership, django_assert_num_queries, role
):
    appeal = _round(grievance, S.SUBMITTED)
    SignatureFactory(appeal=appeal, membership=membership, consent_to_name=True)
    SubmissionFactory(appeal=appeal, membership=membership)
    _fill(appeal, 3)
    client = client_as(role)
    client.get(url(appeal))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(appeal)).status_code == 200
    _fill(appeal, 27)
    assert Signature.objects.filter(appeal=appeal).count() == 31
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url(appeal))
    assert response.status_code == 200


def test_round_page_queries_do_not_grow_while_signing(
    client_as, grievance, django_assert_num_queries
):
    appeal = _round(grievance, S.SIGNING)
    for _ in range(3):
        SignatureFactory(appeal=appeal, consent_to_name=True)
    client = client_as("organiser")
    client.get(url(appeal))
    with CaptureQueriesContext(connection) as small:
        client.get(url(appeal))
    for _ in range(27):
        SignatureFactory(appeal=appeal, consent_to_name=True)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url(appeal))
