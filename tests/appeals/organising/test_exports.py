"""CSV exports: who may take them, UTF-8 with a BOM, the columns, formula cells neutralised, the
timeline entry, and a 400 naming the field for a bad filter."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from appeals.models import Appeal, Submission
from coalition.models import AuditEvent, Membership
from coalition.rules.csv_export import neutralise
from tests.appeals.builders import make_round
from tests.appeals.organising.builders import bulk_members
from tests.factories import SignatureFactory, SubmissionFactory


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response) if response.streaming else response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("李明的店", "李明的店"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, cell):
    assert neutralise(value) == cell


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 403), ("member", 403), ("organiser", 200), ("staff", 200)],
)
def test_only_organisers_and_staff_export_members(client_as, grievance, role, status):
    url = reverse("appeals:export_members", args=[grievance.pk])
    assert client_as(role).get(url).status_code == status


def test_the_members_export_is_utf8_with_bom_and_its_columns(client_as, grievance):
    members = bulk_members(grievance, 3)
    Membership.objects.filter(pk=members[0].pk).update(statement="x")
    members[1].seller.display_name = "=cmd|' /C calc'!A0"
    members[1].seller.save(update_fields=["display_name"])
    store = members[2].store
    store.name = "李明的店"
    store.save(update_fields=["name"])
    response = client_as("organiser").get(reverse("appeals:export_members", args=[grievance.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:6] == ["member_id", "name", "email", "role", "state", "store"]
    assert rows[0][-2:] == ["rounds_signed", "own_appeal_filed"]
    by_name = {r[1]: r for r in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in by_name
    assert any(r[5] == "李明的店" for r in rows[1:])
    assert len(rows) == 1 + 5  # three members, the organiser, the `member`


def test_the_members_export_follows_the_list_filters(client_as, grievance):
    bulk_members(grievance, 4)
    url = reverse("appeals:export_members", args=[grievance.pk]) + "?q=Shop+m2"
    rows = read_csv(client_as("organiser").get(url))
    assert [r[1] for r in rows[1:]] == ["Seller m2"]


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("export_members", "signed=abc", "signed"),
        ("export_members", "state=nobody", "state"),
        ("export_outcomes", "round=-1", "round"),
        ("export_outcomes", "outcome=won", "outcome"),
    ],
)
def test_a_bad_export_filter_is_a_400_naming_the_field(client_as, grievance, name, query, field):
    url = reverse(f"appeals:{name}", args=[grievance.pk]) + "?" + query
    response = client_as("organiser").get(url)
    assert response.status_code == 400
    assert f"{field}:" in response.content.decode()
    assert not AuditEvent.objects.filter(verb__startswith="export.").exists()


def test_every_export_is_recorded_on_the_timeline_with_who_took_it(client_as, grievance, organiser):
    client_as("organiser").get(
        reverse("appeals:export_members", args=[grievance.pk]) + "?state=verified"
    )
    event = AuditEvent.objects.get(verb="export.members")
    assert event.actor == organiser.user
    assert event.data["filters"] == {"state": "verified"}
    assert event.data["rows"] == 2  # the organiser and the (verified) `member`


def test_the_signers_export_lists_the_rounds_signers_with_their_consents(client_as, grievance):
    members = bulk_members(grievance, 3, state=Membership.State.VERIFIED)
    appeal = make_round(grievance, Appeal.State.SIGNING)
    SignatureFactory(appeal=appeal, membership=members[0], consent_to_name=True)
    SignatureFactory(appeal=appeal, membership=members[2])
    url = reverse("appeals:export_signers", args=[appeal.pk])
    rows = read_csv(client_as("organiser").get(url))
    assert rows[0] == [
        "member_id", "name", "email", "member_state", "store", "platform_store_id",
        "named_in_letter", "store_id_in_letter", "signed_at",
    ]  # fmt: skip
    assert [(r[1], r[6]) for r in rows[1:]] == [("Seller m0", "yes"), ("Seller m2", "no")]
    event = AuditEvent.objects.get(verb="export.signers")
    assert event.subject == "round:1"


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("outsider", 404)])
def test_members_and_outsiders_cannot_export_signers(client_as, grievance, role, status):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    url = reverse("appeals:export_signers", args=[appeal.pk])
    assert client_as(role).get(url).status_code == status


def test_the_outcomes_export_lists_own_appeals_by_round(client_as, grievance):
    members = bulk_members(grievance, 2, state=Membership.State.VERIFIED)
    appeal = make_round(grievance, Appeal.State.SUBMITTED)
    SubmissionFactory(
        appeal=appeal, membership=members[0], outcome=Submission.Outcome.FUNDS_RELEASED,
        amount_recovered="120.50", currency="EUR",
    )  # fmt: skip
    SubmissionFactory(appeal=appeal, membership=members[1], outcome=Submission.Outcome.DENIED)
    url = reverse("appeals:export_outcomes", args=[grievance.pk]) + "?outcome=funds_released"
    rows = read_csv(client_as("organiser").get(url))
    assert rows[0][:3] == ["round", "member_id", "name"]
    assert [(r[0], r[2], r[6], r[8], r[9]) for r in rows[1:]] == [
        ("1", "Seller m0", "funds_released", "120.50", "EUR")
    ]


def test_export_times_are_in_the_viewers_time_zone(client_as, grievance, organiser):
    organiser.time_zone = "Asia/Shanghai"
    organiser.save(update_fields=["time_zone"])
    members = bulk_members(grievance, 1)
    Membership.objects.filter(pk=members[0].pk).update(
        joined_at=datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    )
    url = reverse("appeals:export_members", args=[grievance.pk]) + "?q=Seller+m0"
    rows = read_csv(client_as("organiser").get(url))
    assert rows[1][rows[0].index("joined_at")] == "2024-01-01T08:00+08:00"
