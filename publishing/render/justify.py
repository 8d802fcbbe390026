"""Chinese justification for WeasyPrint: the slack of a justified line spread between characters.

WeasyPrint (through 70) justifies only at spaces (`weasyprint.layout.inline.justify_line` widens U+0020 and
U+00A0 through Pango's letter spacing) and has no `text-justify: inter-character`
(https://github.com/Kozea/WeasyPrint: layout/inline.py, text/line_break.py). In a Chinese paragraph that leaves
every line without a space ragged, and piles the slack of a mixed line into the few spaces around Latin words and
numbers (gaps of more than an em where a quarter em belongs).

What Chinese typesetting does instead (W3C clreq, "Line adjustment"; JLREQ 3.8): the slack is spread over the
adjustment opportunities of the line, which are the boundaries between two characters where at least one is a
Chinese character or full-width punctuation, and the spaces; Latin words keep their letter spacing, and the space
between Chinese and Latin text, about a quarter em, never grows beyond half an em.

How, and why this way: WeasyPrint calls `justify_line(context, line, extra_width)` for every line of a justified
paragraph except the last (and only when white space collapses), after the line is broken and measured. That is
the one place where the slack of a line is known, so `install()` replaces that function; lines whose language is
not Chinese (or that run right to left) still go to WeasyPrint's own. The replacement decides how much space
follows each character, moves the line's boxes accordingly, and hands the amounts to the text box's layout
(`SpacedLayout`), which adds them to the advances of the glyphs ending those characters when the text is drawn.
Nothing is laid out again: the line breaks, measured by Pango, stay as they are, and justifying costs a walk over
the line's characters. Considered and not taken: Pango letter-spacing attributes per character (each differently
spaced stretch becomes a run of its own, shaped separately, and Pango trims half the spacing at run edges, so
the line's length is no longer what was computed); inserting break opportunities or spaces into the text (it
changes the text, and still justifies at spaces only); a pass over the finished pages (it can no longer tell a
paragraph's last line from a line that happens to be short).

Line breaking itself stays Pango's (UAX #14, which already keeps ，。、；：？！）》」 off the start of a line and
（《「 off its end: the kinsoku rules of clreq).
"""

from __future__ import annotations

import logging
import math
import unicodedata

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline as weasy_inline
from weasyprint.text.ffi import TO_UNITS, ffi
from weasyprint.text.line_break import Layout

logger = logging.getLogger(__name__)

# The space between Chinese and Latin text never grows beyond this, in em (clreq 3.2.2: a quarter em by default,
# adjustable within limits).
MAX_MIXED_SPACE_EM = 0.5

# Characters whose halves are drawn as one: no adjustment inside a —— dash or an …… ellipsis (clreq 3.1.7/3.1.8).
_UNSPLITTABLE_PAIRS = frozenset("—…⋯")
_SPACES = frozenset(" \u00a0")
OBJECT = "\ufffc"
# Punctuation set full width in a Chinese font although Unicode puts it in general punctuation.
_FULL_WIDTH_PUNCTUATION = frozenset("“”‘’—…⋯·•")


def is_chinese(char: str) -> bool:
    """True for a character set on the em square: Han, kana, Hangul, CJK and full-width punctuation and forms."""
    code = ord(char)
    # Radicals, CJK symbols and punctuation, kana, ideographs and extension A; Hangul syllables; compatibility
    # ideographs; CJK compatibility forms; full-width forms; ideographs of extension B and on.
    return (
        (0x2E80 <= code <= 0x9FFF)
        or (0xAC00 <= code <= 0xD7AF)
        or (0xF900 <= code <= 0xFAFF)
        or (0xFE30 <= code <= 0xFE4F)
        or (0xFF00 <= code <= 0xFF60)
        or (0xFFE0 <= code <= 0xFFE6)
        or (0x20000 <= code <= 0x3FFFF)
        or char in _FULL_WIDTH_PUNCTUATION
    )


def _is_mark(char: str) -> bool:
    # Combining marks and joiners belong to the character before them: nothing goes between.
    return unicodedata.category(char) in ("Mn", "Me", "Mc", "Cf")


# Character classes for the adjustment: a space, a mark (or joiner), Chinese, anything else. Cached: a bulletin
# uses a few hundred distinct characters, and every justified line asks for each of its characters.
SPACE, MARK, CHINESE, OTHER = "space", "mark", "chinese", "other"
_classes: dict[str, str] = {}


def _class(char: str) -> str:
    found = _classes.get(char)
    if found is None:
        if char in _SPACES:
            found = SPACE
        elif _is_mark(char):
            found = MARK
        elif is_chinese(char):
            found = CHINESE
        else:
            found = OTHER
        _classes[char] = found
    return found


def _applies(style) -> bool:
    lang = (style["lang"] or "").lower()
    return (lang == "zh" or lang.startswith("zh-")) and style["direction"] == "ltr"


class SpacedLayout(Layout):
    """A WeasyPrint text layout that draws extra space after some characters.

    `spacing` maps the UTF-8 byte offset where a character ends, in the layout's text, to the space added after
    it in thousandths of an em (of the box's font size): the unit of the PDF's TJ adjustments, which WeasyPrint
    truncates to whole numbers, so that what is drawn is exactly what the line was measured with. It is added
    to the glyph advances once per Pango layout, when the first line is asked for (as the drawing code does
    after `reactivate`)."""

    spacing: dict[int, int]

    @classmethod
    def from_layout(cls, layout: Layout, spacing: dict[int, int]) -> SpacedLayout:
        spaced = cls.__new__(cls)
        spaced.__dict__.update(layout.__dict__)
        spaced.spacing = spacing
        spaced._spaced = False
        return spaced

    def set_text(self, text, justify=False):
        super().set_text(text, justify)
        self._spaced = False

    def get_first_line(self):
        first_line, index = super().get_first_line()
        if not self._spaced:
            self._spaced = True
            _widen_glyphs(first_line, self.spacing, self.style["font_size"])
        return first_line, index


def _widen_glyphs(line, spacing: dict[int, int], font_size: float) -> None:
    """Add `spacing[end]` thousandths of an em after the glyphs of the character ending at byte `end`: to the
    advance of the last glyph of its cluster (of the cluster holding it, for a character inside a ligature).
    Rounded up to Pango units, so that WeasyPrint's truncation of the TJ adjustment gives it back whole."""
    unit = font_size * TO_UNITS / 1000
    ends = sorted(spacing)
    next_end = 0
    run = line.runs
    # Left to right, runs and glyphs come in the order of the text.
    while run != ffi.NULL and next_end < len(ends):
        glyph_item = run.data
        run = run.next
        item = glyph_item.item
        glyphs = glyph_item.glyphs
        clusters = glyphs.log_clusters
        count = glyphs.num_glyphs
        for index in range(count):
            if index + 1 < count and clusters[index + 1] == clusters[index]:
                continue  # not the last glyph of its cluster
            cluster_end = item.offset + (clusters[index + 1] if index + 1 < count else item.length)
            thousandths = 0
            while next_end < len(ends) and ends[next_end] <= cluster_end:
                thousandths += spacing[ends[next_end]]
                next_end += 1
            if thousandths:
                glyphs.glyphs[index].geometry.width += math.ceil(thousandths * unit)


def _text_boxes(box, found: list) -> None:
    """The line's text boxes and atomic inline boxes, in logical order."""
    if isinstance(box, boxes.TextBox):
        found.append(box)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                _text_boxes(child, found)
    else:
        found.append(box)  # atomic: an image, an inline block


def adjustment_opportunities(text: str) -> list[tuple[int, str]]:
    """Where one line's `text` may take extra space: (index of the character after which it goes, kind).

    Kinds: "inter", between two characters at least one of which is Chinese; "mixed", a space next to Chinese
    text; "space", a space between Latin words. Nothing goes after the last character, inside a Latin word,
    inside a —— or ……, or before a combining mark. Examples: "数据" -> [(0, "inter")];
    "据 Reuters 报" -> [(1, "mixed"), (9, "mixed")]; "AI模型" -> [(1, "inter"), (2, "inter")]."""
    classes = [_class(char) for char in text]
    found = []
    for index in range(len(text) - 1):
        this, after = classes[index], classes[index + 1]
        if this is SPACE:
            mixed = (index > 0 and classes[index - 1] is CHINESE) or after is CHINESE
            found.append((index, "mixed" if mixed else "space"))
        elif after is SPACE or after is MARK or this is MARK:
            continue
        elif (this is CHINESE or after is CHINESE) and not (
            text[index] == text[index + 1] and text[index] in _UNSPLITTABLE_PAIRS
        ):
            found.append((index, "inter"))
    return found


def _space_width(style) -> float:
    # The space of the CJK faces is about a quarter em (Noto Serif CJK SC: 0.256 em); it only bounds how much a
    # space next to Chinese text may take.
    return 0.256 * style["font_size"]


def distribute(extra_width: float, kinds: list[str], *, font_size: float, space_width: float) -> list[float]:
    """Points added at each opportunity (kinds as from `adjustment_opportunities`) to absorb `extra_width`.

    Every opportunity takes the same share, except that a space next to Chinese text stops at half an em and
    the others take what it cannot. If nothing else is there to take it, those spaces share it all: the line
    must end at the edge. Returns one amount per kind, summing to `extra_width`."""
    if not kinds:
        return []
    cap = max(MAX_MIXED_SPACE_EM * font_size - space_width, 0.0)
    capped: set[int] = set()
    while True:
        free = len(kinds) - len(capped)
        share = (extra_width - cap * len(capped)) / free
        newly = {i for i, kind in enumerate(kinds) if kind == "mixed" and i not in capped and share > cap}
        if not newly:
            return [cap if i in capped else share for i in range(len(kinds))]
        if len(newly) == free:
            return [extra_width / len(kinds)] * len(kinds)
        capped |= newly


def justify_line(context, line, extra_width: float) -> None:
    """WeasyPrint's hook, with Chinese justification for Chinese lines (see the module's docstring)."""
    if not _applies(line.style):
        return _weasyprint_justify_line(context, line, extra_width)
    parts: list = []
    _text_boxes(line, parts)
    # An atomic box (an image, an inline block) stands in the text as U+FFFC: nothing is added after it, but
    # the character before it may take space.
    texts = [part.text if isinstance(part, boxes.TextBox) else OBJECT for part in parts]
    # Opportunities over the whole line, so that the boundary between two boxes (a link, bold text) counts too.
    joined = "".join(texts)
    opportunities = [(i, kind) for i, kind in adjustment_opportunities(joined) if joined[i] != OBJECT]
    if not opportunities:
        # Nothing Chinese and no space (a broken URL, a long number): spread between all the characters, the
        # line must still end at the edge.
        opportunities = [
            (i, "inter")
            for i in range(len(joined) - 1)
            if OBJECT not in joined[i : i + 2] and _class(joined[i + 1]) is not MARK
        ]
        if not opportunities:
            return None
    amounts = distribute(
        extra_width,
        [kind for _i, kind in opportunities],
        font_size=line.style["font_size"],
        space_width=_space_width(line.style),
    )
    # Character index in the line -> points after it; then, per text box, byte offset in its text -> whole
    # thousandths of an em after it, rounded so that the sum over the line stays within half of one of the
    # target.
    after = {i: amount for (i, _kind), amount in zip(opportunities, amounts, strict=True)}
    spacing_of: dict[int, dict[int, int]] = {}
    start = 0
    wanted = drawn = 0.0
    for part, text in zip(parts, texts, strict=True):
        spacing = {}
        offset = 0
        font_size = part.style["font_size"]
        for position, char in enumerate(text):
            offset += len(char.encode())
            amount = after.get(start + position)
            if amount:
                wanted += amount
                thousandths = round((wanted - drawn) * 1000 / font_size)
                if thousandths > 0:
                    spacing[offset] = thousandths
                    drawn += thousandths * font_size / 1000
        spacing_of[id(part)] = spacing
        start += len(text)
    _apply(line, spacing_of, 0.0)
    return None


def _apply(box, spacing_of: dict[int, dict[int, int]], x_advance: float) -> float:
    """Move and widen the boxes of the line by what was added before and inside them (as WeasyPrint's
    add_word_spacing does for its word spacing); returns the running advance."""
    if isinstance(box, boxes.TextBox):
        spacing = spacing_of.get(id(box))
        box.position_x += x_advance
        if spacing:
            box.justification_spacing = 0
            box.pango_layout = SpacedLayout.from_layout(box.pango_layout, spacing)
            added = sum(spacing.values()) * box.style["font_size"] / 1000
            box.width += added
            x_advance += added
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _apply(child, spacing_of, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


_weasyprint_justify_line = getattr(weasy_inline, "justify_line", None)


def install() -> None:
    """Make WeasyPrint justify Chinese lines with `justify_line` (idempotent; other languages are unchanged).

    The hook is an internal function of WeasyPrint (read in 70 and in its main branch of 2026); if a version no
    longer has it, WeasyPrint's own justification stays and a warning says so (and the geometry tests,
    tests/publishing/test_pdf_geometry.py, fail)."""
    if _weasyprint_justify_line is None:
        logger.warning(
            "WeasyPrint has no layout.inline.justify_line: Chinese justification is not installed."
        )
        return
    weasy_inline.justify_line = justify_line
