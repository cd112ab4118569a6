"""Evidence actions: validated uploads, hashes, duplicates, redacted copies, withdrawal, visibility
and the custody log (docs/domain.md, evidence)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError

from coalition.actions import evidence as actions
from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import AuditEvent, Evidence
from coalition.rules.sniffing import clean_name
from tests.factories import MembershipFactory
from tests.files import bring, pdf_bytes, png_bytes, stored_files, upload, xls_bytes, xlsx_bytes


def _upload(membership, name, content, content_type="application/octet-stream", **kwargs):
    return actions.upload_evidence(
        membership.grievance,
        actor=membership.seller.user,
        uploaded_file=upload(name, content, content_type),
        kind=kwargs.pop("kind", EvidenceKind.ORDER_RECORD),
        **kwargs,
    )


def _refusal(
    membership, name, content, content_type="application/octet-stream", **kwargs
) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        _upload(membership, name, content, content_type, **kwargs)
    return caught.value


# --- what is stored ----------------------------------------------------------------------------


def test_upload_keeps_hash_size_sniffed_type_and_a_random_storage_name(
    membership, evidence_storage
):
    content = pdf_bytes()
    evidence, created = _upload(
        membership, "Order 123.pdf", content, "application/pdf", description=" orders "
    )

    assert created
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "Order_123.pdf"
    assert evidence.description == "orders"
    assert evidence.membership == membership and evidence.grievance == membership.grievance
    assert evidence.file.name.startswith(f"evidence/{membership.grievance_id}/")
    assert "Order" not in evidence.file.name
    [stored] = stored_files(evidence_storage)
    assert stored.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "content_type", "expected_type"),
    [
        ("shot.png", png_bytes(), "image/png", "image/png"),
        (
            "photo.JPG",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 32,
            "image/jpeg",
            "image/jpeg",
        ),
        ("shot.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 32, "image/webp", "image/webp"),
        (
            "report.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("report.xls", xls_bytes(), "application/vnd.ms-excel", "application/vnd.ms-excel"),
        (
            "chat.txt",
            b"Buyer: where is my parcel?\r\nMe: delivered on 3 May.\n",
            "text/plain",
            "text/plain; charset=utf-8",
        ),
        # Chinese sellers' exports are often GB18030; Windows sends .csv as application/vnd.ms-excel.
        (
            "订单.csv",
            "订单号,金额\n20240501,45.60\n".encode("gb18030"),
            "application/vnd.ms-excel",
            "text/csv; charset=gb18030",
        ),
    ],
)
def test_each_kind_of_evidence_file_is_recognised_from_its_content(
    membership, name, content, content_type, expected_type
):
    evidence, created = _upload(membership, name, content, content_type)
    assert created
    assert evidence.content_type == expected_type


def test_name_without_extension_gets_the_sniffed_one(membership):
    evidence, _ = _upload(membership, "scan", pdf_bytes())
    assert evidence.original_name == "scan.pdf"


@pytest.mark.parametrize("raw", ["../../etc/passwd", "..\\..\\windows\\passwd", "/etc/passwd"])
def test_path_like_name_is_stored_safely(membership, evidence_storage, raw):
    evidence, _ = _upload(membership, raw, b"root:x:0:0:root:/root:/bin/bash\n")
    assert evidence.original_name == "passwd.txt"
    assert ".." not in evidence.file.name and "passwd" not in evidence.file.name
    [stored] = stored_files(evidence_storage)
    assert stored.resolve().is_relative_to(evidence_storage.resolve())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("..", "evidence"),
        (".hidden.pdf", "hidden.pdf"),
        ("a<b>c|d.pdf", "abcd.pdf"),
        ("我的 订单.pdf", "我的_订单.pdf"),
    ],
)
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected


# --- what is refused ---------------------------------------------------------------------------


def test_oversize_file_is_refused_with_a_clear_message_before_it_is_read(
    membership, settings, evidence_storage
):
    settings.EVIDENCE_MAX_BYTES = 100

    class Unreadable(ContentFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("an oversize file must not be read")

    refusal = None
    with pytest.raises(ActionRefused) as caught:
        actions.upload_evidence(
            membership.grievance,
            actor=membership.seller.user,
            uploaded_file=Unreadable(b"x" * 101, name="big.txt"),
            kind=EvidenceKind.OTHER,
        )
    refusal = caught.value
    assert refusal.field == "file" and refusal.code == "too_large"
    assert "too large" in str(refusal.message) and "100" in str(refusal.message)
    assert not Evidence.objects.exists() and not stored_files(evidence_storage)


def test_oversize_file_is_caught_while_streaming_when_its_size_is_not_known(membership, settings):
    settings.EVIDENCE_MAX_BYTES = 1000

    class SizeUnknown(ContentFile):
        size = None

    with pytest.raises(ActionRefused) as caught:
        actions.upload_evidence(
            membership.grievance,
            actor=membership.seller.user,
            uploaded_file=SizeUnknown(b"a" * 5000, name="big.txt"),
            kind=EvidenceKind.OTHER,
        )
    assert caught.value.code == "too_large"


def test_file_whose_content_is_not_what_its_name_says_is_refused(membership, evidence_storage):
    refusal = _refusal(membership, "invoice.pdf", png_bytes(), "application/pdf")
    assert str(refusal.message) == "The file's content is not a PDF, although its name says so."
    assert refusal.field == "file"
    assert not Evidence.objects.exists() and not stored_files(evidence_storage)


def test_file_sent_as_another_type_is_refused(membership):
    refusal = _refusal(membership, "invoice", pdf_bytes(), "image/png")
    assert (
        str(refusal.message)
        == "The file's content is not a PNG image, although it was sent as one."
    )


def test_name_with_a_foreign_extension_is_refused(membership):
    refusal = _refusal(membership, "invoice.exe", pdf_bytes())
    assert "“.exe”" in str(refusal.message) and "a PDF" in str(refusal.message)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data.txt", bytes(range(256)) * 4),  # binary
        ("notes.txt", b"plain words\x00 with a NUL"),  # text with NUL bytes
        ("notes.txt", b"\x1b[31mterminal escapes\x1b[0m"),  # control characters
        ("image.gif", b"GIF89a" + b"\x00" * 32),  # a type evidence may not be
        ("report.xlsx", xlsx_bytes(workbook=False)),  # a zip that is no spreadsheet
        ("report.xls", xls_bytes(workbook=False)),  # an OLE file that is no workbook
    ],
)
def test_content_that_cannot_be_evidence_is_refused(membership, name, content):
    refusal = _refusal(membership, name, content)
    assert refusal.field == "file"
    assert refusal.code == "type_not_allowed"


def test_empty_file_is_refused(membership):
    assert _refusal(membership, "empty.txt", b"").code == "empty"


def test_only_members_can_bring_evidence(grievance, outsider, staff_user):
    for user in (outsider.user, staff_user):
        with pytest.raises(ActionRefused) as caught:
            actions.upload_evidence(
                grievance,
                actor=user,
                uploaded_file=upload("a.pdf", pdf_bytes()),
                kind=EvidenceKind.OTHER,
            )
        assert caught.value.code == "forbidden"


def test_kind_and_visibility_must_be_offered_choices(membership):
    assert _refusal(membership, "a.pdf", pdf_bytes(), kind="nonsense").field == "kind"
    assert _refusal(membership, "a.pdf", pdf_bytes(), visibility="everyone").field == "visibility"


# --- duplicates --------------------------------------------------------------------------------


def test_same_file_twice_in_a_grievance_is_recognised_not_stored_twice(
    membership, evidence_storage
):
    content = pdf_bytes("same")
    first, created_first = _upload(membership, "a.pdf", content)
    again, created_again = _upload(membership, "copy of a.pdf", content)

    assert created_first and not created_again
    assert again.pk == first.pk
    assert Evidence.objects.count() == 1
    assert len(stored_files(evidence_storage)) == 1
    assert AuditEvent.objects.filter(verb="evidence.uploaded").count() == 1


def test_same_file_from_another_member_returns_the_existing_one(
    membership, grievance, evidence_storage
):
    content = pdf_bytes("shared")
    first, _ = _upload(membership, "a.pdf", content)
    other = MembershipFactory(grievance=grievance)
    again, created = _upload(other, "b.pdf", content)
    assert not created and again.pk == first.pk
    assert len(stored_files(evidence_storage)) == 1


def test_same_file_in_another_grievance_is_stored_again(membership):
    content = pdf_bytes("elsewhere")
    _upload(membership, "a.pdf", content)
    elsewhere = MembershipFactory(seller=membership.seller)
    _evidence, created = _upload(elsewhere, "a.pdf", content)
    assert created


def test_concurrent_twin_upload_returns_the_winner_and_drops_its_own_file(
    membership, evidence_storage, monkeypatch
):
    content = pdf_bytes("race")
    winner, _ = _upload(membership, "a.pdf", content)
    # The twin checked before the winner committed: it sees no duplicate, then loses the insert.
    real, calls = actions._live_duplicate, []

    def stale_then_real(grievance, sha256):
        calls.append(sha256)
        return None if len(calls) == 1 else real(grievance, sha256)

    monkeypatch.setattr(actions, "_live_duplicate", stale_then_real)

    twin, created = _upload(membership, "a.pdf", content)

    assert len(calls) == 2  # the stale check, then the lookup after the unique constraint refused
    assert not created and twin.pk == winner.pk
    assert len(stored_files(evidence_storage)) == 1


def test_an_integrity_error_that_is_no_duplicate_is_not_hidden(
    membership, evidence_storage, monkeypatch
):
    def broken(self, *args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(Evidence, "save", broken)
    with pytest.raises(IntegrityError):
        _upload(membership, "a.pdf", pdf_bytes())
    assert not stored_files(evidence_storage)


def test_a_withdrawn_file_can_be_brought_again(membership, django_capture_on_commit_callbacks):
    content = pdf_bytes("back")
    first, _ = _upload(membership, "a.pdf", content)
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_evidence(first, actor=membership.seller.user)
    again, created = _upload(membership, "a.pdf", content)
    assert created and again.pk != first.pk


# --- redacted copies ---------------------------------------------------------------------------


def test_member_can_add_a_redacted_copy_of_their_own_file(membership):
    original = bring(membership)
    copy = bring(membership, redacted_of=original, visibility=Evidence.Visibility.MEMBERS)
    assert copy.redacted_of == original
    assert list(original.redacted_copies.all()) == [copy]


def test_redacted_copy_of_someone_elses_file_is_refused(membership, grievance):
    other = MembershipFactory(grievance=grievance)
    theirs = bring(other)
    refusal = _refusal(membership, "mine.pdf", pdf_bytes(), redacted_of=theirs)
    assert refusal.field == "redacted_of"


# --- withdrawal, visibility, custody log ------------------------------------------------------


def test_withdrawal_deletes_the_file_and_keeps_the_row_hash_and_log(
    membership, evidence_storage, django_capture_on_commit_callbacks
):
    evidence = bring(membership)
    sha = evidence.sha256
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_evidence(evidence, actor=membership.seller.user)

    evidence.refresh_from_db()
    assert evidence.is_withdrawn
    assert evidence.sha256 == sha and evidence.original_name
    assert not evidence.file
    assert stored_files(evidence_storage) == []
    verbs = list(
        AuditEvent.objects.filter(subject=f"evidence:{evidence.pk}")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["evidence.uploaded", "evidence.withdrawn"]
    event = AuditEvent.objects.get(verb="evidence.withdrawn")
    assert event.data == {"sha256": sha, "name": evidence.original_name}
    assert event.actor == membership.seller.user


def test_file_stays_until_the_withdrawal_commits(
    membership, evidence_storage, django_capture_on_commit_callbacks
):
    evidence = bring(membership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.withdraw_evidence(evidence, actor=membership.seller.user)
    assert len(stored_files(evidence_storage)) == 1 and len(callbacks) == 1


def test_withdrawing_twice_changes_nothing(membership, django_capture_on_commit_callbacks):
    evidence = bring(membership)
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_evidence(evidence, actor=membership.seller.user)
        actions.withdraw_evidence(evidence, actor=membership.seller.user)
    assert AuditEvent.objects.filter(verb="evidence.withdrawn").count() == 1


def test_organisers_cannot_delete_a_members_original(membership, organiser, evidence_storage):
    evidence = bring(membership)
    with pytest.raises(ActionRefused) as caught:
        actions.withdraw_evidence(evidence, actor=organiser.user)
    assert "Organisers cannot delete" in str(caught.value.message)
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn and len(stored_files(evidence_storage)) == 1


def test_other_members_and_staff_cannot_withdraw(membership, grievance, staff_user):
    evidence = bring(membership, visibility=Evidence.Visibility.MEMBERS)
    other = MembershipFactory(grievance=grievance)
    for user in (other.seller.user, staff_user):
        with pytest.raises(ActionRefused):
            actions.withdraw_evidence(evidence, actor=user)


def test_owner_changes_who_sees_the_file_and_it_is_logged(membership, organiser):
    evidence = bring(membership)
    actions.set_visibility(
        evidence, actor=membership.seller.user, visibility=Evidence.Visibility.MEMBERS
    )
    evidence.refresh_from_db()
    assert evidence.visibility == Evidence.Visibility.MEMBERS
    event = AuditEvent.objects.get(verb="evidence.visibility_changed")
    assert event.data["from"] == "organisers" and event.data["to"] == "members"

    with pytest.raises(ActionRefused):
        actions.set_visibility(
            evidence, actor=organiser.user, visibility=Evidence.Visibility.ORGANISERS
        )


def test_upload_view_and_download_are_in_the_custody_log(membership, organiser):
    evidence = bring(membership)
    actions.record_access(evidence, actor=organiser.user, verb="viewed")
    actions.record_access(evidence, actor=organiser.user, verb="downloaded")

    log = list(AuditEvent.objects.filter(subject=f"evidence:{evidence.pk}").order_by("id"))
    assert [e.verb for e in log] == ["evidence.uploaded", "evidence.viewed", "evidence.downloaded"]
    assert [e.actor for e in log] == [membership.seller.user, organiser.user, organiser.user]
    assert all(e.data["sha256"] == evidence.sha256 for e in log)
    assert log[0].data["kind"] == evidence.kind and log[0].data["size"] == evidence.size

    with pytest.raises(ValueError):
        actions.record_access(evidence, actor=organiser.user, verb="edited")


def test_evidence_verbs_have_timeline_labels():
    from coalition.rules.verbs import CUSTODY_VERBS, VERB_LABELS

    assert set(VERB_LABELS) >= CUSTODY_VERBS
