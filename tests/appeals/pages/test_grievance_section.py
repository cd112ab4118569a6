"""The rounds section of coalition's grievance page (appeals.views.sections)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from coalition.models import Grievance
from tests.appeals.builders import make_round
from tests.files import ROLES, text

pytestmark = pytest.mark.django_db


S = Appeal.State


def round_url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


def grievance_url(g: Grievance) -> str:
    return reverse("coalition:grievance_detail", args=[g.pk])


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", {"submitted"}),
        ("outsider", {"submitted"}),
        ("member", {"submitted", "signing"}),
        ("organiser", {"submitted", "signing", "draft"}),
        ("staff", {"submitted", "signing", "draft"}),
    ],
)
def test_the_grievance_page_lists_the_rounds_each_viewer_may_see(client_as, grievance, role, sees):
    now = timezone.now()
    rounds = {
        "submitted": make_round(grievance, S.RESPONDED, submitted_at=now - timedelta(days=20)),
        "signing": make_round(grievance, S.SIGNING),
        "draft": make_round(grievance, S.DRAFT),
    }
    body = text(client_as(role).get(grievance_url(grievance)))
    assert 'id="rounds"' in body
    assert {name for name, a in rounds.items() if round_url(a) in body} == sees


def test_organisers_are_offered_round_one_on_the_grievance_page(client_as, grievance):
    new_url = reverse("appeals:round_new", args=[grievance.pk])
    assert new_url in text(client_as("organiser").get(grievance_url(grievance)))
    assert new_url not in text(client_as("member").get(grievance_url(grievance)))


@pytest.mark.parametrize(
    ("state", "offered"), [(S.SIGNING, False), (S.SUBMITTED, False), (S.RESPONDED, True)]
)
def test_the_next_round_is_offered_only_when_the_rules_allow_it(
    client_as, grievance, state, offered
):
    make_round(grievance, state)
    body = text(client_as("organiser").get(grievance_url(grievance)))
    assert (reverse("appeals:round_new", args=[grievance.pk]) in body) is offered


def test_the_grievance_page_shows_the_legal_windows_as_dates(client_as, grievance):
    Grievance.objects.filter(pk=grievance.pk).update(
        infraction_date=timezone.localdate() - timedelta(days=10)
    )
    body = text(client_as("anonymous").get(grievance_url(grievance)))
    assert "Deadlines that apply" in body
    assert "End of the appeal window under the platform" in body
    assert "passed" not in body.split("Deadlines that apply")[1].split("</ul>")[0]


def test_a_window_that_has_passed_is_shown_as_passed(client_as, grievance):
    # the platform's 90-day window closed long ago
    Grievance.objects.filter(pk=grievance.pk).update(
        infraction_date=timezone.localdate() - timedelta(days=200)
    )
    body = text(client_as("anonymous").get(grievance_url(grievance)))
    deadlines = body.split("Deadlines that apply")[1].split("</ul>")[0]
    assert 'class="is-passed muted"' in deadlines and ">passed</span>" in deadlines


@pytest.mark.parametrize("role", ROLES)
def test_the_grievance_page_still_opens_for_everyone_with_rounds(client_as, grievance, role):
    make_round(grievance, S.SUBMITTED)
    assert client_as(role).get(grievance_url(grievance)).status_code == 200
