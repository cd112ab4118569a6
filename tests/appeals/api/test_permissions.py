"""Who may call each appeals endpoint: anonymous, outsider, member, organiser, staff.

404 where the caller may not know the round exists (drafts for non-organisers; anything of an
unlisted grievance for outsiders), 403 where they see it but may not act, 401/403 for anonymous
writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from appeals.models import Appeal
from coalition.models import Grievance
from tests.appeals.builders import make_round
from tests.factories import SubmissionFactory

S = Appeal.State
pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "outsider", "member", "organiser", "staff"]
DENIED = "denied"  # 401 or 403: anonymous writes


@dataclass
class Case:
    name: str
    method: str
    state: str
    path: str  # "{id}" is the round, "{sub}" the member's submission
    expect: dict[str, int | str]
    body: dict = field(default_factory=dict)


def _now() -> str:
    return timezone.now().isoformat()


CASES = [
    Case("list", "get", S.SUBMITTED, "/api/v1/appeals/", dict.fromkeys(ROLES, 200)),
    Case(
        "detail of a sent round",
        "get",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/",
        dict.fromkeys(ROLES, 200),
    ),
    Case(
        "detail of a draft",
        "get",
        S.DRAFT,
        "/api/v1/appeals/{id}/",
        {"anonymous": 404, "outsider": 404, "member": 404, "organiser": 200, "staff": 200},
    ),
    Case(
        "detail of a round open for signing",
        "get",
        S.SIGNING,
        "/api/v1/appeals/{id}/",
        {"anonymous": 404, "outsider": 404, "member": 200, "organiser": 200, "staff": 200},
    ),
    Case(
        "create",
        "post",
        S.RESPONDED,
        "/api/v1/appeals/",
        {"anonymous": DENIED, "outsider": 403, "member": 403, "organiser": 201, "staff": 201},
        {"reason": "new arguments"},
    ),
    Case(
        "edit",
        "patch",
        S.DRAFT,
        "/api/v1/appeals/{id}/",
        {"anonymous": DENIED, "outsider": 404, "member": 404, "organiser": 200, "staff": 200},
        {"letter": "New letter"},
    ),
    Case(
        "open signing",
        "post",
        S.DRAFT,
        "/api/v1/appeals/{id}/open_signing/",
        {"anonymous": DENIED, "outsider": 404, "member": 404, "organiser": 200, "staff": 200},
    ),
    Case(
        "close signing",
        "post",
        S.SIGNING,
        "/api/v1/appeals/{id}/close_signing/",
        {"anonymous": DENIED, "outsider": 404, "member": 403, "organiser": 200, "staff": 200},
    ),
    Case(
        "submit",
        "post",
        S.READY,
        "/api/v1/appeals/{id}/submit/",
        {"anonymous": DENIED, "outsider": 404, "member": 403, "organiser": 200, "staff": 200},
        {"case_reference": "CASE-1"},
    ),
    Case(
        "withdraw",
        "post",
        S.SIGNING,
        "/api/v1/appeals/{id}/withdraw/",
        {"anonymous": DENIED, "outsider": 404, "member": 403, "organiser": 200, "staff": 200},
    ),
    Case(
        "information sent",
        "post",
        S.INFO_REQUESTED,
        "/api/v1/appeals/{id}/information_sent/",
        {"anonymous": DENIED, "outsider": 403, "member": 403, "organiser": 200, "staff": 200},
    ),
    Case(
        "responses",
        "get",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/responses/",
        {"anonymous": 403, "outsider": 403, "member": 200, "organiser": 200, "staff": 200},
    ),
    Case(
        "record a response",
        "post",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/responses/",
        {"anonymous": DENIED, "outsider": 403, "member": 403, "organiser": 201, "staff": 201},
        {
            "received_at": "NOW",
            "channel": "email",
            "text": "Rejected.",
            "classification": "rejected",
        },
    ),
    Case(
        "my signature",
        "get",
        S.SIGNING,
        "/api/v1/appeals/{id}/signature/",
        {"anonymous": 404, "outsider": 404, "member": 200, "organiser": 200, "staff": 403},
    ),
    Case(
        "sign",
        "post",
        S.SIGNING,
        "/api/v1/appeals/{id}/signature/",
        {"anonymous": DENIED, "outsider": 404, "member": 201, "organiser": 201, "staff": 403},
    ),
    Case(
        "withdraw my signature",
        "delete",
        S.SIGNING,
        "/api/v1/appeals/{id}/signature/",
        {"anonymous": DENIED, "outsider": 404, "member": 204, "organiser": 204, "staff": 403},
    ),
    Case(
        "submissions",
        "get",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/submissions/",
        {"anonymous": 403, "outsider": 403, "member": 200, "organiser": 200, "staff": 200},
    ),
    Case(
        "log my submission",
        "post",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/submissions/",
        {"anonymous": DENIED, "outsider": 403, "member": 200, "organiser": 201, "staff": 403},
        {"submitted_on": "TODAY", "ticket_reference": "T-1"},
    ),
    Case(
        "report my outcome",
        "post",
        S.SUBMITTED,
        "/api/v1/appeals/{id}/submissions/{sub}/outcome/",
        {"anonymous": DENIED, "outsider": 403, "member": 200, "organiser": 403, "staff": 403},
        {"outcome": "reinstated"},
    ),
    Case(
        "board",
        "get",
        S.SUBMITTED,
        "/api/v1/board/",
        {"anonymous": DENIED, **dict.fromkeys(ROLES[1:], 200)},
    ),
    Case(
        "my cases",
        "get",
        S.SUBMITTED,
        "/api/v1/my-cases/",
        {"anonymous": DENIED, **dict.fromkeys(ROLES[1:], 200)},
    ),
]


def _body(case: Case) -> dict:
    values = {"NOW": _now(), "TODAY": timezone.localdate().isoformat()}
    return {k: values.get(v, v) if isinstance(v, str) else v for k, v in case.body.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_permission_matrix(case, role, clients, grievance, membership):
    appeal = make_round(grievance, case.state)
    submission = SubmissionFactory(appeal=appeal, membership=membership)
    body = _body(case)
    if case.name == "create":
        body["grievance"] = grievance.pk
    path = case.path.format(id=appeal.pk, sub=submission.pk)
    response = getattr(clients[role], case.method)(path, body, format="json")
    expected = case.expect[role]
    if expected == DENIED:
        assert response.status_code in (401, 403), response.content
    else:
        assert response.status_code == expected, response.content
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "errors", "code"}


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize("hidden", [False, True])
def test_rounds_of_unlisted_or_hidden_grievances_are_not_found_for_outsiders(
    role, hidden, clients, grievance
):
    if hidden:
        grievance.hidden = True
    else:
        grievance.visibility = Grievance.Visibility.UNLISTED
    grievance.save()
    appeal = make_round(grievance, S.SUBMITTED)
    assert clients[role].get(f"/api/v1/appeals/{appeal.pk}/").status_code == 404
    assert clients[role].get("/api/v1/appeals/").json()["count"] == 0


def test_members_of_an_unlisted_grievance_see_its_rounds(member_api, grievance, membership):
    grievance.visibility = Grievance.Visibility.UNLISTED
    grievance.save()
    appeal = make_round(grievance, S.SUBMITTED)
    assert member_api.get(f"/api/v1/appeals/{appeal.pk}/").status_code == 200


def test_a_member_cannot_reach_another_members_submission(member_api, grievance, membership):
    appeal = make_round(grievance, S.SUBMITTED)
    other = SubmissionFactory(appeal=appeal)
    response = member_api.post(
        f"/api/v1/appeals/{appeal.pk}/submissions/{other.pk}/outcome/",
        {"outcome": "denied"},
        format="json",
    )
    assert response.status_code == 404


def test_put_is_not_offered(organiser_api, grievance):
    appeal = make_round(grievance, S.DRAFT)
    assert organiser_api.put(f"/api/v1/appeals/{appeal.pk}/", {}, format="json").status_code == 405
