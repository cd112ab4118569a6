"""Round packets and case packets: a ZIP whose every file verifies against SHA256SUMS, a letter PDF
a PDF reader opens, a manifest listing exactly the chosen evidence; what is recorded and kept of a
round's packet at submission."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from appeals.actions.packets import record_packet_hash, select_packet_evidence
from appeals.documents import packets
from appeals.models import Appeal
from coalition.actions import evidence as evidence_actions
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.factories import MembershipFactory
from tests.files import bring, pdf_bytes


def _unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


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
    sha256 = record_packet_hash(appeal, actor=organiser.user)
    appeal.refresh_from_db()
    assert appeal.packet_sha256 == sha256 and len(sha256) == 64
    event = AuditEvent.objects.get(verb="round.packet_recorded")
    assert event.data == {"sha256": sha256} and event.subject == f"round:{appeal.number}"
    path, rebuilt = packets.build_round_packet(appeal)
    path.unlink()
    assert rebuilt == sha256


def test_chinese_letter_is_typeset_with_embedded_fonts(appeal, organiser):
    appeal.letter = "尊敬的平台：\n\n我们的货款被冻结，请立即释放。\n\nKind regards"
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
    assert {f.split("+")[-1] for f in fonts} == {"DejaVuSans", "WenQuanYiMicroHei-0"}
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


def test_a_stored_file_that_was_altered_stops_the_packet(appeal, chosen, private_storage):
    Path(private_storage, chosen[0].file.name).write_bytes(pdf_bytes("tampered"))
    with pytest.raises(packets.PacketError) as caught:
        packets.build_round_packet(appeal)
    assert "no longer matches" in str(caught.value.message)


def test_evidence_is_chosen_by_organisers_only_and_only_before_submission(
    appeal, chosen, signers, organiser
):
    with pytest.raises(ActionRefused):
        select_packet_evidence(appeal, [chosen[0].pk], actor=signers[0].seller.user)
    elsewhere = bring(MembershipFactory(), name="elsewhere.pdf")
    with pytest.raises(ActionRefused):
        select_packet_evidence(appeal, [elsewhere.pk], actor=organiser.user)

    select_packet_evidence(appeal, [chosen[1].pk], actor=organiser.user)
    assert list(appeal.packet_evidence.all()) == [chosen[1]]
    event = AuditEvent.objects.filter(verb="round.packet_evidence_selected").latest("id")
    assert event.data == {"added": [], "removed": [chosen[0].pk], "count": 1}

    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.SUBMITTED)
    with pytest.raises(ActionRefused):
        select_packet_evidence(appeal, [], actor=organiser.user)


def test_packet_for_email_attaches_small_packets_and_links_large_ones(
    appeal, chosen, organiser, private_storage, settings
):
    assert packets.packet_for_email(appeal) is None  # nothing recorded yet
    Appeal.objects.filter(pk=appeal.pk).update(channel=Appeal.Channel.EMAIL)
    appeal.refresh_from_db()
    sha256 = record_packet_hash(appeal, actor=organiser.user)
    small = packets.packet_for_email(appeal)
    kept = private_storage / "packets" / f"{sha256}.zip"
    assert small.attached and small.sha256 == sha256
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == sha256
    assert small.filename.endswith(".zip") and "/packets/" in small.link

    settings.PACKET_EMAIL_MAX_BYTES = 100
    large = packets.packet_for_email(appeal)
    assert not large.attached and large.sha256 == small.sha256


def test_only_an_email_rounds_packet_is_kept_for_its_email(
    appeal, chosen, organiser, private_storage
):
    sha256 = record_packet_hash(appeal, actor=organiser.user)  # a portal round
    assert not (private_storage / "packets").exists()
    assert not packets.packet_for_email(appeal).attached
    assert Appeal.objects.get(pk=appeal.pk).packet_sha256 == sha256
