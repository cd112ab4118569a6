"""The management commands run what the beat tasks run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from appeals.models import Appeal, FollowUp, Notification
from tests.factories import (
    AppealFactory,
    FollowUpFactory,
)

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@time_machine.travel(NOON, tick=False)
def test_the_management_commands_run_the_same_functions(grievance, organiser, capsys):
    appeal = AppealFactory(grievance=grievance, state="responded", outcome="rejected")
    FollowUpFactory(kind="next_round", key=f"next_round:{appeal.pk}", appeal=appeal)
    call_command("dispatch_follow_ups")
    assert "1 follow-up(s) run" in capsys.readouterr().out
    assert Notification.objects.filter(kind="next_round").count() == 1
    assert FollowUp.objects.get().state == "done"
    call_command("sweep_outbox", "--send")
    out = capsys.readouterr().out
    assert "released: 0" in out and "sent: 1" in out
    assert len(mail.outbox) == 1 and Appeal.objects.get().number == appeal.number
