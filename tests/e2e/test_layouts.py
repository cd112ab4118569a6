"""Every page holds on a phone and on a desktop, in English and in Chinese: no sideways scrolling at
390 px or 1280 px, no Chinese text broken one character per line, and no English string of the
catalogue left untranslated on a zh-hans page. Screenshots of every page are saved under
var/screenshots/ so a person can look at them.

The live server's database is flushed after each test: the world is made here with factories.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from coalition.categories import Category, EvidenceKind
from coalition.models import Evidence
from tests.conftest import use_private_storage
from tests.factories import (
    AppealFactory,
    GrievanceFactory,
    MembershipFactory,
    OrganiserFactory,
    PlatformFactory,
    StoreFactory,
)
from tests.files import bring
from tests.test_translations import PO, parse_po, unescape

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (390, 1280)
LANGUAGES = ("en", "zh-hans")

# Text nodes of these are not the page's own words: user content, the letter the platform
# receives in English, code.
SKIP_SELECTOR = "pre, code, textarea, script, style, [lang^='en'], .letter, .user-content"


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    return use_private_storage(settings, tmp_path)


@pytest.fixture
def world(db):
    platform = PlatformFactory(name="Shopwise", slug="shopwise-layout")
    grievance = GrievanceFactory(
        platform=platform,
        category=Category.FUNDS_WITHHELD,
        title="Shopwise froze our payouts after the May policy change",
        summary="回款被冻结：五月政策调整后，平台冻结了我们的货款。" * 3,
    )
    organiser = OrganiserFactory(grievance=grievance, seller__display_name="Olivia Organiser")
    member = MembershipFactory(
        grievance=grievance,
        seller__display_name="梅 陈（深圳跨境电商有限公司）",
        seller__language="zh-hans",
        consent_to_name=True,
    )
    StoreFactory(
        seller=member.seller,
        platform=platform,
        name="深圳市跨境电子商务有限公司旗舰店（家居灯具与户外照明）",
        platform_store_id="SW-STORE-9988776655",
    )
    bring(
        member,
        name="平台通知-二〇二六年五月-货款冻结说明-最终版本.pdf",
        kind=EvidenceKind.PLATFORM_NOTICE,
        visibility=Evidence.Visibility.MEMBERS,
    )
    appeal = AppealFactory(
        grievance=grievance,
        state="signing",
        signing_opened_at=timezone.now(),
        signing_deadline=timezone.now() + timedelta(days=5),
    )
    return {"grievance": grievance, "organiser": organiser, "member": member, "appeal": appeal}


def pages(world) -> dict[str, str]:
    g, a = world["grievance"], world["appeal"]
    return {
        "home": "/",
        "grievance-list": "/grievances/",
        "grievance-new": "/grievances/new/",
        "grievance": g.get_absolute_url(),
        "evidence": f"/grievances/{g.pk}/evidence/",
        "round": a.get_absolute_url(),
        "my-cases": "/my-cases/",
        "board": "/board/",
        "stores": "/stores/",
        "profile": "/account/profile/",
        "health": "/health/",
        "report": "/report/",
    }


def catalogue_phrases() -> set[str]:
    """English source strings of the catalogue that are whole phrases (two words or more)."""
    found = set()
    for entry in parse_po(PO):
        if entry["msgid_plural"] or "%" in entry["msgid"] or "{" in entry["msgid"]:
            continue
        text = unescape(entry["msgid"]).strip()
        if len(text) >= 8 and " " in text and re.search(r"[A-Za-z]{3}", text):
            found.add(text)
    return found


LAYOUT_PROBE = """(skip) => {
  const root = document.documentElement;
  const overflow = Math.max(root.scrollWidth, document.body.scrollWidth) - window.innerWidth;
  // The outermost elements that stick out on the right, to say where the overflow comes from.
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1)) {
      wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' → ' + Math.round(box.right) + 'px');
    }
  }
  // Chinese text wrapped one character per line: an element at least 3 lines tall whose
  // content box is narrower than two characters of its font.
  const narrow = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childElementCount && /[\\u4e00-\\u9fff]{2,}/.test(el.textContent || '')) {
      const box = el.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(el).fontSize) || 16;
      if (box.width > 0 && box.width < 1.9 * size && box.height > 3 * size) {
        narrow.push(el.tagName + ': ' + el.textContent.trim().slice(0, 30));
      }
    }
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) texts.push(text);
  }
  return {overflow, narrow, texts, wide: wide.slice(0, 3)};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["member", "organiser"])
def test_every_page_fits_the_screen_and_speaks_the_viewers_language(
    world, login_page, live_server, who, language, width
):
    seller = world[who].seller
    seller.language = language
    seller.save(update_fields=["language"])
    page = login_page(seller.user, locale="zh-CN" if language == "zh-hans" else "en-US")
    page.set_viewport_size({"width": width, "height": 900})
    phrases = catalogue_phrases() if language == "zh-hans" else set()
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, url in pages(world).items():
        response = page.goto(live_server.url + url)
        assert response is not None and response.status < 400, (
            name,
            url,
            response and response.status,
        )
        assert page.locator("html").get_attribute("lang") == language, name
        found = page.evaluate(LAYOUT_PROBE, SKIP_SELECTOR)
        page.screenshot(path=str(SHOTS / f"{name}-{who}-{language}-{width}.png"), full_page=True)
        if found["overflow"] > 1:
            problems.append(
                f"{name}: scrolls sideways by {found['overflow']} px ({', '.join(found['wide'])})"
            )
        problems += [f"{name}: one character per line: {n}" for n in found["narrow"]]
        untranslated = sorted({t for t in found["texts"] if t in phrases})
        problems += [f"{name}: untranslated: {t!r}" for t in untranslated]
    print("\n".join(f"[{who} {language} {width}] {p}" for p in problems))
    assert problems == []
