"""A real SMTP server on loopback (aiosmtpd) that records what it accepts, thread-safely.

Used by the integration tests (the Celery worker sends to it) and by the outbox unit tests (the
test process sends to it). It can be stopped and started again on the same port (an outage), made
to answer with an error, or made to hold messages it has taken before answering (the window in
which a sender cannot know whether its message arrived).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a test needs none of it (and a fan-out slows down).
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps every accepted message, optionally refuses or holds some."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user", "450 4.2.1 busy"
        self.refuse: set[str] = set()  # addresses answered "550 5.1.1 no such user"
        self.data_reply: str | None = None
        self.drop_after_data = False  # take the message, then hang up without answering
        self.drop_after: set[int] = set()  # …only for these messages (1 = the first taken)
        self.hold_after = None  # hold (after taking it) every message beyond this count…
        self.release = threading.Event()  # …until this is set
        self.held = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
            number = len(self.messages)
            hold = self.hold_after is not None and len(self.messages) > self.hold_after
            if hold:
                self.held += 1
        if hold:
            # Taken but not yet answered: the sender is waiting for "250".
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        if self.drop_after_data or number in self.drop_after:
            server.transport.close()
        return "250 Message accepted for delivery"

    # --- reading, from the test thread ---------------------------------------------------------

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def snapshot(self) -> list[tuple[list[str], EmailMessage]]:
        with self._lock:
            return list(self.messages)

    def per_recipient(self) -> Counter:
        with self._lock:
            return Counter(r for rcpts, _m in self.messages for r in rcpts)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.05)
        return self.count() >= count

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.rcpt_reply = self.data_reply = None
            self.refuse = set()
            self.drop_after_data = False
            self.drop_after = set()
            self.hold_after = None
            self.held = 0
            self.release.clear()


class SMTPServer:
    """A Controller that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None
