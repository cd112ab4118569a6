"""Packets: one ZIP per appeal round for the platform, and one per member for their own case.

A round packet holds letter.pdf (the round's subject, the letter with its signer annex as sent —
appeals.documents.letters.letter_with_annex — the signer count and the list of enclosures), signers.csv
(only signers who consented to be named), the evidence the organisers selected, manifest.json and
SHA256SUMS (`sha256sum -c SHA256SUMS` checks it). Every entry has a fixed timestamp and the PDF
is built in reportlab's invariant mode, so the same round gives the same bytes: the SHA-256
recorded at submission (appeals.actions.packets.record_packet_hash) can be checked against any later
download. Building is read-only: what is recorded about a packet is written by those actions.

Evidence is copied from storage while its SHA-256 is recomputed; a file that no longer matches
the hash taken at upload stops the packet (PacketError) rather than being sent.

A member's case packet holds their own evidence, their case details (case.json, case.txt) and a
Plan of Action draft in their language (root cause, corrective actions, preventive measures).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from appeals.documents import storage
from appeals.documents.fonts import LATIN_FONT, font_for, markup, needs_cjk, register_fonts
from appeals.documents.letters import letter_with_annex, platform_number, signer_annex
from appeals.documents.storage import packet_filename
from appeals.models import Appeal, Signature
from appeals.states import SENT_STATES, UNSENT_STATES
from coalition.errors import ActionRefused
from coalition.models import Evidence, Membership

PACKET_FORMAT = "coalition-packet/1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same content always gives the same bytes
CHUNK_BYTES = 64 * 1024
# Organisers choose the packet's evidence until the round is sent; the platform's link serves it after.
SELECTABLE_STATES = UNSENT_STATES
LINK_SALT = "appeals.packet-link"


class PacketError(ActionRefused):
    """A packet cannot be built as it should be (a stored file is missing or was altered)."""


# --- the ZIP -----------------------------------------------------------------------------------


class PacketWriter:
    """Writes a deterministic ZIP to a temporary file and keeps the manifest of what it holds."""

    def __init__(self) -> None:
        handle = tempfile.NamedTemporaryFile(prefix="packet-", suffix=".zip", delete=False)  # noqa: SIM115
        self.path = Path(handle.name)
        self.zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
        self._handle = handle
        self.files: list[dict[str, Any]] = []

    @staticmethod
    def _info(path: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def add_bytes(self, path: str, data: bytes, **meta: Any) -> None:
        self.zip.writestr(self._info(path), data)
        self.files.append(
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), **meta}
        )

    def add_evidence(self, path: str, evidence: Evidence, **meta: Any) -> None:
        """Copy a stored file in, recomputing its SHA-256 on the way."""
        digest, size = hashlib.sha256(), 0
        with self.zip.open(
            self._info(path, evidence.size), "w", force_zip64=evidence.size > 2**31
        ) as out:
            for chunk in _stored_chunks(evidence):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != evidence.sha256 or size != evidence.size:
            raise PacketError(
                _(
                    "The stored file “%(name)s” no longer matches the fingerprint taken when it was uploaded, so it was not packed."
                )
                % {"name": evidence.original_name}
            )
        self.files.append({"path": path, "sha256": evidence.sha256, "size": size, **meta})

    def finish(self, head: dict[str, Any]) -> tuple[Path, str]:
        manifest = json.dumps(
            {**head, "files": self.files}, ensure_ascii=False, indent=2, sort_keys=True
        ).encode()
        self.zip.writestr(self._info("manifest.json"), manifest)
        sums = [(f["sha256"], f["path"]) for f in self.files]
        sums.append((hashlib.sha256(manifest).hexdigest(), "manifest.json"))
        self.zip.writestr(
            self._info("SHA256SUMS"), "".join(f"{sha}  {path}\n" for sha, path in sums).encode()
        )
        self.zip.close()
        self._handle.close()
        return self.path, file_sha256(self.path)

    def discard(self) -> None:
        self.zip.close()
        self._handle.close()
        self.path.unlink(missing_ok=True)


def _stored_chunks(evidence: Evidence) -> Iterator[bytes]:
    if not evidence.file:
        raise PacketError(
            _("The file “%(name)s” was withdrawn.") % {"name": evidence.original_name}
        )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise PacketError(
            _("The stored file “%(name)s” is missing.") % {"name": evidence.original_name}
        ) from exc
    try:
        yield from handle.chunks(CHUNK_BYTES)
    finally:
        handle.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _build(fill) -> tuple[Path, str]:
    writer = PacketWriter()
    try:
        head = fill(writer)
        return writer.finish(head)
    except BaseException:
        writer.discard()
        raise


# --- the round packet --------------------------------------------------------------------------


def packet_evidence(appeal: Appeal) -> list[Evidence]:
    """The selected evidence that is still there (withdrawn files drop out), oldest first."""
    return list(
        appeal.packet_evidence.filter(grievance_id=appeal.grievance_id, withdrawn_at__isnull=True)
        .select_related("membership__seller")
        .order_by("uploaded_at", "pk")
    )


def build_round_packet(appeal: Appeal) -> tuple[Path, str]:
    """(path of a temporary ZIP file, its SHA-256). The caller deletes the file."""
    appeal = Appeal.objects.select_related("grievance__platform").get(pk=appeal.pk)
    language = appeal.language if appeal.language in dict(settings.LANGUAGES) else "en"
    with translation.override(language):
        return _build(lambda writer: _fill_round(writer, appeal))


def _fill_round(writer: PacketWriter, appeal: Appeal) -> dict[str, Any]:
    named = signer_annex(appeal)
    signer_count = Signature.objects.filter(appeal=appeal).counted().count()
    evidence = packet_evidence(appeal)
    writer.add_bytes(
        "letter.pdf",
        letter_pdf(appeal, signer_count=signer_count, evidence=evidence),
        kind="letter",
    )
    writer.add_bytes("signers.csv", signers_csv(named), kind="signer_annex")
    for item in evidence:
        writer.add_evidence(_evidence_path(item), item, **_evidence_meta(item))
    grievance = appeal.grievance
    return {
        "format": PACKET_FORMAT,
        "grievance": {
            "id": grievance.pk,
            "title": grievance.title,
            "platform": grievance.platform.name,
            "category": grievance.category,
        },
        "round": {
            "number": appeal.number,
            "number_seen_by_platform": platform_number(appeal),
            "subject": appeal.subject,
            "language": appeal.language,
            "channel": appeal.channel,
        },
        "signers": {"counted": signer_count, "named": len(named)},
    }


def _evidence_path(evidence: Evidence) -> str:
    return f"evidence/{evidence.pk}-{evidence.original_name}"


def _evidence_meta(evidence: Evidence) -> dict[str, Any]:
    membership = evidence.membership
    return {
        "kind": evidence.kind,
        "kind_label": str(evidence.get_kind_display()),
        "evidence_id": evidence.pk,
        "content_type": evidence.content_type,
        "description": evidence.description,
        "uploaded_by": membership.seller.display_name
        if membership.consent_to_name
        else f"member #{membership.pk}",
        "uploaded_at": _iso(evidence.uploaded_at),
        "redacted_of": evidence.redacted_of_id,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def signers_csv(named: Iterable[tuple[str, str]]) -> bytes:
    """The annex as a spreadsheet: only signers who consented to be named (display name, store).
    UTF-8 with a byte-order mark, so Excel shows Chinese names correctly."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\r\n")
    rows.writerow(["number", "name", "store"])
    for number, (name, store) in enumerate(named, start=1):
        rows.writerow([number, _csv_safe(name), _csv_safe(store)])
    return out.getvalue().encode("utf-8-sig")


def _csv_safe(value: str) -> str:
    # A display name like "=HYPERLINK(…)" must stay text when a spreadsheet opens the annex.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- letter.pdf --------------------------------------------------------------------------------


def letter_pdf(appeal: Appeal, *, signer_count: int, evidence: list[Evidence]) -> bytes:
    """The letter as the platform receives it, typeset with reportlab in embedded TrueType fonts
    (appeals/documents/fonts.py). Invariant mode keeps the bytes reproducible."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        invariant=1,
        initialFontName=LATIN_FONT,  # no stray, unembedded Helvetica in the page resources
        title=appeal.subject,
        author="Coalition",
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    grievance = appeal.grievance
    story: list[Any] = [
        _para(appeal.subject, styles["title"]),
        _para(
            _("Round %(number)s of the collective appeal: %(title)s (%(platform)s)")
            % {
                "number": platform_number(appeal),
                "title": grievance.title,
                "platform": grievance.platform.name,
            },
            styles["meta"],
        ),
        _para(
            ngettext(
                "Co-signed by %(count)d seller.", "Co-signed by %(count)d sellers.", signer_count
            )
            % {"count": signer_count},
            styles["meta"],
        ),
        Spacer(1, 4 * mm),
    ]
    story += [_para(block, styles["body"]) for block in _blocks(letter_with_annex(appeal))]
    if evidence:
        story.append(_para(_("Enclosed evidence"), styles["heading"]))
        story += [
            _para(
                f"{i}. {_evidence_path(e)} · {e.get_kind_display()} · SHA-256 {e.sha256}",
                styles["small"],
            )
            for i, e in enumerate(evidence, start=1)
        ]
    footer = _footer(platform_number(appeal))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _styles() -> dict[str, Any]:
    register_fonts()
    base = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=10.5, leading=15, spaceAfter=7)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21, spaceAfter=6),
        "meta": ParagraphStyle(
            "meta", parent=base, fontSize=9.5, leading=13, spaceAfter=2, textColor="#4a5565"
        ),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=10),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, spaceAfter=2),
    }


def _para(text: str, style) -> Paragraph:
    if any(needs_cjk(c) for c in text):
        # Chinese has no spaces between words: let lines break between any two characters.
        style = style.clone(f"{style.name}-cjk", wordWrap="CJK")
    return Paragraph(markup(str(text)), style)


def _blocks(text: str) -> list[str]:
    return [
        block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()
    ]


def _footer(number: int):
    def draw(canvas, doc) -> None:
        text = _("Round %(number)s · page %(page)s") % {"number": number, "page": doc.page}
        canvas.saveState()
        canvas.setFont(font_for(text), 8)
        canvas.drawString(doc.leftMargin, 10 * mm, text)
        canvas.restoreState()

    return draw


# --- sharing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailPacket:
    """What the email submission says about the round's packet: its fingerprint, a signed link
    that always works, and whether the packet itself goes along attached."""

    filename: str
    sha256: str
    attached: bool  # kept in storage and small enough: the outbox attaches it at send time
    link: str


def packet_for_email(appeal: Appeal) -> EmailPacket | None:
    """The packet recorded at submission, for the email that carries the round (None before one
    was recorded). Nothing is built here: the bytes were kept when the fingerprint was taken."""
    sha256 = appeal.packet_sha256
    if not sha256:
        return None
    size = storage.stored_size(sha256)
    attached = size is not None and size <= storage.email_limit()
    return EmailPacket(packet_filename(appeal), sha256, attached, shared_packet_url(appeal, sha256))


def shared_packet_url(appeal: Appeal, sha256: str) -> str:
    """A link the platform can open without an account. It is signed, expires after
    settings.PACKET_LINK_MAX_AGE seconds (default 180 days), and serves the packet only while its
    SHA-256 is still `sha256`: the link never delivers something other than what was sent."""
    token = signing.dumps({"a": appeal.pk, "h": sha256}, salt=LINK_SALT, compress=True)
    return f"{settings.SITE_URL}{reverse('appeals:round_packet_shared', args=[token])}"


def read_packet_token(token: str) -> tuple[int, str] | None:
    max_age = int(getattr(settings, "PACKET_LINK_MAX_AGE", 180 * 24 * 3600))
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
        return int(data["a"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


# --- a member's case packet ----------------------------------------------------------------------


def build_case_packet(membership: Membership) -> tuple[Path, str]:
    """(path of a temporary ZIP file, its SHA-256): the member's own evidence, their case details
    and a Plan of Action draft to complete, in their language. The caller deletes the file."""
    membership = Membership.objects.select_related(
        "seller", "store__platform", "grievance__platform"
    ).get(pk=membership.pk)
    language = (
        membership.seller.language
        if membership.seller.language in dict(settings.LANGUAGES)
        else "en"
    )
    with translation.override(language):
        return _build(lambda writer: _fill_case(writer, membership, language))


def _fill_case(writer: PacketWriter, membership: Membership, language: str) -> dict[str, Any]:
    evidence = list(
        Evidence.objects.filter(membership=membership, withdrawn_at__isnull=True).order_by(
            "uploaded_at", "pk"
        )
    )
    case = _case_details(membership, evidence)
    writer.add_bytes(
        "case.json",
        json.dumps(case, ensure_ascii=False, indent=2, sort_keys=True).encode(),
        kind="case",
    )
    writer.add_bytes("case.txt", _case_text(membership, evidence).encode("utf-8-sig"), kind="case")
    writer.add_bytes(
        "plan_of_action.txt",
        plan_of_action(membership, evidence).encode("utf-8-sig"),
        kind="plan_of_action",
    )
    for item in evidence:
        meta = {
            **_evidence_meta(item),
            "uploaded_by": membership.seller.display_name,
        }  # their own packet
        writer.add_evidence(_evidence_path(item), item, **meta)
    return {
        "format": PACKET_FORMAT,
        "language": language,
        "grievance": case["grievance"],
        "member": case["member"],
    }


def _case_details(membership: Membership, evidence: list[Evidence]) -> dict[str, Any]:
    grievance, store = membership.grievance, membership.store
    return {
        "grievance": {
            "id": grievance.pk,
            "title": grievance.title,
            "platform": grievance.platform.name,
            "category": grievance.category,
            "demands": grievance.demands,
        },
        "member": membership.seller.display_name,
        "store": {
            "name": store.name,
            "platform_store_id": store.platform_store_id,
            "state": store.state,
        }
        if store
        else None,
        "incident_date": membership.incident_date.isoformat() if membership.incident_date else None,
        "amount_withheld": str(membership.amount_withheld),
        "amount_fined": str(membership.amount_fined),
        "currency": membership.currency,
        "statement": membership.statement,
        "consent_to_name": membership.consent_to_name,
        "joined_at": _iso(membership.joined_at),
        "evidence": [
            {"path": _evidence_path(e), "kind": e.kind, "sha256": e.sha256} for e in evidence
        ],
    }


def _case_text(membership: Membership, evidence: list[Evidence]) -> str:
    grievance = membership.grievance
    about = f"{grievance.title} ({grievance.platform.name}, {grievance.get_category_display()})"
    lines = [
        _("My case"),
        "",
        _line(_("Grievance"), about),
        *_case_facts(membership),
        "",
        _("What happened"),
        membership.statement or "—",
        "",
        _("Evidence"),
        *_evidence_lines(evidence),
    ]
    return "\n".join(lines) + "\n"


def _line(label: str, value: Any) -> str:
    return f"{label}: {value if value not in (None, '') else '—'}"


def _case_facts(membership: Membership) -> list[str]:
    store = membership.store
    return [
        _line(_("Store"), f"{store.name} ({store.platform_store_id})" if store else None),
        _line(
            _("Date of the platform's action"),
            membership.incident_date.isoformat() if membership.incident_date else None,
        ),
        _line(_("Amount withheld"), f"{membership.amount_withheld} {membership.currency}"),
        _line(_("Amount fined"), f"{membership.amount_fined} {membership.currency}"),
    ]


def _evidence_lines(evidence: list[Evidence]) -> list[str]:
    if not evidence:
        return ["—"]
    return [f"- {_evidence_path(e)} ({e.get_kind_display()}), SHA-256 {e.sha256}" for e in evidence]


def plan_of_action(membership: Membership, evidence: list[Evidence]) -> str:
    """A Plan of Action draft (root cause → corrective actions → preventive measures), the form
    Amazon and others ask for, with prompts to replace by the member's own words."""
    sections = [
        (
            _("1. Root cause"),
            _(
                "What exactly went wrong, and why? Name the orders, listings or notices concerned, with dates. "
                "Explain the cause plainly; do not blame the buyer or the platform."
            ),
        ),
        (
            _("2. Corrective actions (already taken)"),
            _(
                "What have you already done to fix it for the affected buyers, orders and listings? "
                "Give dates and numbers: refunds made, listings corrected or removed, documents obtained."
            ),
        ),
        (
            _("3. Preventive measures (so it does not happen again)"),
            _(
                "Which processes, checks or tools have you changed? Who is responsible, and how often is it checked?"
            ),
        ),
    ]
    lines = [
        _("PLAN OF ACTION (draft)"),
        "",
        _line(_("Platform"), membership.grievance.platform.name),
        *_case_facts(membership)[:2],
        "",
        _(
            "Replace each prompt with your own words. Be specific and brief; platforms reject copied text."
        ),
        "",
    ]
    for heading, prompt in sections:
        lines += [heading, f"[{prompt}]", "- ", ""]
    lines += [_("Evidence enclosed"), *_evidence_lines(evidence)]
    return "\n".join(lines) + "\n"


def case_packet_filename(membership: Membership) -> str:
    return f"coalition-grievance-{membership.grievance_id}-my-case.zip"


__all__ = [
    "SELECTABLE_STATES",
    "SENT_STATES",
    "EmailPacket",
    "PacketError",
    "build_case_packet",
    "build_round_packet",
    "case_packet_filename",
    "packet_evidence",
    "packet_filename",
    "packet_for_email",
    "plan_of_action",
    "read_packet_token",
    "shared_packet_url",
]
