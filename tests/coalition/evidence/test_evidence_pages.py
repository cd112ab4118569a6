"""Evidence pages: the list with its checklist, upload, a file's page and custody log, downloads
with safe headers and the permission matrix (404s), withdrawal and visibility."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from coalition.categories import EvidenceKind
from coalition.models import AuditEvent, Evidence
from tests.factories import MembershipFactory
from tests.files import bring, pdf_bytes, png_bytes, stored_files, upload


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, evidence: Evidence) -> str:
    return reverse(
        f"coalition:{name}", kwargs={"pk": evidence.grievance_id, "evidence_id": evidence.pk}
    )


@pytest.fixture
def other_member(grievance):
    return MembershipFactory(grievance=grievance)


@pytest.fixture
def people(member, membership, other_member, organiser, outsider, staff_user):
    return {
        "anonymous": None,
        "outsider": outsider.user,
        "owner": member.user,
        "other member": other_member.seller.user,
        "organiser": organiser.user,
        "staff": staff_user,
    }


# --- downloads ---------------------------------------------------------------------------------

DOWNLOAD_MATRIX = [
    # (who, visibility of the member's file, expected status)
    ("anonymous", "organisers", 404),
    ("anonymous", "members", 404),
    ("outsider", "organisers", 404),
    ("outsider", "members", 404),
    ("owner", "organisers", 200),
    ("owner", "members", 200),
    ("other member", "organisers", 404),
    ("other member", "members", 200),
    ("organiser", "organisers", 200),
    ("organiser", "members", 200),
    ("staff", "organisers", 200),
]


@pytest.mark.parametrize(("who", "visibility", "status"), DOWNLOAD_MATRIX)
def test_download_permission_matrix(people, membership, who, visibility, status):
    evidence = bring(membership, visibility=visibility)
    response = _client(people[who]).get(_url("evidence_download", evidence))
    assert response.status_code == status
    # The file's page follows the same rule.
    assert _client(people[who]).get(_url("evidence_detail", evidence)).status_code == status


@pytest.mark.parametrize("who", ["owner", "organiser"])
def test_withdrawn_file_is_a_404_for_everyone(
    people, membership, member, who, django_capture_on_commit_callbacks
):
    evidence = bring(membership)
    with django_capture_on_commit_callbacks(execute=True):
        _client(member.user).post(_url("evidence_withdraw", evidence))
    assert _client(people[who]).get(_url("evidence_download", evidence)).status_code == 404


def test_file_of_another_grievance_is_a_404(membership, organiser):
    elsewhere = MembershipFactory()
    evidence = bring(elsewhere, visibility=Evidence.Visibility.MEMBERS)
    url = reverse(
        "coalition:evidence_download",
        kwargs={"pk": membership.grievance_id, "evidence_id": evidence.pk},
    )
    assert _client(organiser.user).get(url).status_code == 404


def test_download_streams_the_file_as_an_attachment_with_safe_headers(membership, member):
    content = pdf_bytes()
    evidence = bring(membership, name="Order 7.pdf", content=content)
    response = _client(member.user).get(_url("evidence_download", evidence))

    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Order_7.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(content))


def test_non_ascii_name_is_sent_the_rfc_5987_way(membership, member):
    evidence = bring(
        membership, name="退款记录.png", content=png_bytes(), kind=EvidenceKind.SCREENSHOT
    )
    response = _client(member.user).get(_url("evidence_download", evidence))
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('退款记录.png')}"
    )
    assert response["Content-Type"] == "image/png"


def test_views_and_downloads_are_logged_with_who_did_them(membership, organiser):
    evidence = bring(membership)
    client = _client(organiser.user)
    client.get(_url("evidence_detail", evidence))
    client.get(_url("evidence_download", evidence))
    log = AuditEvent.objects.filter(subject=f"evidence:{evidence.pk}").order_by("id")
    assert [(e.verb, e.actor) for e in log][1:] == [
        ("evidence.viewed", organiser.user),
        ("evidence.downloaded", organiser.user),
    ]


def test_refused_downloads_are_not_logged(membership, outsider):
    evidence = bring(membership)
    _client(outsider.user).get(_url("evidence_download", evidence))
    assert not AuditEvent.objects.filter(verb="evidence.downloaded").exists()


# --- the list and the checklist ----------------------------------------------------------------


def test_member_sees_their_files_the_checklist_and_the_upload_form(membership, member):
    bring(membership, name="notice.pdf")
    response = _client(member.user).get(
        reverse("coalition:evidence_list", args=[membership.grievance_id])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "notice.pdf" in page
    assert 'class="checklist"' in page and "Settlement report" in page
    assert 'enctype="multipart/form-data"' in page


def test_outsider_sees_no_files_and_no_upload_form(membership, outsider):
    bring(membership, name="secret-notice.pdf", visibility=Evidence.Visibility.MEMBERS)
    response = _client(outsider.user).get(
        reverse("coalition:evidence_list", args=[membership.grievance_id])
    )
    assert response.status_code == 200
    assert "secret-notice.pdf" not in response.content.decode()
    assert response.context["form"] is None


def test_anonymous_visitors_are_asked_to_log_in(grievance):
    response = _client().get(reverse("coalition:evidence_list", args=[grievance.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("files", [2, 12])
def test_list_page_queries_do_not_grow_with_the_number_of_files(
    grievance, organiser, files, django_assert_num_queries
):
    members = [MembershipFactory(grievance=grievance) for _ in range(files)]
    for m in members:
        bring(m)
    client = _client(organiser.user)
    url = reverse("coalition:evidence_list", args=[grievance.pk])
    client.get(url)  # warm the session and the content types
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_grievance_section_renders_the_checklist(membership, member, rf):
    from django.template.loader import render_to_string

    from coalition.pages.evidence import grievance_section

    bring(membership, kind=EvidenceKind.SETTLEMENT_REPORT)
    request = rf.get("/")
    request.user = member.user
    context = grievance_section(
        request, grievance=membership.grievance, membership=membership, organiser=False
    )
    html = render_to_string(
        "coalition/evidence/_section.html",
        {
            "grievance": membership.grievance,
            "membership": membership,
            "organiser": False,
            **context,
        },
        request=request,
    )
    assert 'class="is-done"' in html and 'class="is-missing"' in html
    assert "1 of 2 members" in html and "0 of 2 members" in html


# --- uploading ---------------------------------------------------------------------------------


def _post_upload(client, grievance, name, content, **fields):
    data = {
        "kind": EvidenceKind.PLATFORM_NOTICE,
        "visibility": "organisers",
        "description": "",
        **fields,
        "file": upload(name, content),
    }
    return client.post(reverse("coalition:evidence_upload", args=[grievance.pk]), data)


def test_member_uploads_a_file_from_the_page(membership, member):
    response = _post_upload(_client(member.user), membership.grievance, "notice.pdf", pdf_bytes())
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "coalition:evidence_list", args=[membership.grievance_id]
    )
    evidence = Evidence.objects.get()
    assert evidence.membership == membership and evidence.kind == EvidenceKind.PLATFORM_NOTICE


def test_refused_upload_shows_the_reason_next_to_the_file_field(
    membership, member, evidence_storage
):
    response = _post_upload(_client(member.user), membership.grievance, "notice.pdf", png_bytes())
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file's content is not a PDF, although its name says so."
    ]
    assert "although its name says so" in response.content.decode()
    assert not stored_files(evidence_storage)


def test_oversize_upload_stops_at_the_limit_and_says_so(
    membership, member, settings, evidence_storage
):
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    response = _post_upload(
        _client(member.user), membership.grievance, "big.pdf", pdf_bytes() + b"x" * 300_000
    )
    assert response.status_code == 400
    [error] = response.context["form"].errors["file"]
    assert error == "The file is too large. Evidence files can be at most 64.0\xa0KB."
    # The fields before the file were read before the upload stopped, so the form keeps them.
    assert response.context["form"]["kind"].value() == EvidenceKind.PLATFORM_NOTICE
    assert not Evidence.objects.exists() and not stored_files(evidence_storage)


def test_duplicate_upload_says_it_was_not_stored_twice(membership, member):
    client = _client(member.user)
    content = pdf_bytes("twice")
    _post_upload(client, membership.grievance, "a.pdf", content)
    response = _post_upload(client, membership.grievance, "b.pdf", content)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("not stored twice" in m for m in messages)
    assert Evidence.objects.count() == 1


def test_only_members_may_open_or_post_the_upload_form(grievance, outsider, organiser):
    assert (
        _client(outsider.user)
        .get(reverse("coalition:evidence_upload", args=[grievance.pk]))
        .status_code
        == 403
    )
    assert _post_upload(_client(outsider.user), grievance, "a.pdf", pdf_bytes()).status_code == 403
    assert (
        _client(organiser.user)
        .get(reverse("coalition:evidence_upload", args=[grievance.pk]))
        .status_code
        == 200
    )
    assert not Evidence.objects.exists()


def test_upload_checks_the_csrf_token(membership, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert _post_upload(client, membership.grievance, "a.pdf", pdf_bytes()).status_code == 403
    assert not Evidence.objects.exists()


def test_upload_form_offers_own_files_for_a_redacted_copy(membership, member):
    original = bring(membership, name="prices.pdf")
    response = _post_upload(
        _client(member.user),
        membership.grievance,
        "prices-redacted.pdf",
        pdf_bytes(),
        redacted_of=original.pk,
        visibility="members",
    )
    assert response.status_code == 302
    copy = Evidence.objects.exclude(pk=original.pk).get()
    assert copy.redacted_of == original and copy.visibility == "members"


# --- withdraw and visibility -------------------------------------------------------------------


def test_owner_withdraws_from_the_page(
    membership, member, evidence_storage, django_capture_on_commit_callbacks
):
    evidence = bring(membership)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(member.user).post(_url("evidence_withdraw", evidence))
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.is_withdrawn and evidence.sha256 and not stored_files(evidence_storage)


def test_organiser_withdrawing_a_members_file_is_refused_with_a_message(membership, organiser):
    evidence = bring(membership)
    response = _client(organiser.user).post(_url("evidence_withdraw", evidence), follow=True)
    assert "Organisers cannot delete" in response.content.decode()
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_withdraw_is_a_404_for_who_may_not_see_the_file(membership, other_member):
    evidence = bring(membership)
    assert (
        _client(other_member.seller.user).post(_url("evidence_withdraw", evidence)).status_code
        == 404
    )


def test_owner_shares_a_file_with_all_members(membership, member, other_member):
    evidence = bring(membership)
    response = _client(member.user).post(
        _url("evidence_visibility", evidence), {"visibility": "members"}
    )
    assert response.status_code == 302
    assert (
        _client(other_member.seller.user).get(_url("evidence_download", evidence)).status_code
        == 200
    )


def test_file_page_shows_the_custody_log_to_the_owner_only_among_members(
    membership, member, other_member
):
    evidence = bring(membership, visibility=Evidence.Visibility.MEMBERS)
    owner_page = _client(member.user).get(_url("evidence_detail", evidence))
    other_page = _client(other_member.seller.user).get(_url("evidence_detail", evidence))
    assert owner_page.context["log"] is not None and "Custody log" in owner_page.content.decode()
    assert other_page.context["log"] is None
    assert evidence.sha256 in owner_page.content.decode()


def test_grievance_page_shows_the_live_checklist_in_place_of_the_static_one(
    membership, member, monkeypatch
):
    from coalition.pages import sections as pages
    from coalition.pages.evidence import grievance_section

    # The wiring the lead adds to CoalitionConfig.ready(), on a copy of the section registry.
    monkeypatch.setattr(pages, "GRIEVANCE_SECTIONS", list(pages.GRIEVANCE_SECTIONS))
    pages.register_grievance_section(
        "coalition/evidence/_section.html",
        grievance_section,
        order=20,
        slot="side",
        replaces="checklist",
    )
    bring(membership, kind=EvidenceKind.SETTLEMENT_REPORT)

    page = _client(member.user).get(membership.grievance.get_absolute_url()).content.decode()

    assert 'id="evidence"' in page and 'class="is-done"' in page
    assert "Evidence that helps" not in page
    assert reverse("coalition:evidence_list", args=[membership.grievance_id]) in page
