"""Evidence API: /api/v1/grievances/{id}/evidence/ — scoped lists, multipart upload with clear
errors, logged views and downloads, withdrawal, visibility, and the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coalition.categories import EvidenceKind
from coalition.models import AuditEvent, Evidence
from tests.factories import MembershipFactory
from tests.files import bring, pdf_bytes, png_bytes, stored_files, upload


def _list_url(grievance) -> str:
    return reverse("grievance-evidence-list", kwargs={"grievance_pk": grievance.pk})


def _url(name: str, evidence: Evidence) -> str:
    return reverse(
        f"grievance-evidence-{name}",
        kwargs={"grievance_pk": evidence.grievance_id, "pk": evidence.pk},
    )


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _post(client, grievance, name, content, **fields):
    data = {"kind": EvidenceKind.PLATFORM_NOTICE, **fields, "file": upload(name, content)}
    return client.post(_list_url(grievance), data, format="multipart")


@pytest.fixture
def other_member(grievance):
    return MembershipFactory(grievance=grievance, consent_to_name=True)


def test_member_uploads_with_multipart_and_gets_the_record(membership, member):
    content = pdf_bytes()
    response = _post(
        _api(member.user), membership.grievance, "notice.pdf", content, description="May notice"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["original_name"] == "notice.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(content) and body["is_own"] and body["uploaded_by"] == "You"
    assert body["visibility"] == "organisers" and body["withdrawn_at"] is None
    assert body["download_url"].endswith(
        f"/api/v1/grievances/{membership.grievance_id}/evidence/{body['id']}/download/"
    )


def test_same_file_again_answers_200_with_the_existing_record(membership, member):
    client, content = _api(member.user), pdf_bytes("again")
    first = _post(client, membership.grievance, "a.pdf", content).json()
    again = _post(client, membership.grievance, "b.pdf", content)
    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_same_file_as_another_members_private_one_is_a_409_that_reveals_nothing(
    membership, other_member
):
    content = pdf_bytes("theirs")
    bring(membership, content=content)
    response = _post(_api(other_member.seller.user), membership.grievance, "mine.pdf", content)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate" and "id" not in response.json()
    assert Evidence.objects.count() == 1


def test_mismatched_type_is_a_400_with_the_reason_on_the_file_field(membership, member):
    response = _post(_api(member.user), membership.grievance, "invoice.pdf", png_bytes())
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "The file's content is not a PDF, although its name says so."
    ]


def test_oversize_upload_is_a_400_and_nothing_is_stored(
    membership, member, settings, evidence_storage
):
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    response = _post(
        _api(member.user), membership.grievance, "big.pdf", pdf_bytes() + b"x" * 200_000
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "too large" in response.json()["errors"]["file"][0]
    assert not stored_files(evidence_storage)


def test_missing_kind_is_a_field_error(membership, member):
    response = _api(member.user).post(
        _list_url(membership.grievance), {"file": upload("a.pdf", pdf_bytes())}, format="multipart"
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 403), ("outsider", 403), ("staff", 403)])
def test_only_members_may_upload(grievance, outsider, staff_user, who, status):
    user = {"anonymous": None, "outsider": outsider.user, "staff": staff_user}[who]
    response = _post(_api(user), grievance, "a.pdf", pdf_bytes())
    assert response.status_code in {status, 401}
    assert not Evidence.objects.exists()


def test_list_is_scoped_to_what_the_caller_may_see(
    membership, member, other_member, organiser, outsider
):
    bring(membership)
    shared = bring(other_member, visibility=Evidence.Visibility.MEMBERS)
    bring(other_member)

    def ids(user):
        return {
            row["id"] for row in _api(user).get(_list_url(membership.grievance)).json()["results"]
        }

    assert len(ids(organiser.user)) == 3
    assert shared.pk in ids(member.user) and len(ids(member.user)) == 2
    assert ids(outsider.user) == set()
    assert _api().get(_list_url(membership.grievance)).status_code in {401, 403}


@pytest.mark.parametrize("files", [2, 12])
def test_list_queries_do_not_grow_with_the_page(
    grievance, organiser, files, django_assert_num_queries
):
    for _ in range(files):
        bring(MembershipFactory(grievance=grievance))
    client = _api(organiser.user)
    with django_assert_num_queries(4):
        assert client.get(_list_url(grievance)).status_code == 200


@pytest.mark.parametrize(
    ("who", "visibility", "status"),
    [
        ("outsider", "members", 404),
        ("other", "organisers", 404),
        ("other", "members", 200),
        ("organiser", "organisers", 200),
    ],
)
def test_retrieve_and_download_are_404_for_who_may_not_see(
    membership, outsider, other_member, organiser, who, visibility, status
):
    evidence = bring(membership, visibility=visibility)
    user = {
        "outsider": outsider.user,
        "other": other_member.seller.user,
        "organiser": organiser.user,
    }[who]
    assert _api(user).get(_url("detail", evidence)).status_code == status
    assert _api(user).get(_url("download", evidence)).status_code == status


def test_retrieve_and_download_are_logged(membership, organiser):
    evidence = bring(membership)
    client = _api(organiser.user)
    client.get(_url("detail", evidence))
    download = client.get(_url("download", evidence))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    verbs = list(
        AuditEvent.objects.filter(subject=f"evidence:{evidence.pk}")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["evidence.uploaded", "evidence.viewed", "evidence.downloaded"]


def test_delete_withdraws_own_file_and_keeps_the_record(
    membership, member, django_capture_on_commit_callbacks, evidence_storage
):
    evidence = bring(membership)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(member.user).delete(_url("detail", evidence))
    assert response.status_code == 204
    body = _api(member.user).get(_url("detail", evidence)).json()
    assert (
        body["withdrawn_at"] and body["sha256"] == evidence.sha256 and body["download_url"] is None
    )
    assert _api(member.user).get(_url("download", evidence)).status_code == 404
    assert not stored_files(evidence_storage)


def test_organiser_cannot_delete_a_members_file(membership, organiser):
    evidence = bring(membership)
    response = _api(organiser.user).delete(_url("detail", evidence))
    assert response.status_code == 400
    assert "Organisers cannot delete" in response.json()["detail"]


def test_owner_changes_visibility(membership, member, organiser):
    evidence = bring(membership)
    response = _api(member.user).post(
        _url("visibility", evidence), {"visibility": "members"}, format="json"
    )
    assert response.status_code == 200 and response.json()["visibility"] == "members"
    refused = _api(organiser.user).post(
        _url("visibility", evidence), {"visibility": "organisers"}, format="json"
    )
    assert refused.status_code == 400


def test_schema_documents_the_multipart_upload():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    upload_op = schema["paths"]["/api/v1/grievances/{grievance_pk}/evidence/"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    download_op = schema["paths"]["/api/v1/grievances/{grievance_pk}/evidence/{id}/download/"][
        "get"
    ]
    assert "application/octet-stream" in download_op["responses"]["200"]["content"]


def test_checklist_serializer_gives_the_grievance_endpoint_its_evidence_checklist(membership):
    from coalition.api.evidence import ChecklistSerializer
    from coalition.queries.evidence import checklist_status

    bring(membership, kind=EvidenceKind.SETTLEMENT_REPORT)
    data = ChecklistSerializer(checklist_status(membership.grievance, membership)).data
    assert data["has_case"] and data["done_count"] == 1 and data["member_count"] == 2
    assert data["items"][0] == {
        "kind": "settlement_report",
        "label": "Settlement report",
        "state": "done",
        "mine": True,
        "members_with": 1,
    }
