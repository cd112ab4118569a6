"""The grievance timeline API shows the events the timeline page shows: the evidence custody log
(views, downloads, file names) stays off both, for every viewer."""

from __future__ import annotations

import pytest

from coalition.actions.timeline import record_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["member", "organiser"])
def test_the_timeline_api_leaves_out_the_private_custody_events_the_page_hides(
    as_, client_as, who, grievance, member, membership
):
    record_event(grievance, "grievance.edited", actor=member.user)
    record_event(
        grievance, "evidence.downloaded", actor=member.user, file_name="settlement-MINE-77.pdf"
    )
    body = as_(who).get(f"/api/v1/grievances/{grievance.pk}/timeline/").json()
    verbs = [row["verb"] for row in body["results"]]
    assert "grievance.edited" in verbs
    assert "evidence.downloaded" not in verbs
    page = client_as(who).get(f"/grievances/{grievance.pk}/timeline/").content.decode()
    assert "downloaded evidence" not in page and "settlement-MINE-77" not in page
