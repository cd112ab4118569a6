"""The packet pages: the round packet for organisers, its evidence selection, a member's own case
packet, and the signed link a platform uses (it serves only the packet that was sent)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from appeals.actions.packets import record_packet_hash
from appeals.documents import packets
from appeals.models import Appeal
from coalition.models import AuditEvent
from tests.files import bring


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 404), ("organiser", 200), ("staff", 200)],
)
def test_round_packet_download_is_for_organisers_only(
    appeal, chosen, signers, organiser, outsider, staff_user, who, status
):
    user = {
        "anonymous": None,
        "outsider": outsider.user,
        "member": signers[0].seller.user,
        "organiser": organiser.user,
        "staff": staff_user,
    }[who]
    response = _client(user).get(reverse("appeals:round_packet", args=[appeal.pk]))
    assert response.status_code == status
    if status == 200:
        data = b"".join(response.streaming_content)
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Packet-SHA256"] == hashlib.sha256(data).hexdigest()
        assert AuditEvent.objects.filter(verb="round.packet_downloaded").count() == 1


def test_organiser_chooses_the_packet_evidence_on_a_page(appeal, chosen, organiser, signers):
    url = reverse("appeals:round_packet_evidence", args=[appeal.pk])
    page = _client(organiser.user).get(url)
    assert page.status_code == 200 and "left-out.pdf" in page.content.decode()
    response = _client(organiser.user).post(url, {"evidence": [chosen[0].pk]})
    assert response.status_code == 302
    assert list(appeal.packet_evidence.all()) == [chosen[0]]
    assert _client(signers[0].seller.user).get(url).status_code == 404


def test_member_downloads_their_own_case_packet(grievance, signers, outsider):
    named = signers[0]
    named.statement = "Funds held since May."
    named.save(update_fields=["statement"])
    mine = bring(named, name="my-notice.pdf")
    bring(signers[1], name="not-mine.pdf")
    url = reverse("appeals:case_packet", args=[grievance.pk])

    response = _client(named.seller.user).get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"case.json", "case.txt", "plan_of_action.txt", "manifest.json", "SHA256SUMS"} <= names
    assert [n for n in names if n.startswith("evidence/")] == [f"evidence/{mine.pk}-my-notice.pdf"]
    plan = archive.read("plan_of_action.txt").decode("utf-8-sig")
    for heading in ("Root cause", "Corrective actions", "Preventive measures"):
        assert heading in plan
    assert json.loads(archive.read("case.json"))["statement"] == "Funds held since May."
    for line in archive.read("SHA256SUMS").decode().splitlines():
        expected, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == expected

    assert _client(outsider.user).get(url).status_code == 404
    assert _client().get(url).status_code == 404


def test_shared_link_serves_exactly_the_packet_that_was_sent(appeal, chosen, signers, organiser):
    sha256 = record_packet_hash(appeal, actor=organiser.user)
    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.SUBMITTED)
    link = packets.shared_packet_url(appeal, sha256).removeprefix("http://127.0.0.1:8000")

    response = _client().get(link)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sha256

    assert _client().get(link[:-3] + "xyz/").status_code == 404  # a forged token
    with_changes = bring(signers[0], name="late.pdf")
    Appeal.objects.get(pk=appeal.pk).packet_evidence.add(with_changes)
    assert _client().get(link).status_code == 410
