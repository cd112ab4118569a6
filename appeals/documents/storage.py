"""Round packets kept in private storage under their fingerprint (content-addressed).

A round that goes to the platform by email has its packet built once, at submission
(appeals.actions.packets.record_packet_hash): its SHA-256 is recorded on the round and, when it is
small enough to attach, its bytes are kept here as `packets/<sha256>.zip` in the default storage
the evidence uses. The email names the fingerprint in its X-Coalition-Packet-SHA256 header, and the
outbox attaches the kept bytes at send time — only while they are still there, no larger than
settings.PACKET_EMAIL_MAX_BYTES and still hash to that fingerprint; otherwise the body's signed
link answers for the packet. Same bytes, same name: keeping a packet twice stores it once, and a
packet kept by a submission that then rolled back is simply unused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from appeals.models import Appeal

# The email header naming the packet an email carries (see the module docstring).
PACKET_HEADER = "X-Coalition-Packet-SHA256"
PACKET_DIR = "packets"
DEFAULT_EMAIL_MAX_BYTES = 10 * 1024 * 1024


def packet_filename(appeal: Appeal) -> str:
    return f"coalition-grievance-{appeal.grievance_id}-round-{appeal.number}-packet.zip"


def email_limit() -> int:
    """The largest packet an email carries attached (settings.PACKET_EMAIL_MAX_BYTES, 10 MB)."""
    return int(getattr(settings, "PACKET_EMAIL_MAX_BYTES", DEFAULT_EMAIL_MAX_BYTES))


def stored_name(sha256: str) -> str:
    return f"{PACKET_DIR}/{sha256}.zip"


def keep(path: Path, sha256: str) -> str:
    """Keep the finished packet at `path` (whose SHA-256 is `sha256`); returns its storage name."""
    name = stored_name(sha256)
    if not default_storage.exists(name):  # content-addressed: the same bytes are there already
        with path.open("rb") as handle:
            name = default_storage.save(name, File(handle))
    return name


def stored_size(sha256: str) -> int | None:
    """The size of the kept packet `sha256`, or None when none is kept."""
    name = stored_name(sha256)
    if not sha256 or not default_storage.exists(name):
        return None
    return default_storage.size(name)


def stored_packet(sha256: str, *, limit: int) -> bytes | None:
    """The kept bytes of packet `sha256` if they are there, at most `limit` bytes long and still
    hash to `sha256`; else None."""
    size = stored_size(sha256)
    if size is None or size > limit:
        return None
    try:
        with default_storage.open(stored_name(sha256), "rb") as handle:
            content = handle.read()
    except OSError:
        return None  # removed since we looked
    return content if hashlib.sha256(content).hexdigest() == sha256 else None
