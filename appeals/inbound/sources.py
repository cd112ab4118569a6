"""Where inbound mail comes from: an IMAP mailbox, or a local folder for the embedded default.

Both sources have one small interface, made for "each message exactly once":

    with source_from_settings() as source:
        for message in source.messages(limit=20):
            ...keep, match and commit it...
            source.done(message.uid)

A message leaves its source (moved to a processed folder) only when the caller says `done`, after
its own commit. A crash before that leaves it where it was and the next run lists it again; a crash
after the commit but before `done` lists it again too, so the caller also dedupes on
(`source`, `uid`) and on the Message-ID and SHA-256 of the raw bytes — and then just calls `done`.
Neither source marks, changes or answers a message: listing is read-only (IMAP `BODY.PEEK`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.conf import settings
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxFolderCreateError

logger = logging.getLogger(__name__)

DEFAULT_PROCESSED_FOLDER = "Coalition/Processed"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Incoming:
    uid: str  # what done() takes; IMAP: "<uidvalidity>:<uid>", folder: the file name
    raw: bytes
    source: str  # which mailbox, without its password: "imap://user@host:993/INBOX", "folder:/…"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


class Source(Protocol):
    name: str

    def __enter__(self) -> Source: ...
    def __exit__(self, *exc: object) -> None: ...
    def messages(self, limit: int = 20) -> Iterator[Incoming]: ...
    def done(self, uid: str) -> None: ...


class StaleUid(Exception):
    """The mailbox was rebuilt since the UID was read (its UIDVALIDITY changed), so the UID may
    now name another message: it is not moved. The caller's Message-ID/SHA-256 dedupe catches the
    message when it is listed again under its new UID."""


def source_from_settings() -> Source:
    url = getattr(settings, "INBOUND_IMAP_URL", "")
    if url:
        return ImapSource(url)
    return FolderSource(Path(settings.VAR_DIR) / "inbox")


# --- IMAP -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapSettings:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str
    processed: str

    @property
    def name(self) -> str:
        return f"{self.scheme}://{quote(self.user, safe='')}@{self.host}:{self.port}/{self.folder}"


def parse_imap_url(url: str) -> ImapSettings:
    """imaps://user:pass@host[:993]/INBOX (TLS) or imap://user:pass@host[:143]/INBOX (STARTTLS,
    or plain only on loopback). User and password are percent-encoded ("%40" for "@"). The folder
    is the server's own name for it; `?processed=Coalition/Processed` names the folder messages
    move to when done, with "/" between levels whatever the server's separator."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
        raise ValueError("an inbound IMAP URL looks like imaps://user:password@host/INBOX")
    query = parse_qs(parts.query)
    return ImapSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=parts.port or (993 if parts.scheme == "imaps" else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        processed=(query.get("processed") or [DEFAULT_PROCESSED_FOLDER])[0].strip("/"),
    )


_NAMESPACE = re.compile(rb'^\(\("((?:[^"\\]|\\.)*)" (?:"((?:[^"\\]|\\.)*)"|NIL)\)')


class ImapSource:
    """The messages in one IMAP folder, oldest UID first, a batch at a time."""

    def __init__(self, url: str, *, timeout: float = 60) -> None:
        self.config = parse_imap_url(url)
        self.name = self.config.name
        self.timeout = timeout
        self._box = None
        self.uidvalidity = ""
        self.processed_folder = ""

    def __enter__(self) -> ImapSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        c = self.config
        if c.scheme == "imaps":
            box = MailBox(c.host, c.port, timeout=self.timeout)
        elif c.host in LOOPBACK:
            box = MailBoxUnencrypted(c.host, c.port, timeout=self.timeout)
        else:  # never a password in clear over a network
            box = MailBoxStartTls(c.host, c.port, timeout=self.timeout)
        box.login(c.user, c.password, initial_folder=None)
        self._box = box
        # imaplib keeps the capabilities it saw before login; MOVE and NAMESPACE come after it.
        typ, data = box.client.capability()
        if typ == "OK" and data and data[-1]:
            box.client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
        self.processed_folder = self._server_name(c.processed)
        self._ensure_folder(self.processed_folder)
        box.folder.set(c.folder)
        # UIDs are only meaningful with the UIDVALIDITY of this selection (RFC 3501 2.3.1.1).
        self.uidvalidity = box.client.untagged_responses.get("UIDVALIDITY", [b""])[-1].decode()

    def close(self) -> None:
        if self._box is None:
            return
        try:
            self._box.logout()
        except Exception:  # a connection that is already gone has nothing left to close
            logger.debug("IMAP logout failed", exc_info=True)
        self._box = None

    def messages(self, limit: int = 20) -> Iterator[Incoming]:
        """Up to `limit` messages still in the folder, fetched one at a time (one can be tens of
        megabytes). Messages flagged deleted (a client-side move half done) are left alone."""
        box = self._require()
        uids = sorted(int(u) for u in box.uids("UNDELETED", charset=None))[:limit]
        for uid in uids:
            raw = self._fetch(str(uid))
            if raw is not None:  # gone meanwhile: another reader took it
                yield Incoming(uid=f"{self.uidvalidity}:{uid}", raw=raw, source=self.name)

    def done(self, uid: str) -> None:
        """Move the message out of the folder, to the processed folder. Moving one that is
        already gone changes nothing."""
        validity, _colon, number = uid.partition(":")
        if validity != self.uidvalidity or not number.isdigit():
            raise StaleUid(f"{uid} is not a UID of {self.name} (UIDVALIDITY {self.uidvalidity})")
        self._require().move([number], self.processed_folder)

    # --- helpers ------------------------------------------------------------------------------

    def _require(self):
        if self._box is None:
            raise RuntimeError("open the source first (use it in a `with` block)")
        return self._box

    def _fetch(self, uid: str) -> bytes | None:
        typ, data = self._require().client.uid("FETCH", uid, "(UID BODY.PEEK[])")
        if typ != "OK":
            raise OSError(f"IMAP FETCH {uid} failed: {data!r}")
        for item in data or []:
            if isinstance(item, tuple) and b"BODY[]" in item[0]:
                return bytes(item[1])
        return None

    def _server_name(self, name: str) -> str:
        """ "Coalition/Processed" in the server's terms: its hierarchy separator, and its personal
        namespace prefix ("INBOX." on Courier and Cyrus, nothing on Dovecot or Gmail)."""
        box = self._require()
        folders = box.folder.list("", "INBOX")
        delimiter = (folders[0].delim if folders else "") or "/"
        prefix = ""
        if "NAMESPACE" in box.client.capabilities:
            typ, data = box.client.namespace()
            found = _NAMESPACE.match(data[0] or b"") if typ == "OK" and data else None
            if found:
                prefix = found.group(1).decode("utf-8", "replace")
                delimiter = (found.group(2) or b"").decode() or delimiter
        server_name = delimiter.join(part for part in name.split("/") if part)
        if prefix and not server_name.startswith(prefix) and server_name.upper() != "INBOX":
            server_name = prefix + server_name
        return server_name

    def _ensure_folder(self, name: str) -> None:
        box = self._require()
        if box.folder.exists(name):
            return
        try:
            box.folder.create(name)
        except MailboxFolderCreateError:
            if not box.folder.exists(name):  # not a concurrent reader creating it first
                raise
        box.folder.subscribe(name, True)


# --- a local folder (`make run`) --------------------------------------------------------------------


class FolderSource:
    """*.eml files dropped into a folder (var/inbox/), oldest first; done moves a file into
    `processed/` beside them. A file still being written is skipped: hidden or temporary names,
    empty files, and files changed in the last `settle_seconds`."""

    def __init__(self, path: Path | str, *, settle_seconds: float = 2.0) -> None:
        self.path = Path(path)
        self.processed = self.path / "processed"
        self.settle_seconds = settle_seconds
        self.name = f"folder:{self.path}"

    def __enter__(self) -> FolderSource:
        self.processed.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def messages(self, limit: int = 20) -> Iterator[Incoming]:
        for path in self._ready()[:limit]:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # taken meanwhile
                continue
            yield Incoming(uid=path.name, raw=raw, source=self.name)

    def done(self, uid: str) -> None:
        source = self._own(uid)
        if not source.exists():
            return
        self.processed.mkdir(parents=True, exist_ok=True)
        target = self.processed / uid
        number = 1
        while target.exists():  # a second file of the same name: keep both
            target = self.processed / f"{source.stem}-{number}{source.suffix}"
            number += 1
        source.rename(target)

    def _ready(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        now = time.time()
        found = []
        for path in self.path.iterdir():
            if path.name.startswith(".") or path.suffix.lower() != ".eml" or not path.is_file():
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            if stat.st_size > 0 and now - stat.st_mtime >= self.settle_seconds:
                found.append((stat.st_mtime, path.name, path))
        return [path for _m, _n, path in sorted(found)]

    def _own(self, uid: str) -> Path:
        if not uid or "/" in uid or "\\" in uid or uid.startswith("."):
            raise ValueError(f"{uid!r} is not a message of {self.name}")
        return self.path / uid
