"""The zh-hans catalogue is complete: every translatable string in the code and templates has a
non-fuzzy Simplified Chinese translation, and the compiled catalogue matches the source."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from tests.conftest import require_service

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: entries with msgid, msgid_plural, msgstr values and flags."""
    entries, current, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {
            "flags": set(),
            "msgid": "",
            "msgid_plural": None,
            "msgstr": {},
            "obsolete": False,
        }
        if line.startswith("#~"):
            current["obsolete"] = True
            continue
        if line.startswith("#,"):
            current["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
        if m:
            key = m.group(1)
            value = m.group(3)
        elif line.startswith('"') and key:
            value = line[1:-1]
        else:
            continue
        if key == "msgctxt":
            current["msgctxt"] = current.get("msgctxt", "") + value
        elif key == "msgid":
            current["msgid"] += value
        elif key == "msgid_plural":
            current["msgid_plural"] = (current["msgid_plural"] or "") + value
        else:
            current["msgstr"][key] = current["msgstr"].get(key, "") + value
    if current:
        entries.append(current)
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def incomplete(entries: list[dict]) -> list[str]:
    return [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or not e["msgstr"] or any(not v for v in e["msgstr"].values())
    ]


def test_committed_zh_hans_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = parse_po(PO)
    assert len(entries) > 50
    assert incomplete(entries) == []


def test_every_translatable_string_in_the_source_is_in_the_catalogue(
    tmp_path, settings, monkeypatch
):
    """Re-extract the strings into a copy of the tree: nothing may appear untranslated."""
    require_service("GNU gettext", shutil.which("xgettext") is not None, "apt-get install gettext")
    src = tmp_path / "src"
    for name in ("coalition", "appeals", "config", "templates", "locale", "static"):
        if (ROOT / name).exists():
            shutil.copytree(
                ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
    # makemessages writes into the locale folder of the tree it runs in: run it in the copy.
    monkeypatch.chdir(src)
    settings.LOCALE_PATHS = [src / "locale"]
    call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    fresh = parse_po(src / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert incomplete(fresh) == []


def unescape(po_string: str) -> str:
    """Undo .po escapes (\\n, \\", \\t) while keeping UTF-8 text intact."""
    return po_string.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_compiled_catalogue_matches_the_source_catalogue():
    """The .mo Django loads says what the .po says (run `make messages` after editing the .po)."""
    with PO.with_suffix(".mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    singular = [e for e in parse_po(PO) if e["msgid_plural"] is None]
    for e in singular:
        msgid = unescape(e["msgid"])
        if e.get("msgctxt"):
            msgid = f"{unescape(e['msgctxt'])}\x04{msgid}"
        assert catalogue.gettext(msgid) == unescape(e["msgstr"]["msgstr"]), e["msgid"]
