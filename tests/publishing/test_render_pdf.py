"""The PDF of the sample issue, read back with pypdf: pages, contents, text, fonts, metadata, bookmarks."""

from __future__ import annotations

import io
import re
import time
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils.html import strip_tags
from pypdf import PdfReader

from publishing.render import build_context, pdf, render_pdf
from publishing.render.errors import RenderTimeout, RenderTooLarge
from publishing.render.pdf import css_string, html_to_pdf, page_footer_content
from tests.publishing.conftest import import_sample

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout did."""
    return _SPACE.sub("", text)


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """The sample issue rendered once for the whole module (a PDF render is the slow part of these tests)."""
    with django_db_blocker.unblock(), transaction.atomic():
        issue = import_sample()
        context = build_context(issue)
        pdf = render_pdf(issue, context=context)
        transaction.set_rollback(True)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() or "" for page in reader.pages]
    return SimpleNamespace(pdf=pdf, context=context, reader=reader, pages=pages)


def body_text(sample) -> str:
    """The text of all pages in order, without the running header and footer."""
    title = sample.context["masthead"]["title"]
    parts = []
    for number, text in enumerate(sample.pages, start=1):
        text = squash(text)
        text = re.sub(r"第\d+页/共\d+页", "", text)
        if number > 1:
            text = text.replace(title, "", 1)
        parts.append(text)
    return "".join(parts)


def contents_pages(sample) -> dict[str, int]:
    first = squash(sample.pages[0])
    pages = {}
    for section in sample.context["sections"]:
        match = re.search(re.escape(squash(section["heading"])) + r"[.·…]*(\d+)", first)
        assert match, f"{section['heading']} is not in the contents"
        pages[section["heading"]] = int(match[1])
    return pages


def test_the_sample_is_four_a4_pages_with_page_n_of_m_footers(sample):
    assert sample.pdf.startswith(b"%PDF-")
    assert len(sample.reader.pages) == 4
    for number, page in enumerate(sample.reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert f"第{number}页/共4页" in squash(sample.pages[number - 1])


def test_the_running_header_carries_the_series_title_after_the_first_page(sample):
    for text in sample.pages[1:]:
        assert "新质生产力每日动态" in text


def test_every_section_headline_is_on_the_page_the_contents_says(sample):
    pages = contents_pages(sample)

    assert sorted(pages.values()) == list(pages.values())
    for heading, page in pages.items():
        text = squash(sample.pages[page - 1])
        # Page 1 also holds the contents, where every heading is printed once.
        expected = 2 if page == 1 else 1
        assert text.count(squash(heading)) >= expected, f"{heading} is not on page {page}"
        for earlier in range(1, page):
            assert squash(sample.pages[earlier - 1]).count(squash(heading)) == (1 if earlier == 1 else 0)


def test_bookmarks_point_at_the_sections_pages(sample):
    outline = {
        item.title: sample.reader.get_destination_page_number(item) + 1 for item in sample.reader.outline
    }

    for heading, page in contents_pages(sample).items():
        assert outline[heading] == page
    assert {"摘要", "目录", "参考文献"} <= outline.keys()


def test_all_the_text_is_extractable_in_reading_order(sample):
    text = body_text(sample)
    context = sample.context

    assert squash(context["summary"]) in text
    position = 0
    for section in context["sections"]:
        for html in (section["news_html"], section["analysis_html"]):
            for paragraph in re.findall(r"<p>(.*?)</p>", html, flags=re.S):
                chunk = squash(strip_tags(paragraph))
                found = text.find(chunk, position)
                assert found >= 0, f"not extractable in order: {chunk[:30]}…"
                position = found + len(chunk)
    for citation in context["citations"]:
        assert squash(f"{citation['position']}.{citation['entry']}") in text
    for block in context["footer"]["about"]:
        assert squash(block["body"]) in text


def test_every_font_is_embedded_and_none_is_type3(sample):
    seen = set()
    for page in sample.reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            assert font["/Subtype"] != "/Type3"
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]
            assert "/ToUnicode" in font
            seen.add(str(font["/BaseFont"]).split("+", 1)[-1])
    # The compact cuts of Noto Serif CJK SC and Noto Sans CJK SC Bold (publishing/render/fonts.py).
    assert seen == {"Xinzhi-Serif-SC", "Xinzhi-Sans-SC-Bold"}


@pytest.mark.django_db
def test_a_character_outside_the_compact_fonts_falls_back_to_the_full_noto_font():
    # 堃 and 𠮷 are not in GB 2312: Pango takes them from Noto Serif CJK SC, which is embedded too.
    pdf = html_to_pdf("<p>王堃与𠮷野家</p>")

    reader = PdfReader(io.BytesIO(pdf))
    assert squash(reader.pages[0].extract_text()) == "王堃与𠮷野家"
    names = {
        str(ref.get_object()["/BaseFont"]).split("+", 1)[-1]
        for ref in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert names == {"Xinzhi-Serif-SC", "Noto-Serif-CJK-SC"}


def test_the_metadata_names_the_issue_its_publisher_date_and_language(sample):
    meta = sample.reader.metadata

    assert meta.title == "新质生产力每日动态 · 2026 年 6 月 28 日"
    assert meta.author == "中国高技术产业发展促进会新质生产力工作委员会"
    assert meta.creation_date.date().isoformat() == "2026-06-28"
    assert sample.reader.trailer["/Root"]["/Lang"] == "zh-Hans"


def test_the_footer_page_has_the_contact_heading_qr_codes_and_website(sample):
    last = squash(sample.pages[-1])

    assert "联系我们，请扫描二维码" in last
    assert "网站地址：https://gyznswn.cn" in last
    page = sample.reader.pages[-1]
    images = {
        name
        for name, ref in page["/Resources"]["/XObject"].items()
        if ref.get_object()["/Subtype"] == "/Image"
    }
    drawn = [
        name
        for name in re.findall(rb"(/[^\s/]+) Do", page.get_contents().get_data())
        if name.decode() in images
    ]
    # The website's code; the account's is printed without an address and waits for its picture (issue 12).
    assert len(drawn) == len(sample.context["footer"]["qr_codes"]) == 1


def test_the_page_footer_is_built_from_the_translated_pattern():
    assert page_footer_content() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'


def test_css_strings_cannot_break_out_of_the_style_element():
    assert css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3c /style>"'


@pytest.mark.django_db
# The alarm may land in a finalizer, where Python drops the exception with a warning; the next alarm stops the
# render (see the next test).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_render_over_its_time_budget_stops_with_a_clear_error():
    html = "<html><body>" + "<p>新质生产力</p>" * 2000 + "</body></html>"

    with pytest.raises(RenderTimeout, match="超时"):
        html_to_pdf(html, timeout=0.05)


def test_a_deadline_swallowed_once_still_stops_the_render():
    # As when the alarm lands in a finalizer run by the garbage collector: Python prints and drops the exception.
    swallowed = 0
    started = time.monotonic()
    with pytest.raises(RenderTimeout, match="超时"), pdf.time_budget(0.05):
        while time.monotonic() - started < 5:
            try:
                time.sleep(0.01)
            except pdf._DeadlineReached:
                swallowed += 1
                if swallowed > 1:
                    raise
    assert swallowed == 2
    assert time.monotonic() - started < 1


def test_an_oversized_document_is_refused_before_layout(settings):
    settings.PUBLISHING_RENDER_MAX_HTML_BYTES = 1000

    with pytest.raises(RenderTooLarge, match="过大"):
        html_to_pdf("<p>" + "字" * 1000 + "</p>")


def test_a_document_with_too_many_pages_is_refused(settings):
    settings.PUBLISHING_RENDER_MAX_PAGES = 1

    with pytest.raises(RenderTooLarge, match="页数过多"):
        html_to_pdf("<p>一</p><p style='break-before: page'>二</p>")


def test_a_numbered_list_with_a_start_is_numbered_from_it_in_the_pdf(draft_issue):
    """WeasyPrint ignores <ol start>: the PDF must still number 3, 4 as the web page and WeChat do."""
    from editorial.models import Section

    Section.objects.filter(issue=draft_issue, position=1).update(
        body='<ol start="3"><li>第三项措施</li><li>第四项措施</li></ol><ol><li>另起一列</li></ol>'
    )

    text = squash(
        "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(render_pdf(draft_issue))).pages)
    )

    # pypdf extracts the list markers apart from the items' text, in the lists' order.
    assert "3.4.1." in text and "1.2." not in text
    assert "第三项措施第四项措施另起一列" in text


def test_list_starts_become_the_counter_weasyprint_reads():
    assert pdf.with_list_starts('<ol start="1"><li>a</li></ol><ol start="-2"></ol><ol><li>b</li></ol>') == (
        '<ol start="1" style="counter-reset: list-item 0"><li>a</li></ol>'
        '<ol start="-2" style="counter-reset: list-item -3"></ol><ol><li>b</li></ol>'
    )
