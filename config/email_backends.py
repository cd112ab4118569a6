"""Embedded default email: every message is written to var/mail/ and echoed on the console."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FileAndConsoleBackend(FileBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        ConsoleBackend(fail_silently=True).send_messages(email_messages)
        return sent
