"""The generated cover: a 900 × 383 JPEG whose text stays in the centred square, whatever the headline."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from PIL import Image, ImageChops

from publishing.wechat import cover
from publishing.wechat.cover import (
    CROP_1_1,
    CROP_235_1,
    NO_END,
    NO_START,
    SANS,
    SQUARE,
    TEXT_BOX,
    CoverUnavailable,
    cover_canvas,
    cover_image,
    fit_lines,
    wrap,
)

DATE = "2026 年 6 月 28 日"
TITLE = "新质生产力每日动态"
HEADLINES = {
    "none": "",
    "two": "算力",
    "sample": "数据要素落地、算力能源协同与 AI 基础设施约束",
    "sixty": "国家数据局发布高质量数据集建设指引，数据要素市场化配置改革进入以场景牵引、制度供给和基础设施协同推进的新阶段（附解读）",
    "huge": "数据要素" * 60,
    "latin": "Supercalifragilisticexpialidocious-and-then-some AI infrastructure constraints " * 3,
}


def text_pixels(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of everything drawn for the text: the difference from the same cover with no text."""
    blank = cover_canvas(title="", headline="", date="", number=None)
    # The short rule under the title moves with the text block; it is drawn in the text box too.
    return ImageChops.difference(image, blank).getbbox()


def inside(box, outer) -> bool:
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


@pytest.mark.parametrize("headline", HEADLINES.values(), ids=HEADLINES.keys())
def test_the_cover_is_a_900_by_383_jpeg_with_all_its_text_in_the_centred_square(headline):
    data = cover_image(title=TITLE, headline=headline, date=DATE, number=128)

    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("JPEG", (900, 383), "RGB")
    assert len(data) < 300_000
    drawn = text_pixels(cover_canvas(title=TITLE, headline=headline, date=DATE, number=128))
    assert drawn is not None and inside(drawn, TEXT_BOX)
    assert inside(TEXT_BOX, SQUARE)


def test_a_long_title_shrinks_then_takes_an_ellipsis_but_stays_in_the_box():
    canvas = cover_canvas(
        title="中国高技术产业发展促进会新质生产力工作委员会每日动态" * 2, headline="", date=DATE, number=None
    )

    assert inside(text_pixels(canvas), TEXT_BOX)


def test_a_headline_is_shrunk_to_fit_and_cut_only_with_an_ellipsis():
    width = TEXT_BOX[2] - TEXT_BOX[0]

    font, lines = fit_lines(
        HEADLINES["sixty"], cover.SERIF_BOLD, cover.HEADLINE_SIZES, width, cover.HEADLINE_LINES
    )
    assert "".join(lines) == HEADLINES["sixty"]  # all of it, smaller
    assert font.size < cover.HEADLINE_SIZES[0]

    font, lines = fit_lines(
        HEADLINES["huge"], cover.SERIF_BOLD, cover.HEADLINE_SIZES, width, cover.HEADLINE_LINES
    )
    assert len(lines) == cover.HEADLINE_LINES
    assert lines[-1].endswith("…")
    assert HEADLINES["huge"].startswith("".join(lines)[:-1])
    assert all(font.getlength(line) <= width for line in lines)


def test_lines_follow_the_chinese_line_breaking_rules():
    font = cover._font(SANS, 24)
    text = "数据要素（含“数据产权即服务”）、算力能源协同，与 AI 基础设施约束。今日要点：绿电、算力、数据！"

    for width in range(120, 330, 7):
        lines = wrap(text, font, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert not [line for line in lines[1:] if line[0] in NO_START]
        assert not [line for line in lines[:-1] if line[-1] in NO_END]
        # A Latin word is not split when it fits a line.
        assert "AI" in "\n".join(lines)


def test_the_crops_are_the_whole_image_and_its_centred_square_in_wechat_format():
    pattern = r"[01](\.\d{1,6})?_[01](\.\d{1,6})?_[01](\.\d{1,6})?_[01](\.\d{1,6})?"
    assert re.fullmatch(pattern, CROP_235_1) and re.fullmatch(pattern, CROP_1_1)
    assert CROP_235_1 == "0_0_1_1"
    x1, y1, x2, y2 = (float(value) for value in CROP_1_1.split("_"))
    assert (y1, y2) == (0, 1)
    assert round(x1 * 900, 1) == 258.5 and round(x2 * 900, 1) == 641.5  # 383 × 383, centred
    assert abs((x2 - x1) * 900 - 383) < 0.01


def test_without_a_chinese_font_the_cover_is_refused_with_a_message(monkeypatch):
    monkeypatch.setattr(cover, "find_face", lambda pattern: None)
    cover._face.cache_clear()
    cover._font.cache_clear()
    try:
        with pytest.raises(CoverUnavailable) as refused:
            cover_image(title=TITLE, headline="", date=DATE, number=None)
    finally:
        cover._face.cache_clear()
        cover._font.cache_clear()

    assert "中文字体" in str(refused.value) and "上传封面" in str(refused.value)


def test_the_cover_is_in_the_issues_language_whoever_pushes():
    chinese = cover_image(
        title="新质生产力每日动态", headline="数据要素", date="2026 年 6 月 28 日", number=12
    )
    with translation.override("en"):
        english_admin = cover_image(
            title="新质生产力每日动态", headline="数据要素", date="2026 年 6 月 28 日", number=12
        )

    assert english_admin == chinese


def test_characters_the_font_cannot_draw_are_left_out_of_the_cover_not_drawn_as_boxes():
    plain = cover_image(
        title="新质生产力每日动态", headline="数据要素落地", date="2026 年 6 月 28 日", number=None
    )
    with_emoji = cover_image(
        title="新质生产力每日动态", headline="👉数据要素落地🔥", date="2026 年 6 月 28 日", number=None
    )

    assert with_emoji == plain
