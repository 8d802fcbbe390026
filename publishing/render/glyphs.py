"""The pre-publication check that every character of a PDF has a glyph: a character no font can draw is named
and the render refused, rather than printed as an empty box (.notdef) that only a log line would tell.

What the PDF can draw is what Pango can find: the faces of the stylesheet's font-family lists
(templates/publishing/pdf.css: the compact cuts, Noto CJK, Noto Color Emoji, HanaMin) and, past them, any font
fontconfig knows, which is where Pango falls back to (FcFontSort). So the coverage is the union of the character
sets of the system's fonts, read once per process from fontconfig's cache (`fc-list`, some 20 ms) and kept as
merged ranges; the check itself is a look-up per distinct character of the document (well under a millisecond
for an issue). The compact cuts of publishing/render/fonts.py are subsets of system faces, so they add nothing.
"""

from __future__ import annotations

import bisect
import functools
import html
import logging
import re
import shutil
import subprocess
import unicodedata

logger = logging.getLogger(__name__)

# Drawn as nothing, by design (Unicode's default-ignorable and layout characters): controls the cleaner keeps
# (tab, newline), format characters (joiners, tags of emoji flag sequences), spaces and separators, and the
# variation selectors that pick an emoji's or an ideograph's form. HarfBuzz and Pango shape them without a glyph.
_UNDRAWN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0x180B, 0x180F), (0xE0100, 0xE01EF))

_TAG = re.compile(r"<[^>]*>")


def _parse_charset(text: str) -> list[tuple[int, int]]:
    """fontconfig's charset notation, "20-7e a0 a2-ff …" (hexadecimal code points and ranges), as
    [(first, last), …]."""
    ranges = []
    # Fonts of one family share most of their ranges: each distinct token once (70 fonts, 4,000 tokens).
    for token in set(text.split()):
        first, _dash, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    return ranges


def _merge(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for first, last in sorted(ranges):
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


@functools.cache
def coverage() -> tuple[list[int], list[int]] | None:
    """(starts, ends) of the merged code point ranges some installed font maps, or None when fontconfig's
    fc-list is not there to say (the check is then skipped, with a warning: it cannot tell)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        logger.warning("fc-list not found: the PDF's characters cannot be checked for missing glyphs.")
        return None
    listed = subprocess.run(
        [fc_list, "--format=%{charset}\n"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    ranges = _parse_charset(listed)
    if not ranges:
        logger.warning("fontconfig lists no font: the PDF's characters cannot be checked for missing glyphs.")
        return None
    return _merge(ranges)


def is_drawn_without_glyph(code: int) -> bool:
    """Whether the character at `code` is laid out without a glyph of its own (spaces, controls, joiners,
    variation selectors), so that no font needs to cover it."""
    if any(first <= code <= last for first, last in _VARIATION_SELECTORS):
        return True
    return unicodedata.category(chr(code)) in _UNDRAWN_CATEGORIES


def missing_glyphs(text: str) -> list[str]:
    """The distinct characters of `text` that no installed font can draw, in order of first appearance; [] when
    every character has a glyph or the coverage is unknown. `text` is plain text: see `document_text` for HTML."""
    ranges = coverage()
    if ranges is None:
        return []
    starts, ends = ranges
    missing = []
    # dict.fromkeys: the distinct characters, in order, in one C-level pass over the text.
    for char in dict.fromkeys(text):
        code = ord(char)
        if code < 0x7F:
            continue  # ASCII: every text face has it, and the markup is made of it
        index = bisect.bisect_right(starts, code) - 1
        if index >= 0 and code <= ends[index]:
            continue
        if not is_drawn_without_glyph(code):
            missing.append(char)
    return missing


def document_text(markup: str) -> str:
    """The characters an HTML document prints: its text with character references decoded, the tags dropped
    with their attributes (links, classes, alt text are not drawn; a URL shown is also the element's text)."""
    return html.unescape(_TAG.sub(" ", markup))
