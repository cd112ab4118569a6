"""Plain builders shared by the tests of both apps: files of each type (PDF, PNG, XLSX, XLS),
uploads, `bring` (a file a member uploads through the real action), and small helpers for reading
page responses.

Storage is pointed at a temporary folder by `use_private_storage` in tests/conftest.py.
"""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlparse

from django.core.files.uploadedfile import SimpleUploadedFile

from coalition.actions import evidence as evidence_actions
from coalition.categories import EvidenceKind
from coalition.models import Evidence

# The site's URLconf: every page and API route of both apps.
URLS = "config.urls"

# Who looks at a page, from least to most rights.
ROLES = ("anonymous", "outsider", "member", "organiser", "staff")

_serial = itertools.count(1)

XLSX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


# --- responses --------------------------------------------------------------------------------


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlparse(response["Location"]).path == "/accounts/login/"


def text(response) -> str:
    return response.content.decode()


# --- files ------------------------------------------------------------------------------------


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pdf_bytes(tag: str = "") -> bytes:
    tag = tag or f"doc-{next(_serial)}"
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% "
        + tag.encode()
        + b"\ntrailer << >>\n%%EOF\n"
    )


def png_bytes(rgb: tuple[int, int, int] | None = None, size: int = 4) -> bytes:
    """A small valid PNG of one colour. The same colour gives the same file (and SHA-256); without
    a colour each call gives a new one."""
    if rgb is None:
        n = next(_serial)
        rgb = ((n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def xlsx_bytes(workbook: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if workbook:
            archive.writestr("[Content_Types].xml", XLSX_CONTENT_TYPES)
            archive.writestr("xl/workbook.xml", f"<workbook n='{next(_serial)}'/>")
        else:  # a Word document, say
            archive.writestr("[Content_Types].xml", b"<Types/>")
            archive.writestr("word/document.xml", f"<document n='{next(_serial)}'/>")
    return out.getvalue()


def xls_bytes(workbook: bool = True) -> bytes:
    name = "Workbook" if workbook else "WordDocument"
    entry = (name + "\0").encode("utf-16-le").ljust(64, b"\0")
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + entry
        + bytes([next(_serial) % 256]) * 64
    )


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def screenshot(
    name: str = "listing.png", rgb: tuple[int, int, int] = (200, 30, 30)
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(rgb), content_type="image/png")


def bring(
    membership,
    *,
    name: str = "",
    content: bytes | None = None,
    kind: str = EvidenceKind.PLATFORM_NOTICE,
    visibility: str = Evidence.Visibility.ORGANISERS,
    **kwargs,
) -> Evidence:
    """A file brought by this member through the real action."""
    content = pdf_bytes() if content is None else content
    name = name or f"notice-{next(_serial)}.pdf"
    evidence, _created = evidence_actions.upload_evidence(
        membership.grievance,
        actor=membership.seller.user,
        uploaded_file=upload(name, content),
        kind=kind,
        visibility=visibility,
        **kwargs,
    )
    return evidence
