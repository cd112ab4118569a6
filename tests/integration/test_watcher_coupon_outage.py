"""A watcher's coupon email is an outbox row like every other email: the real worker sends it, an
SMTP outage puts it off, and once the server is back it arrives exactly once."""

from __future__ import annotations

import time

import pytest

from appeals.models import Notification
from coalition.actions.reports import review_report
from coalition.categories import Category
from coalition.models import Coupon
from tests.factories import (
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    SellerFactory,
    offer,
    watcher_report,
)
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_coupon_email_survives_an_smtp_outage_and_arrives_once(worker, smtp):
    grievance = GrievanceFactory(category=Category.COUNTERFEIT_INFRINGER)
    organiser = SellerFactory()
    OrganiserFactory(grievance=grievance, seller=organiser)
    offer(MembershipFactory(grievance=grievance, seller=SellerFactory()), n=2)
    report = watcher_report(grievance, email="watcher.outage@example.net")

    smtp.stop()
    review_report(report, actor=organiser.user, decision="confirm")
    rows = Notification.objects.filter(kind="watcher.coupon")
    assert rows.count() == 1
    coupon = Coupon.objects.get(issued_to_report=report)
    # The worker tried and was refused at least twice; the row waits, neither failed nor sent.
    assert wait_until(lambda: rows.filter(attempts__gte=2).exists(), timeout=30), worker.tail()
    assert rows.get().state in {"pending", "sending"}
    assert smtp.recorder.count() == 0

    smtp.start()
    assert wait_until(lambda: rows.filter(state="sent").exists(), timeout=60), worker.tail()
    time.sleep(2)  # a late duplicate would have arrived by now
    # The watcher gets two emails in all: "confirm your report" (queued when they reported,
    # also held by the outage) and the coupon, each once.
    assert set(Notification.objects.values_list("kind", "state")) == {
        ("watcher.confirm", "sent"),
        ("watcher.coupon", "sent"),
    }
    assert smtp.recorder.per_recipient() == {"watcher.outage@example.net": 2}
    bodies = [m.get_body(("plain",)).get_content() for _r, m in smtp.recorder.snapshot()]
    assert sum(coupon.code in body for body in bodies) == 1
