"""The IMAP source against a real Dovecot on loopback: real APPENDed messages (a 40 MB one among
them) are listed whole and unread, moved out only when done, and never lost by a crash."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError

from appeals.inbound.parsing import parse, token_from_addresses
from appeals.inbound.sources import ImapSource, StaleUid
from tests.appeals.inbound import samples
from tests.integration.inbound.dovecot import Account

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PROCESSED = "Coalition.Processed"  # "Coalition/Processed" in Dovecot's maildir separator


def mailbox(account: Account) -> MailBoxUnencrypted:
    box = MailBoxUnencrypted(account.host, account.port, timeout=60)
    return box.login(account.user, account.password, initial_folder=None)


def append(account: Account, *messages: bytes) -> None:
    with mailbox(account) as box:
        for raw in messages:
            box.append(raw, "INBOX")


def contents(account: Account, folder: str) -> list[bytes]:
    """The raw messages in a folder, read without marking them seen."""
    with mailbox(account) as box:
        if not box.folder.exists(folder):
            return []
        box.folder.set(folder)
        found = []
        for uid in box.uids("ALL"):
            _typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
            found.extend(bytes(item[1]) for item in data if isinstance(item, tuple))
        return found


def seen_flags(account: Account) -> list[bool]:
    with mailbox(account) as box:
        box.folder.set("INBOX")
        return [
            "\\Seen" in m.flags for m in box.fetch(mark_seen=False, headers_only=True, bulk=True)
        ]


def listed(account: Account, limit: int = 20) -> list:
    with ImapSource(account.url) as source:
        return list(source.messages(limit=limit))


def test_replies_of_every_kind_are_listed_whole_and_each_taken_once(imap_account):
    sent = [
        samples.reply_with_token("k3x9q2"),
        samples.reply_in_thread("<round-1.abc@coalition.example>"),
        samples.auto_reply("auto-submitted"),
        samples.malformed(),
        samples.unmatched(),
        samples.with_attachment(40 * samples.MB),
    ]
    append(imap_account, *sent)

    with ImapSource(imap_account.url) as source:
        messages = list(source.messages(limit=10))
        assert [m.raw for m in messages] == sent  # byte for byte, in the order they arrived
        assert [m.uid for m in messages] == [f"{source.uidvalidity}:{n}" for n in range(1, 7)]
        assert all(
            m.source == f"imap://{imap_account.user}@127.0.0.1:{imap_account.port}/INBOX"
            for m in messages
        )
        read = [parse(m.raw, max_attachment_bytes=20 * samples.MB) for m in messages]
        for message in messages:
            source.done(message.uid)

    token, thread, auto, broken, unmatched, big = read
    assert token_from_addresses(token.recipients, samples.INBOUND) == "k3x9q2"
    assert thread.in_reply_to == "<round-1.abc@coalition.example>"
    assert auto.is_auto_reply and not token.is_auto_reply
    assert any(p.startswith("malformed MIME") for p in broken.problems)
    assert token_from_addresses(unmatched.recipients, samples.INBOUND) is None
    [attachment] = big.attachments
    assert attachment.content is None and attachment.size == 40 * samples.MB and attachment.note

    assert listed(imap_account) == []  # a second run takes nothing twice
    assert contents(imap_account, "INBOX") == []
    assert sorted(
        hashlib.sha256(r).hexdigest() for r in contents(imap_account, PROCESSED)
    ) == sorted(hashlib.sha256(r).hexdigest() for r in sent)


def test_listing_leaves_messages_unread_and_in_place(imap_account):
    append(imap_account, samples.reply_with_token(), samples.unmatched())
    assert len(listed(imap_account)) == 2
    assert seen_flags(imap_account) == [False, False]
    assert len(contents(imap_account, "INBOX")) == 2


CRASHING_READER = """
import os, sys, time
sys.path.insert(0, os.getcwd())
from appeals.inbound.sources import ImapSource
source = ImapSource(sys.argv[1])
source.open()
for message in source.messages():
    print(message.uid, flush=True)
time.sleep(600)  # killed here: listed, never done
"""


def test_a_reader_killed_between_listing_and_done_loses_nothing(imap_account):
    append(imap_account, samples.reply_with_token())
    reader = subprocess.Popen(
        [sys.executable, "-c", CRASHING_READER, imap_account.url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    try:
        uid = reader.stdout.readline().decode().strip()
    finally:
        os.killpg(reader.pid, signal.SIGKILL)
        reader.wait(timeout=10)
    assert uid

    [again] = listed(imap_account)
    assert again.uid == uid and again.raw == samples.reply_with_token()
    with ImapSource(imap_account.url) as source:
        source.done(again.uid)
    assert listed(imap_account) == []


def test_a_batch_at_a_time_oldest_first(imap_account):
    append(imap_account, *(samples.built(Subject=f"n{n}") for n in range(5)))
    with ImapSource(imap_account.url) as source:
        batch = list(source.messages(limit=2))
        for message in batch:
            source.done(message.uid)
    assert [parse(m.raw, max_attachment_bytes=1).subject for m in batch] == ["n0", "n1"]
    rest = listed(imap_account, limit=10)
    assert [parse(m.raw, max_attachment_bytes=1).subject for m in rest] == ["n2", "n3", "n4"]


def test_done_twice_changes_nothing(imap_account):
    append(imap_account, samples.reply_with_token())
    with ImapSource(imap_account.url) as source:
        [message] = source.messages()
        source.done(message.uid)
        source.done(message.uid)
    assert contents(imap_account, PROCESSED) == [samples.reply_with_token()]


def test_done_refuses_a_uid_from_another_uidvalidity(imap_account):
    """A UID read before the mailbox was rebuilt may name another message now."""
    append(imap_account, samples.reply_with_token())
    with ImapSource(imap_account.url) as source:
        [message] = source.messages()
        number = message.uid.split(":")[1]
        with pytest.raises(StaleUid):
            source.done(f"{int(source.uidvalidity) + 1}:{number}")
    assert contents(imap_account, "INBOX") == [samples.reply_with_token()]


def test_the_processed_folder_is_created_in_the_servers_own_terms(imap_account):
    with ImapSource(imap_account.url + "?processed=Coalition/Inbound/Done") as source:
        assert source.processed_folder == "Coalition.Inbound.Done"
    with mailbox(imap_account) as box:
        assert box.folder.exists("Coalition.Inbound.Done")
        assert "Coalition.Inbound.Done" in [f.name for f in box.folder.list(subscribed_only=True)]


def test_a_wrong_password_is_a_clear_error(imap_account):
    wrong = Account(imap_account.user, "not-the-password", imap_account.port)
    with pytest.raises(MailboxLoginError):
        ImapSource(wrong.url).open()
