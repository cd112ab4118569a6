"""Message sources: the local folder of `make run`, the choice of source, and IMAP URLs.
(The IMAP source itself runs against a real Dovecot in tests/integration/inbound/.)"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from appeals.inbound.sources import (
    FolderSource,
    ImapSource,
    Incoming,
    parse_imap_url,
    source_from_settings,
)
from tests.appeals.inbound import samples


def drop(folder: Path, name: str, raw: bytes, *, age: float = 60) -> Path:
    """A file as if it had been dropped `age` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(raw)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def listed(source: FolderSource, limit: int = 20) -> list[Incoming]:
    with source:
        return list(source.messages(limit=limit))


def test_eml_files_are_listed_oldest_first_with_their_exact_bytes(tmp_path):
    drop(tmp_path, "b.eml", samples.reply_in_thread(), age=10)
    drop(tmp_path, "a.eml", samples.reply_with_token(), age=20)
    messages = listed(FolderSource(tmp_path))
    assert [m.uid for m in messages] == ["a.eml", "b.eml"]
    assert messages[0].raw == samples.reply_with_token()
    assert messages[0].source == f"folder:{tmp_path}"
    assert messages[0].sha256 == hashlib.sha256(samples.reply_with_token()).hexdigest()


def test_files_still_being_written_or_not_mail_are_skipped(tmp_path):
    drop(tmp_path, "ready.eml", samples.unmatched())
    drop(tmp_path, "copying.eml.tmp", samples.unmatched())
    drop(tmp_path, "empty.eml", b"")
    drop(tmp_path, ".hidden.eml", samples.unmatched())
    drop(tmp_path, "notes.txt", b"not mail")
    drop(tmp_path, "just-now.eml", samples.unmatched(), age=0)
    (tmp_path / "folder.eml").mkdir()
    assert [m.uid for m in listed(FolderSource(tmp_path))] == ["ready.eml"]


def test_a_file_is_listed_once_it_has_settled(tmp_path):
    path = drop(tmp_path, "late.eml", samples.unmatched(), age=0)
    source = FolderSource(tmp_path, settle_seconds=5)
    assert listed(source) == []
    os.utime(path, (time.time() - 6, time.time() - 6))
    assert [m.uid for m in listed(source)] == ["late.eml"]


def test_done_moves_the_file_to_processed_and_it_is_not_listed_again(tmp_path):
    drop(tmp_path, "a.eml", samples.reply_with_token())
    source = FolderSource(tmp_path)
    with source:
        [message] = source.messages()
        source.done(message.uid)
    assert (tmp_path / "processed" / "a.eml").read_bytes() == samples.reply_with_token()
    assert not (tmp_path / "a.eml").exists()
    assert listed(source) == []


def test_a_message_never_marked_done_is_listed_again(tmp_path):
    """A crash between listing and the caller's commit loses nothing."""
    drop(tmp_path, "a.eml", samples.reply_with_token())
    source = FolderSource(tmp_path)
    first = listed(source)
    assert [m.uid for m in listed(source)] == [m.uid for m in first] == ["a.eml"]


def test_done_twice_changes_nothing(tmp_path):
    drop(tmp_path, "a.eml", samples.reply_with_token())
    source = FolderSource(tmp_path)
    with source:
        source.done("a.eml")
        source.done("a.eml")
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["a.eml"]


def test_a_second_file_of_the_same_name_is_kept_beside_the_first(tmp_path):
    source = FolderSource(tmp_path)
    for raw in (samples.reply_with_token(), samples.reply_in_thread()):
        drop(tmp_path, "reply.eml", raw)
        with source:
            source.done("reply.eml")
    processed = tmp_path / "processed"
    assert (processed / "reply.eml").read_bytes() == samples.reply_with_token()
    assert (processed / "reply-1.eml").read_bytes() == samples.reply_in_thread()


@pytest.mark.parametrize("uid", ["../a.eml", "processed/a.eml", "", ".hidden.eml"])
def test_done_refuses_a_name_that_is_not_a_message_of_the_folder(tmp_path, uid):
    with FolderSource(tmp_path) as source, pytest.raises(ValueError):
        source.done(uid)


def test_a_batch_at_a_time(tmp_path):
    for n in range(5):
        drop(tmp_path, f"{n}.eml", samples.unmatched(), age=100 - n)
    source = FolderSource(tmp_path)
    with source:
        batch = [m.uid for m in source.messages(limit=2)]
        for uid in batch:
            source.done(uid)
    assert batch == ["0.eml", "1.eml"]
    assert [m.uid for m in listed(source, limit=10)] == ["2.eml", "3.eml", "4.eml"]


def test_a_missing_folder_is_created_and_lists_nothing(tmp_path):
    folder = tmp_path / "var" / "inbox"
    assert listed(FolderSource(folder)) == []
    assert (folder / "processed").is_dir()


# --- choosing a source ----------------------------------------------------------------------------


def test_without_an_imap_url_the_local_inbox_folder_is_read(settings, tmp_path):
    settings.INBOUND_IMAP_URL = ""
    settings.VAR_DIR = tmp_path
    source = source_from_settings()
    assert isinstance(source, FolderSource) and source.path == tmp_path / "inbox"


def test_with_an_imap_url_the_mailbox_is_read(settings):
    settings.INBOUND_IMAP_URL = "imaps://appeals%40example.org:s3cret@imap.example.org/INBOX"
    source = source_from_settings()
    assert isinstance(source, ImapSource)
    assert source.name == "imaps://appeals%40example.org@imap.example.org:993/INBOX"
    assert "s3cret" not in source.name


def test_imap_urls_are_read_with_their_defaults():
    plain = parse_imap_url("imap://me:p%2Fw@127.0.0.1:1143/Replies?processed=Coalition/Done")
    assert (plain.scheme, plain.host, plain.port, plain.user, plain.password) == (
        "imap",
        "127.0.0.1",
        1143,
        "me",
        "p/w",
    )
    assert (plain.folder, plain.processed) == ("Replies", "Coalition/Done")
    tls = parse_imap_url("imaps://me:pw@imap.example.org")
    assert (tls.port, tls.folder, tls.processed) == (993, "INBOX", "Coalition/Processed")


@pytest.mark.parametrize("url", ["pop3://me:pw@mail.example.org/", "imaps:///INBOX", "not a url"])
def test_an_imap_url_that_is_not_one_is_refused(url):
    with pytest.raises(ValueError):
        parse_imap_url(url)
