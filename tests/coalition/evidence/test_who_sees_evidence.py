"""Who sees which evidence (docs/domain.md, permissions) and the per-category checklists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.actions import evidence as actions
from coalition.categories import Category, EvidenceKind
from coalition.models import Evidence, Membership
from coalition.queries.evidence import (
    checklist_status,
    kinds_by_member,
    uploader_name,
    viewer_of,
    visible_evidence,
)
from tests.factories import GrievanceFactory, MembershipFactory, OrganiserFactory
from tests.files import bring


@pytest.fixture
def files(membership, grievance):
    """The member's private and shared file, another member's private and shared file."""
    other = MembershipFactory(grievance=grievance, consent_to_name=True)
    return {
        "own_private": bring(membership),
        "own_shared": bring(membership, visibility=Evidence.Visibility.MEMBERS),
        "other_private": bring(other),
        "other_shared": bring(other, visibility=Evidence.Visibility.MEMBERS),
        "other": other,
    }


def _names(qs, files):
    by_pk = {v.pk: k for k, v in files.items() if isinstance(v, Evidence)}
    return {by_pk[e.pk] for e in qs}


def test_member_sees_own_files_and_files_shared_with_all_members(files, member, grievance):
    assert _names(visible_evidence(member.user, grievance), files) == {
        "own_private",
        "own_shared",
        "other_shared",
    }


def test_organiser_and_staff_see_every_file(files, organiser, staff_user, grievance):
    everything = {"own_private", "own_shared", "other_private", "other_shared"}
    assert _names(visible_evidence(organiser.user, grievance), files) == everything
    assert _names(visible_evidence(staff_user, grievance), files) == everything


def test_anonymous_and_outsiders_see_no_file(files, outsider, grievance):
    assert not visible_evidence(AnonymousUser(), grievance).exists()
    assert not visible_evidence(outsider.user, grievance).exists()


def test_withdrawn_files_only_with_include_withdrawn_and_only_for_owner_and_organisers(
    files, member, organiser, grievance, django_capture_on_commit_callbacks
):
    other = files["other"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_evidence(files["own_shared"], actor=member.user)
        actions.withdraw_evidence(files["other_shared"], actor=other.seller.user)

    assert _names(visible_evidence(member.user, grievance), files) == {"own_private"}
    assert _names(visible_evidence(member.user, grievance, include_withdrawn=True), files) == {
        "own_private",
        "own_shared",
    }
    assert len(visible_evidence(organiser.user, grievance, include_withdrawn=True)) == 4


def test_a_member_who_left_still_sees_only_their_own_files(files, membership, member, grievance):
    membership.state = Membership.State.WITHDRAWN
    membership.save(update_fields=["state"])
    assert _names(visible_evidence(member.user, grievance), files) == {"own_private", "own_shared"}


def test_uploader_names_follow_consent(files, membership, member, organiser, grievance):
    quiet = MembershipFactory(grievance=grievance, consent_to_name=False)
    quiet_file = bring(quiet, visibility=Evidence.Visibility.MEMBERS)
    as_member = viewer_of(member.user, grievance)
    assert uploader_name(files["own_private"], as_member) == "You"
    assert uploader_name(files["other_shared"], as_member) == files["other"].seller.display_name
    assert uploader_name(quiet_file, as_member) == "A member"
    assert (
        uploader_name(quiet_file, viewer_of(organiser.user, grievance)) == quiet.seller.display_name
    )


# --- checklists --------------------------------------------------------------------------------


@pytest.fixture
def refund_grievance(platform, organiser):
    grievance = GrievanceFactory(platform=platform, category=Category.REFUND_DISPUTE)
    OrganiserFactory(grievance=grievance, seller=organiser)
    return grievance


def test_checklist_shows_done_and_missing_for_the_members_case_and_how_many_members_have_each(
    refund_grievance,
):
    me, other, _idle = (MembershipFactory(grievance=refund_grievance) for _ in range(3))
    bring(me, kind=EvidenceKind.ORDER_RECORD)
    bring(me, kind=EvidenceKind.ORDER_RECORD)
    bring(other, kind=EvidenceKind.ORDER_RECORD)
    bring(other, kind=EvidenceKind.TRACKING)

    checklist = checklist_status(refund_grievance, me)

    states = {item.kind: (item.state, item.members_with) for item in checklist.items}
    assert states == {
        EvidenceKind.ORDER_RECORD: ("done", 2),
        EvidenceKind.CHAT_LOG: ("missing", 0),
        EvidenceKind.TRACKING: ("missing", 1),
    }
    assert checklist.member_count == 4  # the organiser and three members
    assert checklist.done_count == 1 and not checklist.complete
    assert [i.kind for i in checklist.missing] == [EvidenceKind.CHAT_LOG, EvidenceKind.TRACKING]


def test_withdrawn_files_and_former_members_do_not_count(
    refund_grievance, django_capture_on_commit_callbacks
):
    me, gone = (
        MembershipFactory(grievance=refund_grievance),
        MembershipFactory(grievance=refund_grievance),
    )
    mine = bring(me, kind=EvidenceKind.CHAT_LOG)
    bring(gone, kind=EvidenceKind.CHAT_LOG)
    gone.state = Membership.State.WITHDRAWN
    gone.save(update_fields=["state"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_evidence(mine, actor=me.seller.user)

    item = next(
        i for i in checklist_status(refund_grievance, me).items if i.kind == EvidenceKind.CHAT_LOG
    )
    assert item.mine is False and item.members_with == 0


def test_checklist_for_the_public_lists_the_kinds_without_counts(
    refund_grievance, outsider, django_assert_num_queries
):
    with django_assert_num_queries(0):
        anonymous = checklist_status(refund_grievance, None)
    assert [i.label for i in anonymous.items] == [
        "Order record",
        "Chat log with the buyer",
        "Tracking with proof of delivery",
    ]
    assert not anonymous.show_counts and not anonymous.has_case
    assert all(i.state == "expected" for i in anonymous.items)
    assert not checklist_status(refund_grievance, outsider.user).show_counts


def test_checklist_for_staff_shows_counts_without_a_case(refund_grievance, staff_user):
    checklist = checklist_status(refund_grievance, staff_user)
    assert checklist.show_counts and not checklist.has_case


@pytest.mark.parametrize("members", [2, 12])
def test_checklist_is_one_query_whatever_the_number_of_members(
    refund_grievance, members, django_assert_num_queries
):
    memberships = [MembershipFactory(grievance=refund_grievance) for _ in range(members)]
    for m in memberships:
        bring(m, kind=EvidenceKind.TRACKING)
    with django_assert_num_queries(1):
        checklist = checklist_status(refund_grievance, memberships[0])
    assert checklist.items[2].members_with == members


def test_kinds_by_member(refund_grievance):
    a, b = (
        MembershipFactory(grievance=refund_grievance),
        MembershipFactory(grievance=refund_grievance),
    )
    bring(a, kind=EvidenceKind.TRACKING)
    bring(a, kind=EvidenceKind.TRACKING)
    bring(a, kind=EvidenceKind.CHAT_LOG)
    assert kinds_by_member(refund_grievance) == {
        a.pk: {EvidenceKind.TRACKING, EvidenceKind.CHAT_LOG}
    }
    assert b.pk not in kinds_by_member(refund_grievance)
