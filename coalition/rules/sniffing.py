"""What a file really is, judged by its bytes: evidence files and report screenshots
(docs/domain.md, evidence).

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
import os
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.errors import ActionRefused

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


CHUNK_BYTES = 64 * 1024


HEAD_BYTES = 8 * 1024


NAME_MAX = 200


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


# --- what evidence may be ------------------------------------------------------------------


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


# --- names ---------------------------------------------------------------------------------


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


def check_agreement(name: str, declared: str, family: FileFamily) -> str:
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


def content_type_of(family: FileFamily, name: str, charset: str | None) -> str:
    if family.key != "text":
        return family.content_type
    base = TEXT_TYPES.get(_extension(name), "text/plain")
    return f"{base}; charset={charset or 'utf-8'}"


# --- request-level size limit --------------------------------------------------------------


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


# --- report screenshots --------------------------------------------------------------------


SCREENSHOT_TYPES = {"image/png", "image/jpeg", "image/webp"}


MAX_SCREENSHOTS = 5


MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ScreenshotInfo:
    content_type: str
    size: int
    sha256: str


def check_screenshot(uploaded: Any) -> ScreenshotInfo:
    """PNG, JPEG or WebP, judged by the file's bytes, never its name or the browser's word."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    size = uploaded.size
    if not size:
        raise ActionRefused(_("“%(name)s” is empty.") % {"name": name}, field="screenshots")
    if size > MAX_SCREENSHOT_BYTES:
        raise ActionRefused(
            _("“%(name)s” is larger than 10 MB.") % {"name": name}, field="screenshots"
        )
    uploaded.seek(0)
    kind = filetype.guess(uploaded.read(261))
    if kind is None or kind.mime not in SCREENSHOT_TYPES:
        raise ActionRefused(
            _("“%(name)s” is not a PNG, JPEG or WebP image. Send screenshots as pictures.")
            % {"name": name},
            field="screenshots",
        )
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return ScreenshotInfo(kind.mime, size, digest.hexdigest())


def check_screenshots(files: Sequence[Any]) -> list[ScreenshotInfo]:
    if not files:
        raise ActionRefused(_("Add at least one screenshot of the listing."), field="screenshots")
    if len(files) > MAX_SCREENSHOTS:
        raise ActionRefused(
            _("Send at most %(n)s screenshots.") % {"n": MAX_SCREENSHOTS}, field="screenshots"
        )
    return [check_screenshot(f) for f in files]
