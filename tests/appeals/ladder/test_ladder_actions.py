"""Climbing the escalation ladder: who may, which rungs, the rung's own clock, the timeline, the
members' email, the reminders before a window closes, and the dossier."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appeals.actions.ladder import climb
from appeals.dispatch.service import dispatch_due
from appeals.models import Appeal, Climb, FollowUp, Notification
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Grievance, Membership, Platform
from tests.appeals.builders import MONDAY, make_round
from tests.factories import MembershipFactory, SellerFactory
from tests.files import text

pytestmark = pytest.mark.django_db
S = Appeal.State


@pytest.fixture(autouse=True)
def _daytime():
    """Every test here runs from a Monday at 18:00 UTC, daytime for the members (UTC) and the
    platform (Luxembourg), so no member's email is held till morning (docs/outbox.md)."""
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def eu_grievance(grievance) -> Grievance:
    """A grievance on an EU platform (P2B and DSA) with a seller established in Germany, whose
    round 1 the platform rejected yesterday."""
    Platform.objects.filter(pk=grievance.platform_id).update(
        legal_regimes=["eu_p2b", "eu_dsa"], holiday_country="LU", time_zone="Europe/Luxembourg"
    )
    grievance.refresh_from_db()
    MembershipFactory(
        grievance=grievance,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(country_of_establishment="DE", display_name="Dora"),
    )
    make_round(grievance, S.RESPONDED, case_reference="CS-9")
    return grievance


def test_an_organiser_climbs_to_the_internal_complaint_and_the_members_are_told(
    eu_grievance, organiser, send_outbox
):
    step = climb(eu_grievance, actor=organiser.user, rung="internal_complaint", note="We go on.")
    eu_grievance.refresh_from_db()
    assert eu_grievance.rung == Grievance.Rung.INTERNAL_COMPLAINT
    assert step.regime == "eu_p2b" and step.state == Climb.State.OPEN
    event = AuditEvent.objects.get(verb="ladder.climbed")
    assert event.subject == "rung:internal_complaint" and event.actor == organiser.user
    notice = FollowUp.objects.get(kind=FollowUp.Kind.CLIMB_NOTICE)
    assert notice.data == {"climb": step.pk}
    dispatch_due(timezone.now() + timedelta(minutes=1))
    send_outbox()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    dora = Membership.objects.get(seller__display_name="Dora").seller.user.email
    assert "escalates: Internal complaint" in subjects[dora]
    assert any("We go on." in m.body for m in mail.outbox)


def test_out_of_court_settlement_runs_its_own_90_day_clock(eu_grievance, organiser):
    climb(eu_grievance, actor=organiser.user, rung="internal_complaint")
    step = climb(eu_grievance, actor=organiser.user, rung="out_of_court")
    today = timezone.localdate()
    assert step.decision_due >= today + timedelta(days=90)
    assert step.decision_due_latest >= today + timedelta(days=180)
    assert (step.decision_due - today).days <= 93  # rolled forward over a weekend at most


def test_a_window_closing_soon_reminds_the_organisers_14_and_3_days_before(
    eu_grievance, organiser, send_outbox
):
    climb(eu_grievance, actor=organiser.user, rung="regulator")  # the internal complaint waits
    reminders = FollowUp.objects.filter(kind=FollowUp.Kind.LADDER_WINDOW_REMINDER)
    assert sorted(r.data["days"] for r in reminders) == [3, 14]
    assert {r.data["rung"] for r in reminders} == {"internal_complaint"}
    first = reminders.order_by("due_at").first()
    dispatch_due(first.due_at + timedelta(minutes=1))
    rows = Notification.objects.filter(kind="ladder_window_reminder")
    assert [r.to_email for r in rows] == [organiser.user.email]  # organisers only
    assert "Internal complaint" in rows.get().subject and "closes on" in rows.get().subject


def test_climbing_the_rung_cancels_its_window_reminder(eu_grievance, organiser, send_outbox):
    climb(eu_grievance, actor=organiser.user, rung="regulator")
    climb(eu_grievance, actor=organiser.user, rung="internal_complaint")
    reminder = FollowUp.objects.filter(kind=FollowUp.Kind.LADDER_WINDOW_REMINDER).first()
    dispatch_due(reminder.due_at + timedelta(minutes=1))
    reminder.refresh_from_db()
    assert reminder.state == FollowUp.State.CANCELLED


@pytest.mark.parametrize(
    ("rung", "message"),
    [
        ("mediation", "needs Internal complaint first"),
        ("nonsense", "no such rung"),
    ],
)
def test_a_rung_that_is_not_open_is_refused_with_the_reason(eu_grievance, organiser, rung, message):
    with pytest.raises(ActionRefused, match=message):
        climb(eu_grievance, actor=organiser.user, rung=rung)


def test_a_rung_the_platforms_laws_do_not_open_is_refused(grievance, organiser):
    Platform.objects.filter(pk=grievance.platform_id).update(legal_regimes=["us_ftc"])
    make_round(grievance, S.RESPONDED)
    with pytest.raises(ActionRefused, match="none of its laws applies"):
        climb(grievance, actor=organiser.user, rung="internal_complaint")
    assert climb(grievance, actor=organiser.user, rung="regulator").regime == "us_ftc"


def test_nothing_opens_before_the_platform_received_a_round(grievance, organiser):
    Platform.objects.filter(pk=grievance.platform_id).update(legal_regimes=["us_ftc"])
    with pytest.raises(ActionRefused, match="a round the platform received"):
        climb(grievance, actor=organiser.user, rung="regulator")


def test_climbing_twice_is_refused(eu_grievance, organiser):
    climb(eu_grievance, actor=organiser.user, rung="internal_complaint")
    with pytest.raises(ActionRefused, match="already"):
        climb(eu_grievance, actor=organiser.user, rung="internal_complaint")


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_only_organisers_climb(eu_grievance, who, member, membership, outsider):
    actor = {"member": member.user, "outsider": outsider.user, "anonymous": AnonymousUser()}[who]
    with pytest.raises(ActionRefused):
        climb(eu_grievance, actor=actor, rung="internal_complaint")
    assert not Climb.objects.exists()


# --- the page ---------------------------------------------------------------------------------


def test_the_grievance_page_shows_the_ladder_and_the_organiser_climbs_from_it(
    eu_grievance, client_as
):
    client = client_as("organiser")
    body = text(client.get(eu_grievance.get_absolute_url()))
    assert 'id="ladder"' in body and "Internal complaint" in body and "open until" in body
    response = client.post(
        reverse("appeals:ladder_climb", args=[eu_grievance.pk]),
        {"climb-rung": "internal_complaint", "climb-reference": "IC-1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#ladder")
    assert Climb.objects.get().reference == "IC-1"
    body = text(client.get(eu_grievance.get_absolute_url()))
    assert "Now: Internal complaint" in body


@pytest.mark.parametrize(
    ("role", "sees_controls"),
    [("anonymous", False), ("outsider", False), ("member", False), ("organiser", True)],
)
def test_everyone_sees_the_ladder_only_organisers_climb(
    eu_grievance, client_as, role, sees_controls
):
    body = text(client_as(role).get(eu_grievance.get_absolute_url()))
    assert 'id="ladder"' in body
    assert ("Download the dossier" in body) is sees_controls
    climbed = client_as(role).post(
        reverse("appeals:ladder_climb", args=[eu_grievance.pk]),
        {"climb-rung": "internal_complaint"},
    )
    assert Climb.objects.exists() is sees_controls
    if role != "organiser":
        assert climbed.status_code in {302, 404}
        if climbed.status_code == 302:
            assert "login" in climbed["Location"]


def test_a_platform_without_rungs_shows_no_ladder(grievance, client_as):
    Platform.objects.filter(pk=grievance.platform_id).update(legal_regimes=[])
    assert 'id="ladder"' not in text(client_as("organiser").get(grievance.get_absolute_url()))


# --- the dossier --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("outsider", 404), ("member", 404), ("organiser", 200)]
)
def test_the_dossier_is_for_organisers(eu_grievance, client_as, role, status):
    response = client_as(role).get(reverse("appeals:ladder_dossier", args=[eu_grievance.pk]))
    assert response.status_code == status


def test_the_dossier_holds_the_packet_and_the_rounds_history_with_checksums(
    eu_grievance, client_as
):
    second = make_round(
        eu_grievance, S.SUBMITTED, number=2, case_reference="CS-10", letter="Round two letter."
    )
    response = client_as("organiser").get(reverse("appeals:ladder_dossier", args=[eu_grievance.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"history.txt", "manifest.json", "SHA256SUMS", "rounds/01/letter.txt"} <= names
    assert "rounds/02/letter.txt" in names and "packet-round-02.zip" in names
    history = archive.read("history.txt").decode()
    assert "Round 1:" in history and "CS-9" in history and "CS-10" in history
    assert "Round two letter." in archive.read("rounds/02/letter.txt").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "coalition-dossier/1"
    assert [r["case_reference"] for r in manifest["rounds"]] == ["CS-9", "CS-10"]
    sums = archive.read("SHA256SUMS").decode()
    assert all(f"  {f['path']}" in sums for f in manifest["files"])
    assert second.pk


def test_the_board_shows_the_rung_a_grievance_climbed_to(eu_grievance, organiser, client_as):
    make_round(eu_grievance, S.SUBMITTED, number=2)
    board = reverse("appeals:board")
    assert "Escalated:" not in text(client_as("organiser").get(board))
    climb(eu_grievance, actor=organiser.user, rung="internal_complaint")
    assert "Escalated: Internal complaint" in text(client_as("organiser").get(board))
