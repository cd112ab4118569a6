"""`manage.py demo_data`: what `make run` loads on every start."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coalition.models import (
    AuditEvent,
    Coupon,
    CouponOffer,
    Grievance,
    HealthCheck,
    Membership,
    Seller,
    Store,
)
from coalition.queries.memberships import aggregates

DEMO_EMAILS = ["olivia@demo.coalition.test", "mei@demo.coalition.test", "sam@demo.coalition.test"]
MODELS = [
    get_user_model(),
    EmailAddress,
    Seller,
    Store,
    Grievance,
    Membership,
    AuditEvent,
    CouponOffer,
    Coupon,
    HealthCheck,
]


def load() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_demo_data_twice_creates_nothing_the_second_time():
    first_output = load()
    first = counts()
    second_output = load()

    assert counts() == first
    assert "created" in first_output
    assert "nothing changed" in second_output
    assert first == {
        "User": 3,
        "EmailAddress": 3,
        "Seller": 3,
        "Store": 5,
        "Grievance": 3,
        "Membership": 7,
        "AuditEvent": first["AuditEvent"],
        "CouponOffer": 1,
        "Coupon": 6,
        "HealthCheck": 3,
    }


@pytest.mark.django_db
def test_demo_data_keeps_what_was_changed_since():
    load()
    sam = Membership.objects.get(seller__user__email="sam@demo.coalition.test")
    sam.state = Membership.State.WITHDRAWN
    sam.save(update_fields=["state"])

    load()

    sam.refresh_from_db()
    assert sam.state == Membership.State.WITHDRAWN


@pytest.mark.django_db
@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_demo_logins_work_with_the_printed_password(client, email):
    load()

    assert client.login(username=email, password="coalition-demo")
    assert EmailAddress.objects.get(email=email).verified


@pytest.mark.django_db
def test_demo_sellers_match_what_make_run_prints():
    load()

    olivia = get_user_model().objects.get(email="olivia@demo.coalition.test")
    mei = Seller.objects.get(user__email="mei@demo.coalition.test")
    assert olivia.is_staff and olivia.is_superuser
    assert (mei.display_name, mei.language, mei.time_zone) == (
        "Mei Chen",
        "zh-hans",
        "Asia/Shanghai",
    )
    assert not mei.user.is_staff
    for seller in Seller.objects.all():
        assert 1 <= seller.stores.count() <= 2


@pytest.mark.django_db
def test_demo_grievances_have_an_organiser_and_members_with_cases():
    load()

    wish = Grievance.objects.get(title="Wish withheld payouts after the 2026 policy change")
    amazon = Grievance.objects.get(title="Amazon US linked-account suspensions of Shenzhen sellers")
    assert (wish.platform.slug, wish.category) == ("wish", "funds_withheld")
    assert (amazon.platform.slug, amazon.category) == ("amazon-us", "account_linking")
    for grievance in (wish, amazon):
        organisers = grievance.memberships.organisers()
        assert [m.seller.user.email for m in organisers] == ["olivia@demo.coalition.test"]
        members = grievance.memberships.active().filter(role=Membership.Role.MEMBER)
        assert members.exists()
        assert all(m.store and m.amount_withheld > 0 for m in members)
        assert grievance.events.filter(verb="grievance.created").count() == 1
    assert {c.currency for c in aggregates(amazon, organiser=True).currencies} == {"USD", "CNY"}
