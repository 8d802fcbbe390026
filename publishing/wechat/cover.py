"""The generated cover of a WeChat article: a 900 × 383 JPEG (2.35:1) drawn with Pillow in the bulletin's style.

WeChat shows the cover twice: whole (2.35:1) above the article in the subscribers' feed, and cropped to a square
on share cards and in chats. The draft says which parts through pic_crop_235_1 and pic_crop_1_1 (draft/add,
https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add): "X1_Y1_X2_Y2", the corners
of the crop in coordinates normalised to the image (top left 0,0, bottom right 1,1), at most six decimals. This
cover uses the whole image and its centred square, and everything that must be read (the series' title, the
date, the headline) is drawn inside that square, on a paper-coloured card; the sides are the bulletin's red with
a light hatching, so the wide crop reads as a poster and the square as the card alone.

Text is set in Noto Sans / Serif CJK SC, found through fontconfig (publishing.render.fonts.find_face), wrapped by
character with the Chinese line-breaking rules (no line starts with a closing mark or ends with an opening one),
never cut without an ellipsis and never outside TEXT_BOX: a long headline is set smaller, then cut.
"""

from __future__ import annotations

import functools
import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from publishing.render.context import LANGUAGE
from publishing.render.fonts import find_face

WIDTH, HEIGHT = 900, 383
SIZE = (WIDTH, HEIGHT)
# The centred square (WeChat's share-card crop): x from 258.5 to 641.5 of 900.
SQUARE_LEFT = (WIDTH - HEIGHT) / 2
SQUARE = (round(SQUARE_LEFT), 0, round(SQUARE_LEFT) + HEIGHT, HEIGHT)
CROP_235_1 = "0_0_1_1"
CROP_1_1 = f"{SQUARE_LEFT / WIDTH:.6f}_0_{(SQUARE_LEFT + HEIGHT) / WIDTH:.6f}_1"

RED = (200, 22, 29)  # #c8161d, the bulletin's red (templates/publishing/wechat.css)
RED_HATCH = (186, 18, 26)
PAPER = (251, 248, 243)
INK = (26, 26, 26)
GREY = (102, 102, 102)
# Inside the card, the text keeps this far from its edges: a headline of any length stays in TEXT_BOX.
MARGIN_X, MARGIN_Y = 30, 30
TEXT_BOX = (SQUARE[0] + MARGIN_X, MARGIN_Y, SQUARE[2] - MARGIN_X, HEIGHT - MARGIN_Y)

SANS_BOLD = "Noto Sans CJK SC:style=Bold"
SANS = "Noto Sans CJK SC:style=Regular"
SERIF_BOLD = "Noto Serif CJK SC:style=Bold"
TITLE_SIZES = range(34, 19, -1)
HEADLINE_SIZES = range(26, 17, -1)
HEADLINE_LINES = 4
DATE_SIZE = 16
RULE_GAP = 14
HEADLINE_GAP = 26
ELLIPSIS = "…"
JPEG_QUALITY = 90

# Chinese line breaking (JIS X 4051 / W3C clreq "kinsoku"): marks that never start a line, and that never end one.
NO_START = set("，。、；：！？）》」』】〕〉”’…—·%,.;:!?)]}")
NO_END = set("（《「『【〔〈“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+/%]*|\s+|.", re.DOTALL)


class CoverUnavailable(RuntimeError):
    """No Chinese font to draw the cover with; `str(error)` says so to the admin."""


@functools.cache
def _face(pattern: str) -> tuple[str, int]:
    face = find_face(pattern)
    if face is None:
        raise CoverUnavailable(
            _("服务器上没有中文字体（%(font)s），无法生成封面：请上传封面图片，或安装 Noto CJK 字体。")
            % {"font": pattern.split(":", 1)[0]}
        )
    return face


@functools.cache
def _coverage(pattern: str) -> frozenset[int]:
    """The code points the face of `pattern` has glyphs for (its best Unicode cmap)."""
    path, index = _face(pattern)
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def drawable(text: str, pattern: str) -> str:
    """`text` without the characters the face of `pattern` cannot draw (an emoji in a headline: the cover's CJK
    face has none, and Pillow would draw an empty box), its spaces collapsed."""
    covered = _coverage(pattern)
    kept = "".join(c if ord(c) in covered or c.isspace() else " " for c in text)
    return " ".join(kept.split())


@functools.lru_cache(maxsize=64)
def _font(pattern: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = _face(pattern)
    return ImageFont.truetype(path, size, index=index)


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """`text` in lines no wider than `width`: broken between characters (Chinese) or words (Latin runs such as
    "AI" or "2026"), never before a NO_START mark or after a NO_END one (the tokens around such a break move to
    the next line together). A word wider than a line is split."""
    tokens: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        if not token.isspace() and _width(font, token) > width:
            tokens.extend(token)  # one word wider than the line: by characters
        else:
            tokens.append(token)
    lines: list[list[str]] = []
    line: list[str] = []
    for token in tokens:
        if not line or _width(font, "".join(line) + token) <= width:
            line.append(token)
            continue
        if token.isspace():
            lines.append(line)
            line = []
            continue
        carried = [token]
        # Take tokens along from the end of the line while the next line would start with a closing mark or the
        # line would end with an opening one; a line is never emptied for it.
        while len(line) > 1 and (carried[0][0] in NO_START or line[-1][-1] in NO_END):
            carried.insert(0, line.pop())
        lines.append(line)
        line = carried
    if line:
        lines.append(line)
    return [joined for joined in ("".join(tokens_).strip() for tokens_ in lines) if joined]


def _with_ellipsis(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The longest start of `text` that fits `width` with ELLIPSIS after it."""
    text = text.rstrip()
    while text and _width(font, text + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip(" ，、；：,;:·—") + ELLIPSIS


def balanced(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """`text` wrapped to `width` in as few lines as that takes, with the lines as even as they can be: the
    narrowest measure that still needs no more lines (a headline of two lines reads as two halves, not a full
    line and a word)."""
    lines = wrap(text, font, width)
    if len(lines) < 2:
        return lines
    low, high = width / 2, width
    while high - low > 1:
        middle = (low + high) / 2
        if len(wrap(text, font, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap(text, font, high)


def fit_lines(
    text: str, pattern: str, sizes: range, width: float, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` takes at most `max_lines` lines of `width` (balanced); at the
    smallest, the first `max_lines` lines with the last ending in an ellipsis."""
    for size in sizes:
        font = _font(pattern, size)
        lines = wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, balanced(text, font, width)
    kept = lines[:max_lines]
    rest = "".join(lines[max_lines - 1 :])
    kept[-1] = _with_ellipsis(rest, font, width)
    return font, kept


def _line_height(font: ImageFont.FreeTypeFont, factor: float) -> int:
    return round(font.size * factor)


def _hatched_background() -> Image.Image:
    image = Image.new("RGB", SIZE, RED)
    draw = ImageDraw.Draw(image)
    for x in range(-HEIGHT, WIDTH, 14):
        draw.line([(x, HEIGHT), (x + HEIGHT, 0)], fill=RED_HATCH, width=3)
    return image


def cover_canvas(*, title: str, headline: str, date: str, number: int | None) -> Image.Image:
    """The cover as a Pillow image (RGB, SIZE); `cover_image` encodes it."""
    image = _hatched_background()
    draw = ImageDraw.Draw(image)
    draw.rectangle(SQUARE, fill=PAPER)
    # A thin red frame inside the card, as the bulletin's masthead rules.
    inset = 12
    draw.rectangle(
        (SQUARE[0] + inset, inset, SQUARE[2] - 1 - inset, HEIGHT - 1 - inset), outline=RED, width=1
    )
    width = TEXT_BOX[2] - TEXT_BOX[0]

    title, headline = drawable(title, SANS_BOLD), drawable(headline, SERIF_BOLD)
    title_font, title_lines = fit_lines(title, SANS_BOLD, TITLE_SIZES, width, 1 if headline else 2)
    date_text = date
    if number:
        date_text = _("第 %(number)s 期 · %(date)s") % {"number": number, "date": date} if date else ""
    date_font, date_lines = fit_lines(date_text, SANS, range(DATE_SIZE, 11, -1), width, 1)
    headline_font, headline_lines = (None, [])
    if headline:
        headline_font, headline_lines = fit_lines(headline, SERIF_BOLD, HEADLINE_SIZES, width, HEADLINE_LINES)

    centre = (SQUARE[0] + SQUARE[2]) / 2
    # Title, a short rule, the date, the headline: one block, centred in the text box, measured first and drawn
    # (each line placed by the top of its em box: Pillow's "mt" anchor).
    rows: list[tuple[str, object, tuple, int]] = [
        (line, title_font, RED, _line_height(title_font, 1.3)) for line in title_lines
    ]
    rows.append(("rule", None, RED, 2 + 2 * RULE_GAP if date_lines else RULE_GAP))
    rows += [(line, date_font, GREY, _line_height(date_font, 1.5)) for line in date_lines]
    if headline_lines:
        rows.append(("gap", None, None, HEADLINE_GAP))
        rows += [(line, headline_font, INK, _line_height(headline_font, 1.45)) for line in headline_lines]
        # The last line needs its glyphs' height, not a whole line's.
        text, font, fill, _step = rows[-1]
        rows[-1] = (text, font, fill, font.size)
    height = sum(step for *_rest, step in rows)
    y = TEXT_BOX[1] + max(0, (TEXT_BOX[3] - TEXT_BOX[1] - height) / 2)
    for text, font, fill, step in rows:
        if font is not None:
            draw.text((centre, y), text, font=font, fill=fill, anchor="mt")
        elif text == "rule":
            top = y + (RULE_GAP if date_lines else RULE_GAP / 2)
            draw.rectangle((centre - 24, top, centre + 24, top + 1), fill=RED)
        y += step
    return image


def cover_image(*, title: str, headline: str, date: str, number: int | None) -> bytes:
    """The cover of an issue as JPEG bytes, SIZE pixels: the series' `title` (the masthead's), the issue's
    `number` (期号, left out when None) and `date` as printed ("2026 年 6 月 28 日"), and its `headline` ("" for
    none: the title and date alone). Raises CoverUnavailable when the server has no CJK font."""
    buffer = io.BytesIO()
    with translation.override(LANGUAGE):  # the cover is in the language, whoever pushes
        canvas = cover_canvas(title=title, headline=headline, date=date, number=number)
    # 4:4:4: chroma subsampling would smear the red strokes of the title.
    canvas.save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    return buffer.getvalue()
