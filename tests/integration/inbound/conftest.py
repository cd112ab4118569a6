"""A real Dovecot IMAP server on loopback for the inbound-mail tests (tests/integration/inbound/
dovecot.py), started once per session; each test takes an account of its own, so an empty mailbox.

Without Dovecot (`apt-get install dovecot-imapd`; .ci/run installs it) these tests skip locally and
fail in CI (tests.conftest.require_service).
"""

from __future__ import annotations

import pytest

from tests.conftest import require_service
from tests.integration.inbound import dovecot as dovecot_server


@pytest.fixture(scope="session")
def dovecot():
    """The running server: host, port, user, password, url (of its main account), new_account()."""
    require_service("Dovecot", dovecot_server.installed(), "apt-get install dovecot-imapd")
    server = dovecot_server.start()
    yield server
    dovecot_server.stop(server)


@pytest.fixture
def imap_account(dovecot) -> dovecot_server.Account:
    """An account with an empty mailbox, this test's alone."""
    return dovecot.new_account()
