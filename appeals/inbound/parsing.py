"""One inbound email read into plain values.

Pure: no models, no I/O. `parse` never raises, whatever bytes it is given — a platform's mail server,
a forwarding relay or an attacker decides what arrives, and one bad message must never stop the
reader. Everything that went wrong is said in `Parsed.problems` (plain, translated notes), and the
caller keeps the raw bytes anyway, so nothing is lost by a best-effort reading.

Charsets: a declared charset is used when it decodes cleanly; GB2312/GBK are read as GB18030 and
Big5 as Big5-HKSCS (their supersets, which is what mail clients really send under those labels);
an unknown or lying label falls back to UTF-8, GB18030, Big5 and finally Windows-1252 with
replacement characters.
"""

from __future__ import annotations

import codecs
import email
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils.translation import gettext as _

# The matching and classification rules live in .rules; they are read from here too.
from appeals.inbound.rules import (  # noqa: F401
    ACKNOWLEDGED,
    GRANTED,
    INFO_REQUESTED,
    PARTIAL,
    REJECTED,
    case_references_in,
    normalise_case_reference,
    strip_quoted,
    suggest_classification,
    token_from_addresses,
)

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
MAX_FILENAME = 120
MAX_MESSAGE_BYTES = 100 * 1024 * 1024  # beyond this only the headers are read (see parse)
MAX_HEADER = 64 * 1024
MAX_DEPTH = 30  # MIME nesting deeper than this is not read (a message bomb, not a reply)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None  # None when over the limit: the bytes stay in the raw message only
    note: str = ""


@dataclass(frozen=True)
class Parsed:
    message_id: str = ""  # "<id@host>", as recorded for outgoing mail; "" when missing
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_display: str = ""
    from_warnings: list[str] = field(default_factory=list)  # reasons to doubt the From header
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None  # aware, UTC
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    is_auto_reply: bool = False
    auto_reply_reason: str = ""
    problems: list[str] = field(default_factory=list)


def parse(
    raw: bytes, *, max_attachment_bytes: int, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> Parsed:
    """Read one raw RFC 5322 message. Never raises.

    Reading a message takes several times its size in memory, so beyond `max_message_bytes`
    only its headers are read (the caller keeps the whole raw message all the same)."""
    problems: list[str] = []
    try:
        if len(raw) > max_message_bytes:
            problems.append(
                _("the message is %(size)s MB: only its headers were read")
                % {"size": _megabytes(len(raw))}
            )
            return _parse(_headers_only(bytes(raw)), max_attachment_bytes, problems)
        try:
            return _parse(raw, max_attachment_bytes, problems)
        except RecursionError:  # the email package's parser recurses once per nested part
            problems.append(_("the message nests its parts too deeply: only its headers were read"))
            return _parse(_headers_only(bytes(raw)), max_attachment_bytes, problems)
    except Exception as error:  # a message must never stop the reader; the raw bytes are kept
        problems.append(_("could not read this message: %(error)s") % {"error": _short(error)})
        return Parsed(problems=_unique(problems))


def _headers_only(raw: bytes) -> bytes:
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=-1)
    head = raw[:end] if 0 <= end < 1024 * 1024 else raw[: 1024 * 1024]
    # The body's MIME structure is gone, so its Content-Type would only produce defects.
    lines = re.split(rb"\r?\n(?![ \t])", head)
    kept = [
        line for line in lines if not re.match(rb"(?i)content-(?:type|transfer-encoding):", line)
    ]
    return b"\r\n".join(kept) + b"\r\n\r\n"


def _parse(raw: bytes, limit: int, problems: list[str]) -> Parsed:
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(type(raw).__name__)
    msg = email.message_from_bytes(bytes(raw))
    headers = _Headers(msg, problems)
    from_address, from_display, from_warnings = _sender(msg, headers)
    subject = headers.text("Subject")
    body = _Body(limit, problems)
    body.read(msg)
    auto_reason = auto_reply_reason(msg, subject, from_address)
    return Parsed(
        message_id=_first_id(headers.raw("Message-ID")),
        in_reply_to=_first_id(headers.raw("In-Reply-To")),
        references=_unique(_ids(" ".join(headers.raw_all("References")))),
        from_address=from_address,
        from_display=from_display,
        from_warnings=from_warnings,
        recipients=_unique(a for name in RECIPIENT_HEADERS for _n, a in headers.addresses(name)),
        subject=subject,
        date=_date(headers.raw("Date"), problems),
        text=body.text(),
        attachments=body.attachments,
        is_auto_reply=bool(auto_reason),
        auto_reply_reason=auto_reason,
        problems=_unique(problems + _defects(msg)),
    )


# --- text and charsets ----------------------------------------------------------------------------

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ks_c_5601-1987": "cp949",
}
# Codecs that are not a charset of text a person wrote, whatever a header claims.
_NOT_CHARSETS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"}
_GUESSES = ("utf-8", "gb18030", "big5hkscs")


def _codec(label: str | None) -> str | None:
    """A usable text codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = str(label).strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None, problems: list[str] | None = None) -> str:
    """Bytes in a declared (or missing, or wrong) charset as text; never raises."""
    codec = _codec(charset)
    if charset and codec is None and problems is not None and charset.lower() != "unknown-8bit":
        problems.append(
            _("unknown charset “%(charset)s”: the text was decoded as best effort")
            % {"charset": _short(charset, 40)}
        )
    for candidate in ((codec,) if codec else ()) + _GUESSES:
        try:
            return _clean(data.decode(candidate))
        except (UnicodeError, LookupError):
            continue
    if problems is not None:
        problems.append(
            _("some characters could not be decoded (charset “%(charset)s”) and show as �")
            % {"charset": _short(charset or "none", 40)}
        )
    return _clean(data.decode(codec or "cp1252", errors="replace"))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """No NULs or other control characters (PostgreSQL refuses NUL), no lone surrogates."""
    text = _CONTROL.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _short(value: object, length: int = 120) -> str:
    text = _clean(str(value))
    return text if len(text) <= length else text[: length - 1] + "…"


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


# --- headers --------------------------------------------------------------------------------------


def _raw_header(value: object) -> str:
    """A header value as text, RFC 2047 words still encoded. Raw 8-bit headers (which the
    email package hands back as a Header of unknown-8bit bytes) are decoded by guessing."""
    if isinstance(value, Header):
        parts = decode_header(value)
        return "".join(
            p if isinstance(p, str) else decode_bytes(p, None if c == "unknown-8bit" else c)
            for p, c in parts
        )
    return _unescape(str(value)) if value is not None else ""


def _unescape(text: str) -> str:
    """Undo the email package's surrogateescape of raw 8-bit bytes by decoding them properly."""
    try:
        text.encode("utf-8")
        return _clean(text)
    except UnicodeEncodeError:
        pass
    try:
        return decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    except UnicodeEncodeError:
        return _clean(text)


def decode_words(value: str, problems: list[str] | None = None) -> str:
    """RFC 2047 encoded words decoded in any charset, folding undone, whitespace collapsed."""
    try:
        chunks = decode_header(value)
    except Exception:  # malformed encoded words: keep them as they are
        chunks = [(value, None)]
    out: list[str] = []
    previous_encoded = None
    for chunk, charset in chunks:
        text = chunk if isinstance(chunk, str) else decode_bytes(chunk, charset, problems)
        encoded = charset is not None
        # decode_header drops the whitespace between an encoded word and plain text.
        if (
            out
            and previous_encoded != encoded
            and not (out[-1][-1:].isspace() or text[:1].isspace())
        ):
            out.append(" ")
        out.append(text)
        previous_encoded = encoded
    return re.sub(r"\s+", " ", "".join(out)).strip()


class _Headers:
    def __init__(self, msg: Message, problems: list[str]) -> None:
        self.msg, self.problems = msg, problems

    def raw_all(self, name: str) -> list[str]:
        try:
            values = self.msg.get_all(name) or []
        except Exception:
            return []
        # Cut absurd lengths: the address parser slows down badly on them, and no real header
        # (References of a long thread included) comes near.
        return [_raw_header(v)[:MAX_HEADER] for v in values]

    def raw(self, name: str) -> str:
        values = self.raw_all(name)
        return values[0] if values else ""

    def text(self, name: str) -> str:
        return decode_words(self.raw(name), self.problems)

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, address) pairs; display names decoded, unparseable entries dropped."""
        try:
            pairs = getaddresses(self.raw_all(name))
        except Exception:
            return []
        return [
            (decode_words(display, self.problems), address.strip().strip("<>"))
            for display, address in pairs
            if "@" in address
        ]


_ID = re.compile(r"<([^<>\s]+)>")


def _ids(value: str) -> list[str]:
    found = [f"<{m}>" for m in _ID.findall(value)]
    if not found and "@" in value:
        found = [f"<{w.strip('<>')}>" for w in value.split() if "@" in w]
    return found


def _first_id(value: str) -> str:
    ids = _ids(value)
    return ids[0] if ids else ""


def normalise_message_id(value: str) -> str:
    """ "<id@host>" for any spelling of one Message-ID (brackets, whitespace), "" for none."""
    return _first_id(value or "")


def _date(value: str, problems: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # "-0000": UTC, the sender's zone unknown (RFC 5322 3.3)
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except Exception:
        problems.append(
            _("the Date header could not be read: %(value)s") % {"value": _short(value)}
        )
        return None


# --- the sender, and reasons to doubt it -----------------------------------------------------------

_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _sender(msg: Message, headers: _Headers) -> tuple[str, str, list[str]]:
    """From's address and display name, with plain reasons to doubt them. Deciding what a doubt
    means (a wrong platform, a forged reply) is the matcher's business, not the parser's."""
    senders = headers.addresses("From")
    warnings: list[str] = []
    if not senders:
        warnings.append(_("the message has no readable From address"))
        return "", "", warnings
    display, address = senders[0]
    if len(senders) > 1:
        warnings.append(_("the From header names more than one sender"))
    shown = _ADDRESS_IN_NAME.search(display[:500])  # a search that is quadratic in its input
    if shown and shown.group(0).lower() != address.lower():
        warnings.append(
            _("the sender's name shows the address %(shown)s, but the mail came from %(address)s")
            % {"shown": shown.group(0), "address": address}
        )
    results = {
        k.lower(): v.lower() for k, v in _AUTH_RESULT.findall(headers.raw("Authentication-Results"))
    }
    failed = [f"{k}={v}" for k, v in results.items() if v in {"fail", "softfail", "permerror"}]
    if results.get("dmarc") == "fail" or (failed and results.get("dkim") != "pass"):
        warnings.append(
            _("the receiving mail server could not verify the sender (%(results)s)")
            % {"results": ", ".join(failed)}
        )
    return address, display, warnings


# --- auto-replies ---------------------------------------------------------------------------------

# Kept narrow on purpose: a platform's real answer taken for an out-of-office stops no clock.
_AUTO_SUBJECT = re.compile(
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|autoresponder|"
    r"away from (?:the |my )?office|abwesenheitsnotiz|réponse automatique|"
    r"自动回复|自動回覆|自動回复|自动答复|不在办公室|不在辦公室",
    re.IGNORECASE,
)
_DAEMONS = re.compile(r"^(?:mailer-daemon|postmaster|noreply-dmarc)@", re.IGNORECASE)


def auto_reply_reason(msg: Message, subject: str, from_address: str = "") -> str:
    """Why this message is an automatic one (RFC 3834 headers, vendor headers, bounces, an
    out-of-office subject), or "" for a message a person (or a platform's agent) wrote."""
    try:
        submitted = _raw_header(msg.get("Auto-Submitted", "")).strip().lower()
        precedence = _raw_header(msg.get("Precedence", "")).strip().lower()
        vendor = [n for n in ("X-Autoreply", "X-Autorespond", "X-Autoresponder") if n in msg]
        report = msg.get_content_type() == "multipart/report"
    except Exception:
        submitted = precedence = ""
        vendor, report = [], False
    if submitted and not submitted.startswith("no"):
        return _("Auto-Submitted: %(value)s") % {"value": _short(submitted, 40)}
    if vendor:
        return _("%(header)s header") % {"header": vendor[0]}
    if precedence in {"auto_reply", "bulk", "junk"}:
        return _("Precedence: %(value)s") % {"value": precedence}
    if report or _DAEMONS.match(from_address):
        return _("a delivery status report")
    if _AUTO_SUBJECT.search(subject):
        return _("an out-of-office subject")
    return ""


# --- bodies and attachments -----------------------------------------------------------------------


class _HTMLText(HTMLParser):
    """Visible text of an HTML part: scripts, styles and the head dropped, blocks on new lines."""

    SKIP = {"script", "style", "head", "title", "template", "noscript"}
    BLOCKS = {
        "p", "div", "br", "tr", "li", "ul", "ol", "table", "blockquote", "section", "article",
        "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and tag != "li":  # list items stay on consecutive lines
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; keep what it read before giving up
        pass
    lines = (
        re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip()
        for line in "".join(parser.parts).split("\n")
    )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class _Body:
    """Walks the MIME tree once: text/plain and text/html parts a person reads, and the rest as
    attachments (a forwarded message/rfc822 is one attachment, not more body text)."""

    def __init__(self, limit: int, problems: list[str]) -> None:
        self.limit, self.problems = limit, problems
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []

    def read(self, msg: Message) -> None:
        try:
            for part in self._leaves(msg, 0):
                try:
                    self._take(part)
                except Exception as error:
                    self._unreadable(error)
        except Exception as error:  # the structure itself: keep the parts read so far
            self._unreadable(error)

    def _unreadable(self, error: Exception) -> None:
        self.problems.append(_("a part could not be read: %(error)s") % {"error": _short(error)})

    def text(self) -> str:
        plain = "\n\n".join(t for t in self.plain if t.strip())
        text = plain if plain.strip() else "\n\n".join(html_to_text(h) for h in self.html)
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()

    def _leaves(self, part: Message, depth: int) -> Iterator[Message]:
        if depth > MAX_DEPTH:
            self.problems.append(_("the message nests its parts too deeply; the rest was not read"))
            return
        if part.is_multipart() and part.get_content_maintype() != "message":
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    yield from self._leaves(sub, depth + 1)
        else:
            yield part

    def _take(self, part: Message) -> None:
        content_type = part.get_content_type()
        if part.get_content_maintype() == "multipart":  # no boundary found: its body is text
            content_type = "text/plain"
        disposition = (part.get_content_disposition() or "").lower()
        filename = self._filename(part)
        if (
            not filename
            and disposition != "attachment"
            and content_type in ("text/plain", "text/html")
        ):
            data = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if content_type == "text/html" and not charset:
                found = _META_CHARSET.search(data[:4096])
                charset = found.group(1).decode("ascii") if found else None
            text = decode_bytes(data, charset, self.problems)
            (self.plain if content_type == "text/plain" else self.html).append(text)
            return
        self._attach(part, content_type, filename)

    def _attach(self, part: Message, content_type: str, filename: str) -> None:
        if part.is_multipart():  # message/rfc822: the forwarded message, whole
            payload = part.get_payload()
            data = payload[0].as_bytes() if payload and isinstance(payload[0], Message) else b""
        else:
            data = part.get_payload(decode=True) or b""
        number = len(self.attachments) + 1
        name = safe_filename(filename, fallback=f"attachment-{number}{_extension(content_type)}")
        if len(data) > self.limit:
            note = _(
                "“%(name)s” (%(size)s MB) is over the %(limit)s MB limit for evidence: it is kept "
                "only inside the original message"
            ) % {"name": name, "size": _megabytes(len(data)), "limit": _megabytes(self.limit)}
            self.problems.append(note)
            self.attachments.append(Attachment(name, content_type, len(data), None, note))
        else:
            self.attachments.append(Attachment(name, content_type, len(data), data))

    def _filename(self, part: Message) -> str:
        try:
            name = part.get_filename() or ""
            if "\ufffd" in name:
                # A raw 8-bit name, which the email package turns into "�"s: read the
                # parameters again from the headers decoded here.
                decoded = Message()
                for header in ("Content-Disposition", "Content-Type"):
                    if header in part:
                        decoded[header] = _raw_header(part.get(header))
                name = decoded.get_filename() or name
        except Exception:
            return ""
        return decode_words(_raw_header(name)) if name else ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _extension(content_type: str) -> str:
    if content_type == "message/rfc822":
        return ".eml"
    return mimetypes.guess_extension(content_type) or ".bin"


_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*]')


def safe_filename(name: str, *, fallback: str = "attachment") -> str:
    """A file name that cannot climb folders, hide its extension or carry control characters."""
    name = unicodedata.normalize("NFC", _clean(str(name or "")))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf/Cs: controls, invisible format characters (a right-to-left override hides ".exe").
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 16 else ""
        name = (stem if ext else name)[: MAX_FILENAME - len(ext) - 1].rstrip() + (
            f".{ext}" if ext else ""
        )
    return name


def _defects(msg: Message) -> list[str]:
    """The email package's notes on broken structure, e.g. "malformed MIME: start boundary not
    found"."""
    found: list[str] = []
    try:
        for part in msg.walk():
            found.extend(type(d).__name__ for d in getattr(part, "defects", []))
    except Exception:
        found.append("UnreadableStructureDefect")
    return [
        _("malformed MIME: %(defect)s")
        % {"defect": re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Defect")).lower()}
        for name in _unique(found)
    ]
