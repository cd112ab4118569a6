"""Every signer reads what they sign: the round page shows a reader of the other language the
translation beside the letter the platform receives; the sign form asks for the store ID apart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals.actions.drafting import draft_round, update_draft
from appeals.actions.signing import open_signing
from appeals.models import Appeal, Signature
from coalition.models import Seller
from tests.files import text

pytestmark = pytest.mark.django_db
NOTE_EN = "This translation is for you; the platform receives the English text."
NOTE_ZH = "此译文仅供您阅读；平台收到的是英文版本。"


@pytest.fixture
def signing_round(grievance, organiser) -> Appeal:
    appeal = draft_round(grievance, actor=organiser.user, language="en")
    return open_signing(appeal, actor=organiser.user)


def url(appeal: Appeal) -> str:
    return reverse("appeals:round_detail", args=[appeal.pk])


def test_both_language_versions_are_drafted(signing_round, grievance):
    assert signing_round.language == "en" and grievance.summary in signing_round.letter
    assert signing_round.translation_language == "zh-hans"
    assert signing_round.translation_subject.startswith("集体申诉")
    assert "一、事情经过" in signing_round.translation


def test_a_chinese_reading_member_sees_the_chinese_letter_first_with_the_note(
    client_as, member, membership, signing_round
):
    Seller.objects.filter(pk=member.pk).update(language=Seller.Language.ZH_HANS)
    body = text(client_as("member").get(url(signing_round), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert NOTE_ZH in body  # "this translation is for you; the platform receives the English text"
    assert "一、事情经过" in body and "WHAT HAPPENED" in body
    assert body.index("一、事情经过") < body.index("WHAT HAPPENED")
    assert "is-translation-first" in body


def test_an_english_reading_member_sees_only_the_letter(client_as, membership, signing_round):
    body = text(client_as("member").get(url(signing_round)))
    assert "WHAT HAPPENED" in body
    assert "一、事情经过" not in body and NOTE_EN not in body


def test_organisers_see_both_versions_the_platforms_first(client_as, signing_round):
    body = text(client_as("organiser").get(url(signing_round)))
    assert "WHAT HAPPENED" in body and "一、事情经过" in body
    assert "is-translation-first" not in body


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_outsiders_read_neither_version(client_as, role, signing_round, grievance):
    body = text(client_as(role).get(url(signing_round)))
    assert grievance.summary not in body and "一、事情经过" not in body


def test_organisers_edit_the_translation_of_a_draft(grievance, organiser):
    appeal = draft_round(grievance, actor=organiser.user)
    appeal = update_draft(
        appeal, actor=organiser.user, translation="译文：已修改。", translation_subject="新标题"
    )
    appeal.refresh_from_db()
    assert (appeal.translation, appeal.translation_subject) == ("译文：已修改。", "新标题")


def test_the_edit_page_offers_the_translation_fields(organiser_client, grievance, organiser):
    appeal = draft_round(grievance, actor=organiser.user)
    body = text(organiser_client.get(reverse("appeals:round_edit", args=[appeal.pk])))
    assert 'name="translation"' in body and 'name="translation_subject"' in body


def test_the_sign_form_asks_for_the_store_id_separately(
    client_as, member, membership, signing_round
):
    client = client_as("member")
    body = text(client.get(url(signing_round)))
    assert 'name="sign-consent_to_store_id"' in body
    assert 'class="layout round-layout"' in body and "signing-card" in body
    client.post(
        reverse("appeals:round_sign", args=[signing_round.pk]),
        {"sign-consent_to_name": "on", "sign-consent_to_store_id": "on"},
    )
    signature = Signature.objects.get(appeal=signing_round, membership=membership)
    assert signature.consent_to_name and signature.consent_to_store_id


def test_signing_without_the_store_id_box_keeps_the_store_id_private(
    client_as, membership, signing_round
):
    client_as("member").post(
        reverse("appeals:round_sign", args=[signing_round.pk]), {"sign-consent_to_name": "on"}
    )
    signature = Signature.objects.get(appeal=signing_round, membership=membership)
    assert signature.consent_to_name and not signature.consent_to_store_id


def test_a_draft_from_before_released_figures_asks_to_be_redrafted(client_as, grievance, organiser):
    appeal = draft_round(grievance, actor=organiser.user)
    Appeal.objects.filter(pk=appeal.pk).update(needs_redraft=True, letter="302 sellers…")
    body = text(client_as("organiser").get(url(appeal)))
    assert "Re-draft it from the template before opening signing." in body
    client_as("organiser").post(reverse("appeals:round_regenerate", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert not appeal.needs_redraft and "302 sellers" not in appeal.letter
    assert "Re-draft it from the template" not in text(client_as("organiser").get(url(appeal)))


def test_switching_the_letter_language_swaps_the_letter_and_its_translation(grievance, organiser):
    appeal = draft_round(grievance, actor=organiser.user, language="en")
    english, chinese = appeal.letter, appeal.translation
    appeal = update_draft(appeal, actor=organiser.user, language="zh-hans")
    appeal.refresh_from_db()
    assert (appeal.letter, appeal.translation) == (chinese, english)
    assert appeal.subject.startswith("集体申诉") and appeal.translation_language == "en"


def test_a_signer_gives_the_store_id_through_the_api(member_api, membership, signing_round):
    response = member_api.post(
        f"/api/v1/appeals/{signing_round.pk}/signature/",
        {"consent_to_name": True, "consent_to_store_id": True},
        format="json",
    )
    assert response.status_code == 201 and response.json()["consent_to_store_id"] is True
    assert Signature.objects.get(appeal=signing_round, membership=membership).consent_to_store_id
