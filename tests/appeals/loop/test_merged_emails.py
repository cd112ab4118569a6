"""The new fan-out emails are merged (rendered once per language and time zone) and still carry
each member's own name, escaped in HTML, and their own unsubscribe links."""

from __future__ import annotations

import pytest

from appeals import emails
from appeals.models import Announcement
from tests.appeals.builders import make_round
from tests.factories import MembershipFactory, PlatformResponseFactory, SellerFactory

pytestmark = pytest.mark.django_db


def builders(grievance, organiser):
    signing = make_round(grievance, "signing")
    responded = make_round(grievance, "responded")
    response = PlatformResponseFactory(appeal=responded, classification="rejected", text="No.")
    item = Announcement.objects.create(
        grievance=grievance, audience="all", subject="News", text="Hi", created_by=organiser.user
    )
    return {
        "summons": emails.summonses(signing),
        "decision_notice": emails.decision_notices(responded, response, next_step="next_round"),
        "announcement": emails.announcements(item),
    }


@pytest.mark.parametrize("kind", ["summons", "decision_notice", "announcement"])
def test_each_member_gets_their_own_name_and_unsubscribe_links(kind, grievance, organiser):
    build = builders(grievance, organiser)[kind]
    tom = MembershipFactory(grievance=grievance, seller=SellerFactory(display_name="<Tom & Co>"))
    ann = MembershipFactory(grievance=grievance, seller=SellerFactory(display_name="Ann"))
    first, second = build(tom), build(ann)
    assert (first.kind, first.to_email, second.to_email) == (
        kind,
        tom.seller.user.email,
        ann.seller.user.email,
    )
    assert "Hello <Tom & Co>," in first.body_text
    assert "&lt;Tom &amp; Co&gt;" in first.body_html and "<Tom & Co>" not in first.body_html
    assert str(tom.seller.unsubscribe_token) in first.body_text
    assert str(tom.seller.unsubscribe_token) in first.headers["List-Unsubscribe"]
    assert str(tom.seller.unsubscribe_token) not in second.body_text
    assert first.dedupe_key != second.dedupe_key


@pytest.mark.parametrize("kind", ["summons", "decision_notice", "announcement"])
def test_a_fan_out_renders_once_per_language_and_time_zone(kind, grievance, organiser, monkeypatch):
    build = builders(grievance, organiser)[kind]
    calls = []
    real = emails.render

    def counting(name, context, *, language, zone):
        calls.append((language, zone))
        return real(name, context, language=language, zone=zone)

    monkeypatch.setattr(emails, "render", counting)
    for lang, zone in [("en", "UTC"), ("en", "UTC"), ("zh-hans", "UTC"), ("zh-hans", "UTC")]:
        build(
            MembershipFactory(
                grievance=grievance, seller=SellerFactory(language=lang, time_zone=zone)
            )
        )
    assert calls == [("en", "UTC"), ("zh-hans", "UTC")]
