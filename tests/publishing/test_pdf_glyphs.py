"""Every character of the PDF is drawn: emoji in colour from Noto Color Emoji, rare ideographs from the full Noto
CJK or HanaMin faces, and a character no font has is refused before layout, with its code point named."""

from __future__ import annotations

import io
import logging
from collections import Counter

import pytest
from django.urls import reverse
from pypdf import PdfReader

from publishing.models import Rendition, RenditionStatus
from publishing.render import render_pdf
from publishing.render.errors import MissingGlyphs
from publishing.render.glyphs import document_text, missing_glyphs
from publishing.render.pdf import html_to_pdf
from publishing.renditions import issue_content_hash, rendition_render
from tests.conftest import SAMPLE
from tests.publishing import renditions_support

media = renditions_support.media

EMOJI_FONT = "Noto-Color-Emoji"


def drawn_runs(page) -> list[tuple[str, str]]:
    """(text, font name without its subset tag) of every text run the page shows."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            runs.append((text, str(font["/BaseFont"]).split("+", 1)[-1]))

    page.extract_text(visitor_text=visit)
    return runs


def emoji_images(page):
    """The bitmaps WeasyPrint draws for a colour emoji font's glyphs: image XObjects named after the font's
    subset tag, as PIL images."""
    tags = {
        str(ref.get_object()["/BaseFont"]).split("+", 1)[0].lstrip("/")
        for ref in page["/Resources"]["/Font"].values()
        if EMOJI_FONT in str(ref.get_object()["/BaseFont"])
    }
    return [image.image for image in page.images if any(image.name.startswith(f"i{tag}") for tag in tags)]


def is_colourful(image) -> bool:
    """A fifth of the visible pixels in a saturated colour: an emoji, not an empty box or a blank."""
    rgba = image.convert("RGBA")
    colours = rgba.getcolors(maxcolors=rgba.width * rgba.height)
    visible = sum(count for count, pixel in colours if pixel[3] > 128)
    saturated = sum(
        count for count, pixel in colours if pixel[3] > 128 and max(pixel[:3]) - min(pixel[:3]) > 80
    )
    return visible > 100 and saturated > visible / 5


@pytest.fixture
def emoji_issue(draft_issue):
    draft_issue.headline = "算力与能源🔥"
    draft_issue.save(update_fields=["headline"])
    section = draft_issue.sections.get(position=1)
    section.headline = "第1条标题👉"
    section.body = "<p>新闻✅已落地</p>"
    section.save(update_fields=["headline", "body"])
    return draft_issue


def test_emoji_in_the_headline_contents_section_heading_and_body_are_drawn_in_colour(emoji_issue):
    reader = PdfReader(io.BytesIO(render_pdf(emoji_issue)))
    page = reader.pages[0]

    runs = drawn_runs(page)
    by_font = Counter((text, font) for text, font in runs if text in {"🔥", "👉", "✅"})
    # The headline and the section heading are bold, the contents entry and the body regular.
    assert by_font[("🔥", f"{EMOJI_FONT}-Bold")] == 1
    assert by_font[("👉", f"{EMOJI_FONT}-Bold")] == 1
    assert by_font[("👉", EMOJI_FONT)] == 1
    assert by_font[("✅", EMOJI_FONT)] == 1
    images = emoji_images(page)
    assert len(images) == 4  # one bitmap per glyph and face: 🔥 and 👉 bold, 👉 and ✅ regular
    assert all(is_colourful(image) for image in images)
    # Digits and spaces ("第 1 期", "2026 年") stay in the text face: the emoji face maps nothing below U+0100.
    assert not [text for text, font in runs if font.startswith(EMOJI_FONT) and any(c.isascii() for c in text)]


@pytest.mark.django_db
def test_ideographs_outside_gb2312_are_drawn_from_the_full_faces(caplog):
    # 㐀 (extension A), 龘 and 堃 (not in GB 2312), 𠀀 (extension B, which Noto CJK lacks: HanaMin has it).
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf("<p>㐀龘堃𠀀</p><h2>标题𠀀</h2>")

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {char: font for text, font in drawn_runs(page) for char in text}
    assert fonts["㐀"] == fonts["龘"] == fonts["堃"] == "Noto-Serif-CJK-SC"
    assert fonts["𠀀"].startswith("HanaMin")
    assert ".notdef" not in caplog.text


@pytest.mark.django_db
def test_a_private_use_character_is_refused_before_layout_with_its_code_point(emoji_issue):
    emoji_issue.sections.filter(position=2).update(body="<p>厂商自造字\ue000与\U000f0001</p>")

    with pytest.raises(MissingGlyphs) as refused:
        render_pdf(emoji_issue)

    assert refused.value.characters == ["\ue000", "\U000f0001"]
    assert "U+E000" in str(refused.value) and "U+F0001" in str(refused.value)
    assert "空框" in str(refused.value)


def test_the_refusal_fails_the_pdf_rendition_with_its_message(draft_issue, media):
    draft_issue.sections.filter(position=1).update(body="<p>自造字\ue000</p>")
    rendition = Rendition.objects.create(
        issue=draft_issue, kind="pdf", content_hash=issue_content_hash(draft_issue)
    )

    rendition_render(rendition_id=rendition.pk)

    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.FAILED
    assert "U+E000" in rendition.error and "空框" in rendition.error
    assert not rendition.file


def test_the_newsroom_pdf_preview_shows_the_refusal_as_a_422_page(client, writer, draft_issue):
    draft_issue.sections.filter(position=1).update(body="<p>自造字\ue000</p>")
    client.force_login(writer)

    response = client.get(reverse("newsroom:preview_pdf", args=[draft_issue.pk]))

    assert response.status_code == 422
    assert "U+E000" in response.content.decode()


def test_nothing_that_is_drawn_is_named_missing():
    text = (
        SAMPLE.read_text(encoding="utf-8")
        + "据 Reuters 报道，31GW→66GW；«Ñandú» Łódź ĀĒ ∑∫≈≤√ ℃ № ①②【】《》“”‘’…—·～"
        # Emoji, with a presentation selector, a skin tone, a joined sequence, a flag and a keycap.
        + "👉✅🔥❤️👍🏽👩‍💻🇨🇳1️⃣"
        # What the cleaner leaves that is laid out without a glyph: tab, newline, spaces.
        + "\t\n\u00a0\u3000\u2003"
        + "㐀龘堃𠀀𠮷"
    )

    assert missing_glyphs(text) == []


def test_each_character_without_a_glyph_is_named_once_in_order_of_appearance():
    text = "甲\U000f0000乙\ue000丙\u0378丁\ue000"

    assert missing_glyphs(text) == ["\U000f0000", "\ue000", "\u0378"]


def test_the_document_text_decodes_references_and_ignores_attributes():
    markup = '<p title="\ue001">&#xE000;与&amp;</p><img alt="\ue002" src="x.png">'

    assert missing_glyphs(document_text(markup)) == ["\ue000"]


def test_the_refusal_names_twenty_characters_and_counts_the_rest():
    characters = [chr(0xE000 + n) for n in range(25)]

    message = str(MissingGlyphs(characters))

    assert "U+E013" in message and "U+E014" not in message
    assert "25" in message
