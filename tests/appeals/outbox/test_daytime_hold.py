"""Emails to sellers that fall due at night wait for 09:00 in the recipient's time zone; the
embedded `make run` demo turns the hold off so its emails land in var/mail/ at once."""

from __future__ import annotations

from datetime import UTC, datetime

from appeals.outbox.service import daytime_send_after

NIGHT_IN_SHANGHAI = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Asia/Shanghai


def test_a_night_email_waits_for_nine_in_the_morning_of_the_recipient(settings):
    settings.OUTBOX_DAYTIME_HOLD = True
    assert daytime_send_after(NIGHT_IN_SHANGHAI, "Asia/Shanghai") == datetime(
        2026, 3, 3, 1, 0, tzinfo=UTC
    )
    assert daytime_send_after(NIGHT_IN_SHANGHAI, "Europe/Berlin") is None  # 16:00 there


def test_without_the_hold_a_night_email_goes_at_once(settings):
    settings.OUTBOX_DAYTIME_HOLD = False
    assert daytime_send_after(NIGHT_IN_SHANGHAI, "Asia/Shanghai") is None
