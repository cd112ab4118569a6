"""The letter PDF renders every character of a Chinese letter in fonts embedded in the file."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from appeals.documents.letters import render_letter
from appeals.documents.packets import letter_pdf
from appeals.models import Appeal
from coalition.models import Membership
from tests.appeals.builders import make_round
from tests.factories import GrievanceFactory, MembershipFactory, PlatformFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _chinese_round() -> Appeal:
    platform = PlatformFactory(legal_regimes=["eu_p2b", "eu_dsa", "cn_ecommerce"])
    g = GrievanceFactory(
        platform=platform, title="货款被冻结·第二季", summary="平台冻结了我们的货款。"
    )
    MembershipFactory(
        grievance=g,
        state=Membership.State.VERIFIED,
        seller=SellerFactory(country_of_establishment="DE"),
    )
    subject, body = render_letter(g, language="zh-hans", round_number=1)
    return make_round(g, Appeal.State.SIGNING, language="zh-hans", subject=subject, letter=body)


def _fonts(reader: PdfReader) -> dict[str, dict]:
    found = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            found[str(font["/BaseFont"])] = described.get("/FontDescriptor").get_object()
    return found


def test_every_character_of_the_chinese_letter_comes_back_from_the_pdf_in_embedded_fonts():
    appeal = _chinese_round()
    reader = PdfReader(io.BytesIO(letter_pdf(appeal, signer_count=1, evidence=[])))
    extracted = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    wanted = set(re.sub(r"\s", "", appeal.letter + appeal.subject)) | {"·"}
    missing = sorted(c for c in wanted if c not in extracted)
    assert missing == []
    assert "·" in appeal.subject  # the footer's and the title's middle dot
    fonts = _fonts(reader)
    assert fonts, "the PDF names its fonts"
    for name, descriptor in fonts.items():
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
