"""The chaser to the platform says only what is true where its clock stands: before the answer
is due it awaits it, after it says it has not arrived, very overdue it says so and names the next
step — for every seeded platform profile, at its own chase dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appeals import deadlines
from appeals.emails import chase_position, platform_chase
from coalition.models import Platform
from coalition.platform_profiles import PLATFORMS
from tests.factories import AppealFactory, GrievanceFactory

pytestmark = pytest.mark.django_db
SUBMITTED = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)  # a Tuesday

AWAIT = "We await your answer, due on"
LATE = "has not arrived"
VERY = "it is now very overdue"
NEXT_STEP = "our next step is to escalate"


def seeded(profile):
    """The seeded platform (migration 0002), with an appeal address so rounds go by email."""
    platform = Platform.objects.get(slug=profile[1])
    platform.appeal_email = f"appeals@{profile[1]}.example"
    platform.save(update_fields=["appeal_email"])
    return platform


def sent_round(platform):
    return AppealFactory(
        grievance=GrievanceFactory(platform=platform),
        state="submitted",
        channel="email",
        submitted_at=SUBMITTED,
        case_reference="CASE-9",
        response_due_at=deadlines.response_due(SUBMITTED, platform),
        very_overdue_at=deadlines.very_overdue_at(SUBMITTED, platform),
    )


def body(appeal, now) -> str:
    row = platform_chase(appeal, 1, [], now=now)
    assert row.body_text.strip() and row.body_html.strip()
    return row.body_text


PROFILES = [pytest.param(p, id=p[1]) for p in PLATFORMS]


@pytest.mark.parametrize("profile", PROFILES)
def test_before_the_answer_is_due_the_chaser_awaits_it(profile):
    appeal = sent_round(seeded(profile))
    text = body(appeal, appeal.response_due_at - timedelta(hours=1))
    assert AWAIT in text and LATE not in text and NEXT_STEP not in text


@pytest.mark.parametrize("profile", PROFILES)
def test_after_the_due_date_the_chaser_says_the_answer_has_not_arrived(profile):
    appeal = sent_round(seeded(profile))
    text = body(appeal, appeal.response_due_at + timedelta(hours=1))
    assert LATE in text and AWAIT not in text and VERY not in text


@pytest.mark.parametrize("profile", PROFILES)
def test_very_overdue_the_chaser_says_so_and_names_the_next_step(profile):
    appeal = sent_round(seeded(profile))
    text = body(appeal, appeal.very_overdue_at + timedelta(hours=1))
    assert VERY in text and NEXT_STEP in text and AWAIT not in text


@pytest.mark.parametrize("profile", PROFILES)
def test_every_scheduled_chase_matches_where_the_clock_stands_when_it_goes_out(profile):
    platform = seeded(profile)
    appeal = sent_round(platform)
    for moment in deadlines.chase_dates(SUBMITTED, platform):
        text = body(appeal, moment)
        if moment <= appeal.response_due_at:
            assert AWAIT in text and LATE not in text, moment
        else:
            assert LATE in text and AWAIT not in text, moment


def test_aliexpress_first_chase_goes_out_before_the_due_date_and_does_not_claim_lateness():
    (aliexpress,) = [p for p in PLATFORMS if p[1] == "aliexpress"]
    platform = seeded(aliexpress)
    appeal = sent_round(platform)
    first = deadlines.chase_dates(SUBMITTED, platform)[0]
    assert first < appeal.response_due_at
    assert chase_position(appeal, first) == "before"
    assert LATE not in body(appeal, first)


def test_the_due_moment_itself_is_still_before():
    appeal = sent_round(seeded(PLATFORMS[0]))
    assert chase_position(appeal, appeal.response_due_at) == "before"
