"""The round page's POST controls and the draft / edit pages: the permission matrix of every
endpoint, what each does, and refusals shown next to the field they concern."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, PlatformResponse, Signature, Submission
from coalition.models import AuditEvent, Grievance
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, SignatureFactory, SubmissionFactory
from tests.files import ROLES, is_login_redirect, text

pytestmark = pytest.mark.django_db


S = Appeal.State


def local(dt) -> str:
    """A datetime as a datetime-local input sends it (the viewers here are on UTC)."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def response_data(**overrides) -> dict:
    data = {
        "response-received_at": local(timezone.now() - timedelta(minutes=5)),
        "response-channel": "email",
        "response-classification": "rejected",
        "response-text": "We have reviewed your appeal and cannot reinstate the stores.",
    }
    data.update(overrides)
    return data


# name, the round's state, POST data, the state it ends in (organiser / staff)
ORGANISER_CONTROLS = [
    ("round_open_signing", S.DRAFT, {}, S.SIGNING),
    ("round_close_signing", S.SIGNING, {}, S.READY),
    ("round_submit", S.READY, {"submit-case_reference": "CASE-77"}, S.SUBMITTED),
    ("round_response", S.SUBMITTED, response_data(), S.RESPONDED),
    ("round_info_sent", S.INFO_REQUESTED, {}, S.SUBMITTED),
    ("round_withdraw", S.DRAFT, {"withdraw-reason": "Wrong platform"}, S.WITHDRAWN),
]


def _expected_refusal(role: str, state: str) -> int:
    """404 where the viewer cannot see the round, 403 where they can but may not act."""
    sent = state in {S.SUBMITTED, S.INFO_REQUESTED, S.RESPONDED}
    if role == "outsider":
        return 403 if sent else 404
    if role == "member":
        return 404 if state == S.DRAFT else 403
    raise AssertionError(role)


@pytest.mark.parametrize(("name", "state", "data", "after"), ORGANISER_CONTROLS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_organiser_controls(
    client_as, grievance, name, state, data, after, role
):
    appeal = make_round(grievance, state)
    response = client_as(role).post(reverse(f"appeals:{name}", args=[appeal.pk]), data)
    appeal.refresh_from_db()
    if role == "anonymous":
        assert is_login_redirect(response)
        assert appeal.state == state
    elif role in {"outsider", "member"}:
        assert response.status_code == _expected_refusal(role, state)
        assert appeal.state == state
    else:
        assert response.status_code == 302, text(response)[:2000]
        assert response["Location"].startswith(reverse("appeals:round_detail", args=[appeal.pk]))
        assert appeal.state == after


@pytest.mark.parametrize("name", [c[0] for c in ORGANISER_CONTROLS])
def test_organiser_controls_of_an_unlisted_grievance_are_a_404_for_outsiders(
    client_as, grievance, name
):
    Grievance.objects.filter(pk=grievance.pk).update(visibility=Grievance.Visibility.UNLISTED)
    appeal = make_round(grievance, S.SUBMITTED)
    assert (
        client_as("outsider").post(reverse(f"appeals:{name}", args=[appeal.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    "name", [c[0] for c in ORGANISER_CONTROLS] + ["round_sign", "round_unsign"]
)
def test_controls_answer_only_post(client_as, grievance, name):
    appeal = make_round(grievance, S.SIGNING)
    assert (
        client_as("organiser").get(reverse(f"appeals:{name}", args=[appeal.pk])).status_code == 405
    )


def test_a_move_the_state_machine_refuses_comes_back_as_a_message(client_as, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    response = client_as("organiser").post(
        reverse("appeals:round_close_signing", args=[appeal.pk]), follow=True
    )
    assert "so you cannot close signing now" in text(response)
    appeal.refresh_from_db()
    assert appeal.state == S.SUBMITTED


def test_submitting_a_portal_round_needs_the_case_reference_next_to_its_field(client_as, grievance):
    appeal = make_round(grievance, S.READY)
    response = client_as("organiser").post(
        reverse("appeals:round_submit", args=[appeal.pk]), {"submit-case_reference": "  "}
    )
    assert response.status_code == 200
    assert 'id="id_submit-case_reference_error"' in text(response)
    appeal.refresh_from_db()
    assert appeal.state == S.READY


def test_an_action_refusal_is_shown_next_to_the_field_it_names(client_as, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    too_early = local(appeal.submitted_at - timedelta(days=5))
    response = client_as("organiser").post(
        reverse("appeals:round_response", args=[appeal.pk]),
        response_data(**{"response-received_at": too_early}),
    )
    assert response.status_code == 200
    body = text(response)
    error = body.split('id="id_response-received_at_error"')[1][:200]
    assert "cannot predate the round" in error
    assert not PlatformResponse.objects.exists()


def test_recording_a_request_for_information_pauses_the_clock(client_as, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    client = client_as("organiser")
    client.post(
        reverse("appeals:round_response", args=[appeal.pk]),
        response_data(**{"response-classification": "info_requested"}),
    )
    appeal.refresh_from_db()
    assert appeal.state == S.INFO_REQUESTED
    assert appeal.paused_remaining_days is not None
    body = text(client.get(reverse("appeals:round_detail", args=[appeal.pk])))
    assert "Paused:" in body
    assert reverse("appeals:round_info_sent", args=[appeal.pk]) in body


def test_opening_signing_with_a_past_deadline_is_refused_next_to_the_field(client_as, grievance):
    appeal = make_round(grievance, S.DRAFT)
    response = client_as("organiser").post(
        reverse("appeals:round_open_signing", args=[appeal.pk]),
        {"open-deadline": local(timezone.now() - timedelta(days=1))},
    )
    assert response.status_code == 200
    assert 'id="id_open-deadline_error"' in text(response)
    appeal.refresh_from_db()
    assert appeal.state == S.DRAFT


def test_the_signing_deadline_is_read_in_the_organisers_time_zone(client_as, grievance, organiser):
    organiser.time_zone = "Asia/Shanghai"
    organiser.save()
    appeal = make_round(grievance, S.DRAFT)
    client_as("organiser").post(
        reverse("appeals:round_open_signing", args=[appeal.pk]),
        {"open-deadline": "2099-03-01T09:00"},
    )
    appeal.refresh_from_db()
    assert appeal.signing_deadline.isoformat() == "2099-03-01T01:00:00+00:00"


# --- member controls --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 404),
        ("member", 302),
        ("organiser", 302),
        ("staff", 403),
    ],
)
def test_permission_matrix_of_signing(client_as, grievance, role, expected):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as(role).post(reverse("appeals:round_sign", args=[appeal.pk]))
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected
    assert Signature.objects.filter(appeal=appeal).count() == (1 if expected == 302 else 0)


def test_signing_twice_by_post_changes_nothing(client_as, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    client = client_as("member")
    sign = reverse("appeals:round_sign", args=[appeal.pk])
    first = client.post(sign, {"sign-consent_to_name": "on"}, follow=True)
    second = client.post(sign, {}, follow=True)
    assert "you co-signed round" in text(first)
    assert "You had already signed round" in text(second)
    signature = Signature.objects.get(appeal=appeal)
    assert signature.membership == membership
    assert signature.consent_to_name is True  # the second post did not take the consent back
    assert signature.withdrawn_at is None
    assert AuditEvent.objects.filter(verb="round.signed").count() == 1


def test_signing_records_the_consent_checkbox(client_as, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    client_as("member").post(reverse("appeals:round_sign", args=[appeal.pk]))
    assert Signature.objects.get(appeal=appeal).consent_to_name is False


def test_withdrawing_a_signature_and_withdrawing_again(client_as, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    SignatureFactory(appeal=appeal, membership=membership)
    client = client_as("member")
    unsign = reverse("appeals:round_unsign", args=[appeal.pk])
    assert "is withdrawn" in text(client.post(unsign, follow=True))
    assert "You had not signed" in text(client.post(unsign, follow=True))
    assert Signature.objects.get(appeal=appeal).withdrawn_at is not None


def test_signing_a_round_that_is_not_open_for_signing_is_refused_with_a_message(
    client_as, grievance, membership
):
    appeal = make_round(grievance, S.READY)
    response = client_as("member").post(
        reverse("appeals:round_sign", args=[appeal.pk]), follow=True
    )
    assert "is not open for signing" in text(response)
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 403),
        ("member", 302),
        ("organiser", 302),
        ("staff", 403),
    ],
)
def test_permission_matrix_of_logging_ones_own_appeal(client_as, grievance, role, expected):
    appeal = make_round(grievance, S.SUBMITTED)
    response = client_as(role).post(
        reverse("appeals:round_log_submission", args=[appeal.pk]),
        {"log-submitted_on": timezone.localdate().isoformat(), "log-ticket_reference": "T-1"},
    )
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected
    assert Submission.objects.count() == (1 if expected == 302 else 0)


def test_logging_ones_appeal_before_the_round_was_sent_is_refused(client_as, grievance, membership):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as("member").post(
        reverse("appeals:round_log_submission", args=[appeal.pk]),
        {"log-submitted_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert response.redirect_chain[0][1] == 302
    assert "has not been submitted yet" in text(response)
    assert not Submission.objects.exists()


def test_logging_again_updates_the_same_submission(client_as, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    client = client_as("member")
    log = reverse("appeals:round_log_submission", args=[appeal.pk])
    today = timezone.localdate().isoformat()
    client.post(log, {"log-submitted_on": today, "log-ticket_reference": "T-1"})
    client.post(log, {"log-submitted_on": today, "log-ticket_reference": "T-2"})
    assert list(Submission.objects.values_list("ticket_reference", flat=True)) == ["T-2"]


def test_a_future_date_is_refused_next_to_the_field(client_as, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    response = client_as("member").post(
        reverse("appeals:round_log_submission", args=[appeal.pk]),
        {"log-submitted_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert 'id="id_log-submitted_on_error"' in text(response)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 404),
        ("member", 302),
        ("organiser", 404),
        ("staff", 404),
    ],
)
def test_only_the_owner_reports_the_outcome_of_a_submission(
    client_as, grievance, membership, role, expected
):
    appeal = make_round(grievance, S.SUBMITTED)
    submission = SubmissionFactory(appeal=appeal, membership=membership)
    response = client_as(role).post(
        reverse("appeals:submission_outcome", args=[submission.pk]),
        {
            "outcome-outcome": "funds_released",
            "outcome-amount_recovered": "1200.50",
            "outcome-currency": "usd",
        },
    )
    submission.refresh_from_db()
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected
    if expected == 302:
        assert (submission.outcome, str(submission.amount_recovered), submission.currency) == (
            "funds_released",
            "1200.50",
            "USD",
        )
    else:
        assert submission.outcome == "pending"


def test_another_members_submission_is_a_404(client_as, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    other = SubmissionFactory(appeal=appeal, membership=MembershipFactory(grievance=grievance))
    response = client_as("member").post(
        reverse("appeals:submission_outcome", args=[other.pk]), {"outcome-outcome": "denied"}
    )
    assert response.status_code == 404


def test_an_amount_for_a_denied_appeal_is_refused_next_to_the_amount(
    client_as, grievance, membership
):
    appeal = make_round(grievance, S.SUBMITTED)
    submission = SubmissionFactory(appeal=appeal, membership=membership)
    response = client_as("member").post(
        reverse("appeals:submission_outcome", args=[submission.pk]),
        {"outcome-outcome": "denied", "outcome-amount_recovered": "50"},
    )
    assert response.status_code == 200
    assert (
        "has not recovered anything yet"
        in text(response).split('id="id_outcome-amount_recovered_error"')[1][:300]
    )


# --- drafting a round -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 403),
        ("member", 403),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_permission_matrix_of_the_draft_page(client_as, grievance, role, expected):
    response = client_as(role).get(reverse("appeals:round_new", args=[grievance.pk]))
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected


def test_the_draft_page_of_a_hidden_grievance_is_a_404_for_outsiders(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(hidden=True)
    assert (
        client_as("outsider").get(reverse("appeals:round_new", args=[grievance.pk])).status_code
        == 404
    )


def test_an_organiser_drafts_round_one(client_as, grievance):
    response = client_as("organiser").post(
        reverse("appeals:round_new", args=[grievance.pk]),
        {"channel": "email", "language": "zh-hans", "signature_goal": "25"},
    )
    appeal = Appeal.objects.get(grievance=grievance)
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:round_detail", args=[appeal.pk])
    assert (appeal.number, appeal.channel, appeal.language, appeal.signature_goal) == (
        1,
        "email",
        "zh-hans",
        25,
    )
    assert appeal.letter


def test_a_round_with_nothing_new_asks_for_a_reason_and_keeps_it(client_as, grievance):
    client = client_as("organiser")  # every member joined before round 1 was submitted
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now())
    new = reverse("appeals:round_new", args=[grievance.pk])
    choices = {"channel": "portal", "language": "en", "signature_goal": "10"}

    first = client.post(new, choices)
    assert first.status_code == 200
    assert "Nothing new has come in since round 1" in text(first)
    assert 'name="reason"' in text(first)
    assert 'id="id_reason_error"' not in text(first)  # asked, not yet an error

    empty = client.post(new, {**choices, "reason": " "})
    assert empty.status_code == 200
    assert 'id="id_reason_error"' in text(empty)
    assert "Nothing new has come in since round 1" in text(empty)
    assert Appeal.objects.filter(grievance=grievance).count() == 1

    done = client.post(
        new, {**choices, "reason": "The platform's new policy makes the old rejection moot."}
    )
    assert done.status_code == 302
    second = Appeal.objects.get(grievance=grievance, number=2)
    assert second.new_round_reason == "The platform's new policy makes the old rejection moot."
    event = AuditEvent.objects.get(verb="round.drafted", subject="round:2")
    assert event.data["reason"] == second.new_round_reason


def test_a_round_with_something_new_needs_no_reason(client_as, grievance):
    make_round(grievance, S.RESPONDED, submitted_at=timezone.now() - timedelta(hours=1))
    MembershipFactory(grievance=grievance)  # a new member joined since
    response = client_as("organiser").post(
        reverse("appeals:round_new", args=[grievance.pk]),
        {"channel": "portal", "language": "en", "signature_goal": "10"},
    )
    assert response.status_code == 302
    assert Appeal.objects.filter(grievance=grievance, number=2, new_round_reason="").exists()


def test_drafting_while_a_round_is_unsent_is_refused_at_the_top_of_the_form(client_as, grievance):
    make_round(grievance, S.SIGNING)
    response = client_as("organiser").post(
        reverse("appeals:round_new", args=[grievance.pk]),
        {"channel": "portal", "language": "en", "signature_goal": "10"},
    )
    assert response.status_code == 200
    assert "has not been submitted yet" in text(response)
    assert Appeal.objects.filter(grievance=grievance).count() == 1


# --- editing a round --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 404),
        ("member", 403),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_permission_matrix_of_the_edit_page(client_as, grievance, role, expected):
    appeal = make_round(grievance, S.SIGNING)
    response = client_as(role).get(reverse("appeals:round_edit", args=[appeal.pk]))
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected


def _edit_data(appeal: Appeal, **overrides) -> dict:
    data = {
        "subject": appeal.subject,
        "letter": appeal.letter,
        "language": appeal.language,
        "channel": appeal.channel,
        "signature_goal": str(appeal.signature_goal),
        "signing_deadline": "",
        "scheduled_submit_at": "",
    }
    data.update(overrides)
    return data


def test_an_organiser_edits_the_draft_and_only_changes_are_recorded(client_as, grievance):
    appeal = make_round(grievance, S.DRAFT)
    response = client_as("organiser").post(
        reverse("appeals:round_edit", args=[appeal.pk]),
        _edit_data(appeal, letter="A sharper letter.", signature_goal="40"),
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.letter, appeal.signature_goal) == ("A sharper letter.", 40)
    assert AuditEvent.objects.get(verb="round.edited").data["fields"] == [
        "letter",
        "signature_goal",
    ]


def test_while_signing_the_letter_is_locked_but_the_goal_can_change(client_as, grievance):
    appeal = make_round(grievance, S.SIGNING)
    original = appeal.letter
    client = client_as("organiser")
    assert 'name="letter"' in text(client.get(reverse("appeals:round_edit", args=[appeal.pk])))
    client.post(
        reverse("appeals:round_edit", args=[appeal.pk]),
        _edit_data(appeal, letter="Sneaky change after people signed", signature_goal="3"),
    )
    appeal.refresh_from_db()
    assert appeal.letter == original  # a disabled field ignores what is posted
    assert appeal.signature_goal == 3


def test_a_send_time_on_a_portal_round_is_refused_next_to_its_field(client_as, grievance):
    appeal = make_round(grievance, S.DRAFT)
    response = client_as("organiser").post(
        reverse("appeals:round_edit", args=[appeal.pk]),
        _edit_data(appeal, scheduled_submit_at=local(timezone.now() + timedelta(days=2))),
    )
    assert response.status_code == 200
    assert (
        "Only rounds sent by email"
        in text(response).split('id="id_scheduled_submit_at_error"')[1][:300]
    )


def test_a_submitted_round_cannot_be_edited(client_as, grievance):
    appeal = make_round(grievance, S.SUBMITTED)
    response = client_as("organiser").get(
        reverse("appeals:round_edit", args=[appeal.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("appeals:round_detail", args=[appeal.pk])
    assert "can no longer change" in text(response)


def test_redrafting_the_letter_from_the_template(client_as, grievance):
    appeal = make_round(grievance, S.DRAFT, letter="scribbles")
    response = client_as("organiser").post(reverse("appeals:round_regenerate", args=[appeal.pk]))
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.letter != "scribbles"
    assert (
        client_as("member").post(reverse("appeals:round_regenerate", args=[appeal.pk])).status_code
        == 404
    )
