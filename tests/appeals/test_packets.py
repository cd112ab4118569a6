"""Round packets and case packets: a ZIP whose every file verifies against SHA256SUMS, a letter PDF
a PDF reader opens, a manifest listing exactly the chosen evidence, and the pages serving them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from appeals import actions as round_actions
from appeals import packets
from appeals.models import Appeal
from coalition import evidence as evidence_actions
from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Evidence
from tests.coalition.evidence_support import bring, pdf_bytes, png_bytes, use_private_storage
from tests.factories import MembershipFactory, SellerFactory


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    return use_private_storage(settings, tmp_path)


@pytest.fixture
def signers(grievance):
    """Three members: two consent to be named, one does not."""
    return [
        MembershipFactory(
            grievance=grievance,
            consent_to_name=True,
            seller=SellerFactory(display_name="Ann Named"),
        ),
        MembershipFactory(
            grievance=grievance, consent_to_name=True, seller=SellerFactory(display_name="李明")
        ),
        MembershipFactory(
            grievance=grievance,
            consent_to_name=False,
            seller=SellerFactory(display_name="Quiet Quinn"),
        ),
    ]


@pytest.fixture
def appeal(grievance, organiser, signers) -> Appeal:
    """A round drafted and signed through the real actions, then closed."""
    appeal = round_actions.draft_round(grievance, actor=organiser.user)
    appeal = round_actions.open_signing(appeal, actor=organiser.user)
    for membership in signers:
        round_actions.sign(
            appeal, actor=membership.seller.user, consent_to_name=membership.consent_to_name
        )
    return round_actions.close_signing(appeal, actor=organiser.user)


@pytest.fixture
def chosen(appeal, signers, organiser) -> list[Evidence]:
    """Two of three files chosen for the packet; the third stays out."""
    named, _other, quiet = signers
    files = [
        bring(named, name="settlement.pdf", kind=EvidenceKind.SETTLEMENT_REPORT),
        bring(quiet, name="结算通知.png", content=png_bytes(), kind=EvidenceKind.PLATFORM_NOTICE),
        bring(named, name="left-out.pdf"),
    ]
    packets.select_packet_evidence(appeal, [files[0].pk, files[1].pk], actor=organiser.user)
    return files[:2]


def _unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the round packet --------------------------------------------------------------------------


def test_round_packet_verifies_and_holds_the_letter_signers_and_exactly_the_chosen_evidence(
    appeal, chosen, signers
):
    path, sha256 = packets.build_round_packet(appeal)
    try:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        files = _unzip(path)
    finally:
        path.unlink()

    # Every line of SHA256SUMS verifies, and every file but SHA256SUMS itself is listed.
    sums = [line.split("  ", 1) for line in files["SHA256SUMS"].decode().splitlines()]
    assert {name for _sha, name in sums} == set(files) - {"SHA256SUMS"}
    for expected, name in sums:
        assert hashlib.sha256(files[name]).hexdigest() == expected, name

    # The letter opens in a PDF reader and carries the subject and the signer count.
    text = _pdf_text(files["letter.pdf"])
    assert appeal.subject in text.replace("\n", " ")
    assert "Co-signed by 3 sellers." in text

    # Only signers who consented to be named, in signing order.
    rows = list(csv.reader(io.StringIO(files["signers.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["number", "name", "store"]
    assert [r[1] for r in rows[1:]] == ["Ann Named", "李明"]

    # The manifest lists exactly the chosen evidence, with hash, size, kind, uploader and time.
    manifest = json.loads(files["manifest.json"])
    listed = [f for f in manifest["files"] if f["path"].startswith("evidence/")]
    assert sorted(f["evidence_id"] for f in listed) == sorted(e.pk for e in chosen)
    by_id = {f["evidence_id"]: f for f in listed}
    named_file, quiet_file = chosen
    assert by_id[named_file.pk]["uploaded_by"] == "Ann Named"
    assert by_id[quiet_file.pk]["uploaded_by"] == f"member #{signers[2].pk}"
    for item in chosen:
        entry = by_id[item.pk]
        assert (
            entry["sha256"] == item.sha256
            and entry["size"] == item.size
            and entry["kind"] == item.kind
        )
        assert entry["uploaded_at"].endswith("Z")
        assert files[entry["path"]] == item.file.open("rb").read()
    assert manifest["signers"] == {"counted": 3, "named": 2}
    assert (
        manifest["round"]["number"] == appeal.number
        and manifest["round"]["subject"] == appeal.subject
    )


def test_the_same_round_always_gives_the_same_packet(appeal, chosen):
    first, sha_first = packets.build_round_packet(appeal)
    second, sha_second = packets.build_round_packet(appeal)
    assert sha_first == sha_second and first.read_bytes() == second.read_bytes()
    first.unlink()
    second.unlink()


def test_record_packet_hash_keeps_the_fingerprint_on_the_round(appeal, chosen, organiser):
    sha256 = packets.record_packet_hash(appeal, actor=organiser.user)
    appeal.refresh_from_db()
    assert appeal.packet_sha256 == sha256 and len(sha256) == 64
    event = AuditEvent.objects.get(verb="round.packet_recorded")
    assert event.data == {"sha256": sha256} and event.subject == f"round:{appeal.number}"
    path, rebuilt = packets.build_round_packet(appeal)
    path.unlink()
    assert rebuilt == sha256


def test_chinese_letter_is_typeset_with_the_cjk_font(appeal, organiser):
    appeal.letter = "尊敬的平台：\n\n我们的货款被冻结，请立即释放。\n\nKind regards"  # noqa: RUF001
    appeal.subject = "请释放被冻结的货款"
    appeal.language = Appeal.Language.ZH_HANS
    appeal.save(update_fields=["letter", "subject", "language"])
    path, _sha = packets.build_round_packet(appeal)
    pdf = _unzip(path)["letter.pdf"]
    path.unlink()
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(ref.get_object()["/BaseFont"])
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }
    assert "/STSong-Light" in fonts and "/Helvetica" in fonts
    text = _pdf_text(pdf)
    assert "请释放被冻结的货款" in text and "我们的货款被冻结" in text and "Kind regards" in text


def test_withdrawn_files_drop_out_of_the_packet(
    appeal, chosen, signers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evidence_actions.withdraw_evidence(chosen[0], actor=signers[0].seller.user)
    path, _sha = packets.build_round_packet(appeal)
    manifest = json.loads(_unzip(path)["manifest.json"])
    path.unlink()
    assert [f["evidence_id"] for f in manifest["files"] if "evidence_id" in f] == [chosen[1].pk]


def test_a_stored_file_that_was_altered_stops_the_packet(appeal, chosen, evidence_storage):
    Path(evidence_storage, chosen[0].file.name).write_bytes(pdf_bytes("tampered"))
    with pytest.raises(packets.PacketError) as caught:
        packets.build_round_packet(appeal)
    assert "no longer matches" in str(caught.value.message)


def test_evidence_is_chosen_by_organisers_only_and_only_before_submission(
    appeal, chosen, signers, organiser
):
    with pytest.raises(ActionRefused):
        packets.select_packet_evidence(appeal, [chosen[0].pk], actor=signers[0].seller.user)
    elsewhere = bring(MembershipFactory(), name="elsewhere.pdf")
    with pytest.raises(ActionRefused):
        packets.select_packet_evidence(appeal, [elsewhere.pk], actor=organiser.user)

    packets.select_packet_evidence(appeal, [chosen[1].pk], actor=organiser.user)
    assert list(appeal.packet_evidence.all()) == [chosen[1]]
    event = AuditEvent.objects.filter(verb="round.packet_evidence_selected").latest("id")
    assert event.data == {"added": [], "removed": [chosen[0].pk], "count": 1}

    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.SUBMITTED)
    with pytest.raises(ActionRefused):
        packets.select_packet_evidence(appeal, [], actor=organiser.user)


def test_packet_for_email_attaches_small_packets_and_links_large_ones(appeal, chosen, settings):
    small = packets.packet_for_email(appeal)
    assert small.content is not None and hashlib.sha256(small.content).hexdigest() == small.sha256
    assert small.filename.endswith(".zip") and "/packets/" in small.link

    settings.PACKET_EMAIL_MAX_BYTES = 100
    large = packets.packet_for_email(appeal)
    assert large.content is None and large.sha256 == small.sha256


# --- the pages ---------------------------------------------------------------------------------


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


def test_shared_link_serves_exactly_the_packet_that_was_sent(appeal, chosen, signers):
    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.SUBMITTED)
    sent = packets.packet_for_email(appeal)
    link = sent.link.removeprefix("http://127.0.0.1:8000")

    response = _client().get(link)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sent.sha256

    assert _client().get(link[:-3] + "xyz/").status_code == 404  # a forged token
    with_changes = bring(signers[0], name="late.pdf")
    Appeal.objects.get(pk=appeal.pk).packet_evidence.add(with_changes)
    assert _client().get(link).status_code == 410
