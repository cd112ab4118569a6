"""Closing a round and signing it at the same moment, on PostgreSQL, where signing is one
statement: a signature is either in before the close (and counted by it) or refused.

Real threads, each with its own connection (the `postgres` fixture skips locally without
PostgreSQL and fails in CI)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from appeals.actions.signing import close_signing, sign
from appeals.models import Appeal, Signature
from coalition.errors import ActionRefused
from coalition.models import AuditEvent
from tests.appeals.builders import add_members, make_round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(work) -> tuple[threading.Thread, list]:
    out: list = []

    def run():
        try:
            out.append(work())
        except Exception as exc:
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_signature_sent_while_the_close_is_committing_is_refused(postgres, grievance, organiser):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    (member,) = add_members(grievance, 1)
    closing, release = threading.Event(), threading.Event()

    def close_slowly():
        with transaction.atomic():
            close_signing(appeal, actor=organiser.user)  # holds the round's FOR UPDATE lock
            closing.set()
            release.wait(10)
        return "closed"

    closer, closed = in_thread(close_slowly)
    assert closing.wait(10)
    signer, signed = in_thread(lambda: sign(appeal, actor=member.seller.user))
    time.sleep(0.5)
    assert signer.is_alive()  # waiting on the close's lock, not deciding on a stale state
    release.set()
    closer.join(10)
    signer.join(10)
    assert closed == ["closed"]
    assert isinstance(signed[0], ActionRefused) and signed[0].code == "wrong_state"
    assert not Signature.objects.filter(appeal=appeal).exists()
    assert not AuditEvent.objects.filter(verb="round.signed").exists()


def test_a_signature_in_before_the_close_is_counted_by_it(postgres, grievance, organiser):
    appeal = make_round(grievance, Appeal.State.SIGNING)
    (member,) = add_members(grievance, 1)
    signing, release = threading.Event(), threading.Event()

    def sign_slowly():
        with transaction.atomic():
            sign(appeal, actor=member.seller.user)
            signing.set()
            release.wait(10)
        return "signed"

    signer, signed = in_thread(sign_slowly)
    assert signing.wait(10)
    closer, closed = in_thread(lambda: close_signing(appeal, actor=organiser.user))
    time.sleep(0.5)
    assert closer.is_alive()  # the close waits for the signature to commit
    release.set()
    signer.join(10)
    closer.join(10)
    assert signed == ["signed"] and isinstance(closed[0], Appeal)
    assert AuditEvent.objects.get(verb="round.signing_closed").data["signatures"] == 1
