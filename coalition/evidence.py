"""Evidence actions: upload (validated, sniffed and hashed while streaming), withdrawal, visibility,
and the custody log (DESIGN.md "Evidence", issue 5).

Every upload, view, download, withdrawal and visibility change is an AuditEvent with subject
"evidence:<id>", so who touched which file, and when, can always be shown.

An upload is read once, in chunks: the size is counted (refused past settings.EVIDENCE_MAX_BYTES
without reading further), the SHA-256 computed, the first bytes kept for sniffing, and the text
decoders fed. The type comes from the content (magic bytes, the zip's parts, the OLE directory,
or a clean decode), never from the name or the browser; the name and the declared type must agree
with it. The stored name is random (coalition.models.evidence_path); the uploader's name is only
kept, sanitised, for display and downloads.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import partial
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.categories import EvidenceKind
from coalition.errors import ActionRefused
from coalition.models import Evidence, Grievance, Membership
from coalition.queries import can_organise, seller_of
from coalition.timeline import record_event, register_verbs

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 8 * 1024
NAME_MAX = 200

VIEWED, DOWNLOADED = "viewed", "downloaded"

register_verbs(
    {
        "evidence.uploaded": gettext_lazy("brought evidence"),
        "evidence.viewed": gettext_lazy("viewed evidence"),
        "evidence.downloaded": gettext_lazy("downloaded evidence"),
        "evidence.withdrawn": gettext_lazy("withdrew evidence"),
        "evidence.visibility_changed": gettext_lazy("changed who can see evidence"),
    },
    private=True,
)
# The custody log belongs to the evidence page (owner and organisers), not the public timeline:
# views and downloads would flood it, and file names are private.
CUSTODY_VERBS = frozenset(
    {
        "evidence.uploaded",
        "evidence.viewed",
        "evidence.downloaded",
        "evidence.withdrawn",
        "evidence.visibility_changed",
    }
)


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def too_large_message(size: int | None = None) -> str:
    limit = filesizeformat(max_bytes())
    if size:
        return _("The file is too large (%(size)s). Evidence files can be at most %(limit)s.") % {
            "size": filesizeformat(size),
            "limit": limit,
        }
    return _("The file is too large. Evidence files can be at most %(limit)s.") % {"limit": limit}


# --- what evidence may be ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileFamily:
    key: str
    label: Any  # lazy text, e.g. "a PDF": it completes "The file's content is not …"
    content_type: str
    extensions: tuple[str, ...]  # the first one is added to names that have none


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FAMILIES: dict[str, FileFamily] = {
    f.key: f
    for f in (
        FileFamily("pdf", gettext_lazy("a PDF"), "application/pdf", (".pdf",)),
        FileFamily("png", gettext_lazy("a PNG image"), "image/png", (".png",)),
        FileFamily(
            "jpeg", gettext_lazy("a JPEG image"), "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif")
        ),
        FileFamily("webp", gettext_lazy("a WebP image"), "image/webp", (".webp",)),
        FileFamily("xlsx", gettext_lazy("an Excel spreadsheet (XLSX)"), XLSX_TYPE, (".xlsx",)),
        FileFamily(
            "xls", gettext_lazy("an Excel spreadsheet (XLS)"), "application/vnd.ms-excel", (".xls",)
        ),
        FileFamily(
            "text", gettext_lazy("plain text or CSV"), "text/plain", (".txt", ".csv", ".tsv")
        ),
    )
}
EXTENSION_FAMILY = {ext: f.key for f in FAMILIES.values() for ext in f.extensions}
TEXT_TYPES = {".csv": "text/csv", ".tsv": "text/tab-separated-values"}

# What browsers and API clients declare. Windows labels .csv files application/vnd.ms-excel
# when Excel is installed, so that type may be a spreadsheet or text. Types not listed (and
# application/octet-stream) claim nothing: the content and the name decide.
DECLARED_FAMILIES: dict[str, set[str]] = {
    "application/pdf": {"pdf"},
    "application/x-pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpeg"},
    "image/jpg": {"jpeg"},
    "image/pjpeg": {"jpeg"},
    "image/webp": {"webp"},
    XLSX_TYPE: {"xlsx"},
    "application/vnd.ms-excel": {"xls", "text"},
    "text/plain": {"text"},
    "text/csv": {"text"},
    "application/csv": {"text"},
    "text/x-csv": {"text"},
    "application/x-csv": {"text"},
    "text/comma-separated-values": {"text"},
    "text/tab-separated-values": {"text"},
}
ALLOWED_SUMMARY = gettext_lazy(
    "Evidence can be a PDF, a PNG, JPEG or WebP image, a plain-text or CSV file, or an Excel spreadsheet."
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Directory entry names in an OLE file are UTF-16LE; an Excel workbook has a "Workbook" (or, before
# Excel 97, "Book") stream, and macros live in "_VBA_PROJECT".
OLE_WORKBOOK = ("Workbook\0".encode("utf-16-le"), "Book\0".encode("utf-16-le"))
OLE_MACROS = "_VBA_PROJECT".encode("utf-16-le")
# Control characters other than tab, line feed, vertical tab, form feed and carriage return.
TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


class _TextCheck:
    """Feeds chunks to one incremental decoder; `ok` stays true while the bytes are clean text."""

    def __init__(self, charset: str):
        self.charset = charset
        self.decoder = codecs.getincrementaldecoder(charset)()
        self.ok = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self.decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if TEXT_CONTROLS.search(text):
            self.ok = False


@dataclass
class Scan:
    size: int
    sha256: str
    head: bytes
    charset: str | None  # the whole content decodes cleanly in this charset


def scan(content: File, limit: int | None = None) -> Scan:
    """Read the content once, in chunks: count, hash, keep the head, try the text decoders.
    Stops with a clear refusal as soon as the count passes the limit."""
    limit = max_bytes() if limit is None else limit
    digest, head, size = hashlib.sha256(), bytearray(), 0
    # GB18030 too: Chinese sellers' exports (Excel "CSV", platform reports) often use it.
    texts = [_TextCheck("utf-8"), _TextCheck("gb18030")]
    for chunk in content.chunks(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise ActionRefused(too_large_message(), field="file", code="too_large")
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        for check in texts:
            check.feed(chunk)
    for check in texts:
        check.feed(b"", final=True)
    charset = next((c.charset for c in texts if c.ok), None)
    return Scan(size=size, sha256=digest.hexdigest(), head=bytes(head), charset=charset)


def sniff(content: File, found: Scan) -> str | None:
    """The family the content really is, or None when it is nothing evidence may be."""
    head = found.head
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if _is_workbook_zip(content) else None
    if head.startswith(OLE_MAGIC):
        return "xls" if _is_workbook_ole(content) else None
    guessed = filetype.guess(head)
    if guessed is not None:
        return {"pdf": "pdf", "png": "png", "jpg": "jpeg", "webp": "webp"}.get(guessed.extension)
    if found.charset:
        return "text"
    return None


def _is_workbook_zip(content: File) -> bool:
    """A real OOXML spreadsheet: the workbook part, declared as a (macro-free) spreadsheet."""
    try:
        content.seek(0)
        with zipfile.ZipFile(content) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names or "xl/vbaProject.bin" in names:
                return False
            types = archive.getinfo("[Content_Types].xml")
            if types.file_size > 1_000_000:  # a real one is a few kB; refuse to inflate a bomb
                return False
            return b"spreadsheetml.sheet.main+xml" in archive.read(types)
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        EOFError,
    ):
        return False


def _is_workbook_ole(content: File) -> bool:
    found_book, tail = False, b""
    for chunk in content.chunks(CHUNK_BYTES):
        window = tail + chunk
        if OLE_MACROS in window:
            return False
        found_book = found_book or any(name in window for name in OLE_WORKBOOK)
        tail = window[-64:]
    return found_book


# --- names -------------------------------------------------------------------------------------


def clean_name(raw: str) -> str:
    """The uploader's file name, made safe to show and to offer as a download name: the last path
    component only (either slash), no leading dots, only word characters, dots and dashes."""
    base = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = base.strip().lstrip(".")
    try:
        name = get_valid_filename(base).lstrip(".") if base else ""
    except SuspiciousFileOperation:
        name = ""
    stem, ext = os.path.splitext(name or "evidence")
    return (stem or "evidence")[: NAME_MAX - len(ext[:16])] + ext[:16]


def _extension(name: str) -> str:
    """The name's extension when it looks like one (".pdf", not ".2024")."""
    ext = os.path.splitext(name)[1].lower()
    return ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) and re.search(r"[a-z]", ext) else ""


def _check_agreement(name: str, declared: str, family: FileFamily) -> str:
    """Refuse a name or declared type that says something else than the content; return the
    display name, with the family's extension added when the name had none."""
    ext = _extension(name)
    claimed = EXTENSION_FAMILY.get(ext)
    if ext and claimed is None:
        raise ActionRefused(
            _("The file's name ends in “%(ext)s”, but its content is %(type)s. %(allowed)s")
            % {"ext": ext, "type": family.label, "allowed": ALLOWED_SUMMARY},
            field="file",
            code="type_mismatch",
        )
    if claimed is not None and claimed != family.key:
        raise ActionRefused(
            _("The file's content is not %(type)s, although its name says so.")
            % {"type": FAMILIES[claimed].label},
            field="file",
            code="type_mismatch",
        )
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in DECLARED_FAMILIES and family.key not in DECLARED_FAMILIES[declared]:
        claimed_label = FAMILIES[sorted(DECLARED_FAMILIES[declared])[0]].label
        raise ActionRefused(
            _("The file's content is not %(type)s, although it was sent as one.")
            % {"type": claimed_label},
            field="file",
            code="type_mismatch",
        )
    return name if ext else f"{name}{family.extensions[0]}"


def _content_type(family: FileFamily, name: str, charset: str | None) -> str:
    if family.key != "text":
        return family.content_type
    base = TEXT_TYPES.get(_extension(name), "text/plain")
    return f"{base}; charset={charset or 'utf-8'}"


# --- actions -----------------------------------------------------------------------------------


def upload_evidence(
    grievance: Grievance,
    *,
    actor,
    uploaded_file,
    kind: str,
    description: str = "",
    visibility: str = Evidence.Visibility.ORGANISERS,
    redacted_of: Evidence | None = None,
) -> tuple[Evidence, bool]:
    """Bring a file to the grievance. Returns (evidence, created): the same file already in the
    grievance (same SHA-256, not withdrawn) is returned as it is, with created False.

    Reading, hashing and storing happen outside the database transaction: on SQLite a write
    transaction locks the whole database, and storing to S3 may take a while.
    """
    membership = _uploader(grievance, actor)
    _check_choices(kind, visibility)
    _check_redaction(redacted_of, membership)
    content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file)
    declared_size = getattr(content, "size", None)
    if declared_size is not None and declared_size > max_bytes():  # refuse before reading anything
        raise ActionRefused(too_large_message(declared_size), field="file", code="too_large")
    found = scan(content)
    if found.size == 0:
        raise ActionRefused(_("The file is empty."), field="file", code="empty")
    family_key = sniff(content, found)
    if family_key is None:
        raise ActionRefused(
            _("This kind of file cannot be evidence. %(allowed)s") % {"allowed": ALLOWED_SUMMARY},
            field="file",
            code="type_not_allowed",
        )
    family = FAMILIES[family_key]
    name = _check_agreement(
        clean_name(getattr(content, "name", "") or ""), getattr(content, "content_type", ""), family
    )
    existing = _live_duplicate(grievance, found.sha256)
    if existing is not None:
        return existing, False
    evidence = Evidence(
        grievance=grievance,
        membership=membership,
        kind=kind,
        description=(description or "").strip()[:300],
        original_name=name,
        content_type=_content_type(family, name, found.charset),
        size=found.size,
        sha256=found.sha256,
        redacted_of=redacted_of,
        visibility=visibility,
    )
    content.seek(0)
    evidence.file.save(name, content, save=False)  # the stored name is random (evidence_path)
    try:
        return _insert(evidence, actor)
    except BaseException:
        _delete_stored(evidence.file.storage, evidence.file.name)
        raise


def _insert(evidence: Evidence, actor) -> tuple[Evidence, bool]:
    with transaction.atomic():
        # A savepoint: a concurrent upload of the same file may win the unique constraint.
        try:
            with transaction.atomic():
                evidence.save()
        except IntegrityError:
            existing = _live_duplicate(evidence.grievance, evidence.sha256)
            if existing is None:
                raise
            _delete_stored(evidence.file.storage, evidence.file.name)
            return existing, False
        record_event(
            evidence.grievance,
            "evidence.uploaded",
            actor=actor,
            subject=subject_of(evidence),
            **_facts(evidence),
            kind=evidence.kind,
            size=evidence.size,
            content_type=evidence.content_type,
            visibility=evidence.visibility,
            redacted_of=evidence.redacted_of_id,
        )
    return evidence, True


@transaction.atomic
def withdraw_evidence(evidence: Evidence, *, actor) -> Evidence:
    """The member who brought a file takes it back: the file is deleted from storage (after the
    commit), the row, its hash and its custody log stay. Nobody else can do this."""
    evidence = _locked(evidence)
    _require_owner(
        evidence,
        actor,
        _(
            "Organisers cannot delete a member's evidence. Only the member who brought it can withdraw it."
        ),
    )
    if evidence.is_withdrawn:
        return evidence
    storage, stored = evidence.file.storage, evidence.file.name
    evidence.withdrawn_at = timezone.now()
    evidence.file = ""
    evidence.save(update_fields=["withdrawn_at", "file"])
    record_event(
        evidence.grievance,
        "evidence.withdrawn",
        actor=actor,
        subject=subject_of(evidence),
        **_facts(evidence),
    )
    if stored:
        # Only once the withdrawal is committed: a rolled-back withdrawal must not lose the file.
        transaction.on_commit(partial(_delete_stored, storage, stored))
    return evidence


@transaction.atomic
def set_visibility(evidence: Evidence, *, actor, visibility: str) -> Evidence:
    """The member who brought a file decides who sees it: organisers only, or all members."""
    evidence = _locked(evidence)
    _require_owner(
        evidence, actor, _("Only the member who brought this file can change who sees it.")
    )
    _check_choices(evidence.kind, visibility)
    if evidence.is_withdrawn:
        raise ActionRefused(_("This file was withdrawn."), code="withdrawn")
    if evidence.visibility == visibility:
        return evidence
    previous = evidence.visibility
    evidence.visibility = visibility
    evidence.save(update_fields=["visibility"])
    record_event(
        evidence.grievance,
        "evidence.visibility_changed",
        actor=actor,
        subject=subject_of(evidence),
        **_facts(evidence),
        **{"from": previous, "to": visibility},
    )
    return evidence


def record_access(evidence: Evidence, *, actor, verb: str) -> None:
    """The custody log of one look at a file: verb "viewed" (its page or API record) or
    "downloaded". Callers check that the actor may see it first."""
    if verb not in (VIEWED, DOWNLOADED):
        raise ValueError(f"unknown evidence access: {verb}")
    with transaction.atomic():
        record_event(
            evidence.grievance,
            f"evidence.{verb}",
            actor=actor,
            subject=subject_of(evidence),
            **_facts(evidence),
        )


def subject_of(evidence: Evidence) -> str:
    return f"evidence:{evidence.pk}"


# --- request-level size limit ------------------------------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """Stops reading a multipart body once one file passes the evidence limit, so an oversize
    upload is never written to disk in full. The view reads `exceeded` to explain why the file
    is missing. Install it with `limit_uploads(request)` before anything reads request.POST."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = max_bytes() if limit is None else limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)  # the rest of the body is read and dropped
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request) -> UploadLimitHandler:
    handler = UploadLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


# --- helpers -----------------------------------------------------------------------------------


def _uploader(grievance: Grievance, actor) -> Membership:
    seller = seller_of(actor)
    membership = (
        Membership.objects.active().filter(grievance=grievance, seller=seller).first()
        if seller
        else None
    )
    if membership is None:
        raise ActionRefused(
            _("Only members of this grievance can bring evidence."), code="forbidden"
        )
    if grievance.state == Grievance.State.MERGED:
        raise ActionRefused(
            _("This grievance was merged into another one. Bring your evidence there.")
        )
    return membership


def _check_choices(kind: str, visibility: str) -> None:
    if kind not in EvidenceKind.values:
        raise ActionRefused(_("Choose what kind of evidence this is."), field="kind")
    if visibility not in Evidence.Visibility.values:
        raise ActionRefused(_("Choose who can see this file."), field="visibility")


def _check_redaction(original: Evidence | None, membership: Membership) -> None:
    if original is None:
        return
    if original.membership_id != membership.pk or original.grievance_id != membership.grievance_id:
        raise ActionRefused(
            _("A redacted copy must be of a file you brought to this grievance."),
            field="redacted_of",
        )
    if original.is_withdrawn:
        raise ActionRefused(
            _("That file was withdrawn; bring it again before adding a redacted copy."),
            field="redacted_of",
        )


def _live_duplicate(grievance: Grievance, sha256: str) -> Evidence | None:
    return (
        Evidence.objects.filter(grievance=grievance, sha256=sha256, withdrawn_at__isnull=True)
        .select_related("membership__seller")
        .first()
    )


def _locked(evidence: Evidence) -> Evidence:
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("grievance", "membership__seller")
        .get(pk=evidence.pk)
    )


def _require_owner(evidence: Evidence, actor, organiser_message: str) -> None:
    if actor is not None and getattr(actor, "pk", None) == evidence.membership.seller.user_id:
        return
    if actor is not None and can_organise(actor, evidence.grievance):
        raise ActionRefused(organiser_message, code="forbidden")
    raise ActionRefused(_("You can only change evidence you brought."), code="forbidden")


def _facts(evidence: Evidence) -> dict[str, Any]:
    return {"sha256": evidence.sha256, "name": evidence.original_name}


def _delete_stored(storage: Storage, name: str) -> None:
    if not name:
        return
    try:
        storage.delete(name)
    except Exception:  # a file left behind is logged, never a failed request
        logger.exception("could not delete evidence file %s", name)


__all__ = [
    "CUSTODY_VERBS",
    "FAMILIES",
    "UploadLimitHandler",
    "clean_name",
    "limit_uploads",
    "max_bytes",
    "record_access",
    "set_visibility",
    "sniff",
    "subject_of",
    "too_large_message",
    "upload_evidence",
    "withdraw_evidence",
]
