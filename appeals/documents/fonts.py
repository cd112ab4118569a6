"""The fonts letters are typeset in: TrueType files embedded (as subsets) in every PDF, so each
character shows on any reader's machine — Chinese included. reportlab's built-in Helvetica and
STSong-Light are *not* embedded: a reader without them sees boxes (the "·" of a Chinese footer).

Latin, Greek, Cyrillic and most symbols come from DejaVu Sans; every character it lacks (Chinese,
full-width punctuation) from WenQuanYi Micro Hei. Both ship as Debian packages (fonts-dejavu-core,
fonts-wqy-microhei, installed by .ci/run); FONT_DIRS lists where they are looked for, and the
settings may add COALITION_PDF_FONT_DIRS.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

LATIN_FONT = "CoalitionSans"
CJK_FONT = "CoalitionCJK"
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/truetype",
)
FILES = {LATIN_FONT: ("DejaVuSans.ttf", 0), CJK_FONT: ("wqy-microhei.ttc", 0)}


class FontMissing(RuntimeError):
    pass


def _find(name: str) -> Path:
    dirs = [*getattr(settings, "COALITION_PDF_FONT_DIRS", ()), *FONT_DIRS]
    for folder in dirs:
        for path in Path(folder).rglob(name) if Path(folder).is_dir() else ():
            return path
    raise FontMissing(
        f"{name} not found in {dirs}: install fonts-dejavu-core and fonts-wqy-microhei"
    )


@lru_cache(maxsize=1)
def register_fonts() -> dict[str, TTFont]:
    """Register both fonts with reportlab once per process; return them by name."""
    fonts = {}
    for face, (filename, index) in FILES.items():
        font = TTFont(face, str(_find(filename)), subfontIndex=index)
        pdfmetrics.registerFont(font)
        fonts[face] = font
    return fonts


def _latin_has(char: str) -> bool:
    font = register_fonts()[LATIN_FONT]
    return char in "\n\t" or ord(char) in font.face.charToGlyph


def needs_cjk(char: str) -> bool:
    """Whether `char` must come from the CJK font (the Latin one has no glyph for it)."""
    return not _latin_has(char)


def font_for(text: str) -> str:
    """One face for a short line (a footer): the CJK one if any character needs it."""
    return CJK_FONT if any(needs_cjk(c) for c in text) else LATIN_FONT


def markup(text: str) -> str:
    """reportlab Paragraph markup with each run of characters in a face that has them."""
    parts = []
    for cjk, run in groupby(text, key=needs_cjk):
        chunk = escape("".join(run)).replace("\n", "<br/>")
        parts.append(f'<font face="{CJK_FONT}">{chunk}</font>' if cjk else chunk)
    return "".join(parts)
