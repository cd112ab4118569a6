"""Helpers shared by the evidence and packet tests: private storage on a temporary folder, file
builders for each type, and `bring` (a file uploaded through the real action).

Each test module points storage at a fresh folder with:

    @pytest.fixture(autouse=True)
    def evidence_storage(settings, tmp_path):
        return use_private_storage(settings, tmp_path)
"""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from coalition import evidence as actions
from coalition.categories import EvidenceKind
from coalition.models import Evidence

_serial = itertools.count(1)

XLSX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def use_private_storage(settings, tmp_path: Path) -> Path:
    """Default storage on a fresh private folder; returns its path."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pdf_bytes(tag: str = "") -> bytes:
    tag = tag or f"doc-{next(_serial)}"
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% "
        + tag.encode()
        + b"\ntrailer << >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
        + bytes([next(_serial) % 256]) * 16
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
    evidence, _created = actions.upload_evidence(
        membership.grievance,
        actor=membership.seller.user,
        uploaded_file=upload(name, content),
        kind=kind,
        visibility=visibility,
        **kwargs,
    )
    return evidence
