"""Rows stored before cleaning existed, or written around the models (raw SQL), still render cleanly: the render
context cleans every string again, so the PDF's text stays extractable, the WeChat HTML passes its lint and no
output carries a control or invisible character."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from pypdf import PdfReader

from editorial.models import Correction, Section
from publishing.render import build_context, render_pdf, render_web, render_wechat
from publishing.render.lint import absolute_url
from publishing.render.wechat import list_start
from references.models import Citation, Source
from tests import corpus

# No line breaks (U+000B, U+0085): a one-line field turns those into a space, tested with the corpus.
DIRTY = "控\x00制\x01\x08\x1f\x7f\x80\x9f\ufffe\uffff字\u200b符\u00ad\ufeff\u202e反"
CLEAN = "控制字符反"


def raw_update(table: str, pk: int, **values) -> None:
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


@pytest.fixture
def dirty_issue(draft_issue, writer):
    # The NUL is stripped here: PostgreSQL cannot store it at all, so no row can hold it.
    dirty = DIRTY.replace("\x00", "")
    section = Section.objects.get(issue=draft_issue, position=1)
    source = Source.objects.create(outlet="国家数据局", title="来源", fingerprint="dirty")
    citation = Citation.objects.create(issue=draft_issue, source=source, position=1, note="用于")
    correction = Correction.objects.create(issue=draft_issue, note="更正", author=writer)
    raw_update("editorial_issue", draft_issue.pk, headline=f"标题{dirty}", summary=f"\u3000\u3000摘要{dirty}")
    raw_update(
        "editorial_section",
        section.pk,
        headline=f"条目{dirty}",
        body=f"<p>\u3000新闻{dirty}</p><p>&nbsp;</p>",
    )
    raw_update("references_source", source.pk, outlet=f"机构{dirty}", title=f"题名{dirty}")
    raw_update("references_citation", citation.pk, note=f"用于{dirty}")
    raw_update("editorial_correction", correction.pk, note=f"更正{dirty}")
    raw_update("editorial_series", draft_issue.series_id, publisher=f"主办{dirty}")
    return draft_issue


def test_the_context_cleans_every_stored_string_again(dirty_issue):
    context = build_context(dirty_issue)

    assert context["headline"] == f"标题{CLEAN}"
    assert context["summary_paragraphs"] == [f"摘要{CLEAN}"]
    assert context["sections"][0]["heading"] == f"一、条目{CLEAN}"
    assert context["sections"][0]["news_html"] == f"<p>新闻{CLEAN}</p>"
    assert context["citations"][0]["entry"].startswith(f"机构{CLEAN} | 题名{CLEAN}")
    assert context["citations"][0]["note"] == f"用于{CLEAN}"
    assert context["corrections"][0]["note"] == f"更正{CLEAN}"
    assert context["masthead"]["publisher"] == f"主办{CLEAN}"


def test_web_and_wechat_carry_no_control_or_invisible_character(dirty_issue):
    web = render_web(dirty_issue)
    wechat = render_wechat(dirty_issue)  # raises if the lint finds anything

    for output in (web, wechat):
        assert corpus.forbidden_chars(output) == []
        assert f"标题{CLEAN}" in output
        assert f"新闻{CLEAN}" in output


def test_the_pdf_text_of_dirty_rows_is_extractable_and_clean(dirty_issue):
    pdf = render_pdf(dirty_issue)

    text = corpus.squash("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    assert corpus.forbidden_chars(text) == []
    for expected in (
        f"标题{CLEAN}",
        f"摘要{CLEAN}",
        f"新闻{CLEAN}",
        f"一、条目{CLEAN}",
        f"用于{CLEAN}",
        f"更正{CLEAN}",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("start", "first"), [("9" * 5000, "999999999. "), ("x", "1. "), ("-2", "-2. "), (" 7 ", "7. ")]
)
def test_the_wechat_list_numbers_start_where_the_bounded_start_says(draft_issue, start, first):
    section = Section.objects.get(issue=draft_issue, position=1)
    raw_update(
        "editorial_section", section.pk, body=f'<ol start="{start}"><li>列表项</li><li>第二项</li></ol>'
    )

    wechat = render_wechat(draft_issue)

    assert f"{first}列表项" in wechat


def test_table_spans_and_list_starts_are_bounded_as_a_browser_bounds_them(draft_issue):
    section = Section.objects.get(issue=draft_issue, position=1)
    raw_update(
        "editorial_section",
        section.pk,
        body=(
            '<figure class="table"><table><tbody><tr><td colspan="100000" rowspan="99999999">格</td>'
            '<td colspan="x">二</td><td colspan="2">三</td></tr></tbody></table></figure>'
            f'<ol start="{"9" * 5000}"><li>列表项</li></ol><p><a href="https://example.org/">链接</a></p>'
        ),
    )

    news = build_context(draft_issue)["sections"][0]["news_html"]

    assert '<td colspan="1000" rowspan="65534">格</td><td>二</td><td colspan="2">三</td>' in news
    assert '<ol start="999999999">' in news
    assert '<figure class="table">' in news
    assert '<a href="https://example.org/" rel="noopener noreferrer">链接</a>' in news


def test_a_table_with_a_huge_colspan_still_renders_to_pdf(draft_issue):
    section = Section.objects.get(issue=draft_issue, position=1)
    raw_update(
        "editorial_section",
        section.pk,
        body='<table><tbody><tr><td colspan="100000">格</td></tr></tbody></table>',
    )

    pdf = render_pdf(draft_issue)

    assert "格" in "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("start", "first"), [("9" * 5000, 1), ("x", 1), ("١٢", 1), ("-2", -2), (" 7 ", 7), (None, 1)]
)
def test_the_wechat_renderer_reads_only_a_small_whole_number_as_a_list_start(start, first):
    assert list_start(start) == first


def test_footer_rows_written_around_the_models_still_render(draft_issue):
    series = draft_issue.series
    block = series.footer_blocks.get()
    raw_update("editorial_seriesfooterblock", block.pk, title="关于\x0b我们", body="第一行\x0b第二行")
    series.footer_blocks.create(position=2, title="空", body="x")
    raw_update("editorial_seriesfooterblock", series.footer_blocks.get(title="空").pk, body="\u200b")
    code = series.qr_codes.get()
    raw_update("editorial_seriesqrcode", code.pk, label="官方\u00ad公众号\x07")
    # An image code whose file is gone (a restored database without its media).
    raw_update("editorial_seriesqrcode", code.pk, url="", image="newsroom/qr/missing.png")

    context = build_context(draft_issue)
    wechat = render_wechat(draft_issue, context=context)
    pdf = render_pdf(draft_issue, context=context)

    assert context["footer"]["about"] == [{"title": "关于 我们", "body": "第一行\n第二行"}]
    assert [qr["label"] for qr in context["footer"]["qr_codes"]] == ["官方公众号"]
    assert "关于 我们" in wechat
    assert "关于" in "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_addresses_pythons_url_parser_refuses_leave_every_render_standing(draft_issue):
    section = Section.objects.get(issue=draft_issue, position=1)
    source = Source.objects.create(outlet="国家数据局", title="来源", fingerprint="bad-url")
    Citation.objects.create(issue=draft_issue, source=source, position=1, note="用于")
    raw_update("editorial_section", section.pk, body='<p><a href="//[zz">坏链接</a>正文</p>')
    raw_update("references_source", source.pk, url="http://[zz/")

    context = build_context(draft_issue)
    web = render_web(draft_issue, context=context)
    wechat = render_wechat(draft_issue, context=context)  # raises if the lint finds anything

    assert context["citations"][0]["url_display"] == "http://[zz/"
    assert "坏链接" in web
    # No reference number for an address nobody can open: the link's text runs on into the sentence.
    assert "坏链接正文" in wechat
    assert "http://[zz/" in wechat  # the citation prints its address as text, as stored
    # The sanitizer, run again on the way out, unwraps a link whose address the URL parser refuses.
    assert context["sections"][0]["news_html"] == "<p>坏链接正文</p>"
    pdf = render_pdf(draft_issue, context=context)
    assert "坏链接正文" in "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("//[zz", "https://a.org/", None),
        ("http://[::1", "", None),
        (" /media/x.png ", "https://a.org/", "https://a.org/media/x.png"),
        ("https://mp.weixin.qq.com/s/x", "", "https://mp.weixin.qq.com/s/x"),
    ],
)
def test_absolute_url_is_none_for_an_address_the_parser_refuses(url, base, expected):
    assert absolute_url(url, base) == expected
