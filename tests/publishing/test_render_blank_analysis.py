"""A blank analysis prints no analysis block in any output: no empty dashed box on the web page, in the PDF or
in the WeChat HTML, whatever markup without text the row holds."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from pypdf import PdfReader

from editorial import services
from editorial.models import Analysis
from publishing.render import build_context, render_pdf, render_web, render_wechat
from publishing.render.pdf import pdf_html

# What CKEditor, Word and WeChat leave in a field the writer emptied (the workflow counts each as blank).
BLANK_ANALYSES = [
    "<p>&nbsp;</p>",
    "<p>&nbsp;</p><p>&nbsp;</p>",
    "<p><br></p>",
    '<p><br data-cke-filler="true"></p>',
    "<p>\u3000\u3000</p>",
    "<p>\u00a0</p>",
    "   \n\t ",
    "<p> </p>\n<p></p>",
    "<p><strong>&nbsp;</strong></p>",
    "<p><script>alert(1)</script></p>",
    "<h3>\u3000</h3><blockquote><p>&#160;</p></blockquote>",
]


def store_analysis_around_the_model(section, body: str) -> None:
    """Write the analysis with raw SQL, as a row stored before cleaning existed would hold it."""
    Analysis.objects.update_or_create(section=section, defaults={"body": "<p>占位</p>"})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE editorial_analysis SET body = %s WHERE section_id = %s", [body, section.pk])


@pytest.mark.parametrize("blank", BLANK_ANALYSES)
def test_a_blank_analysis_leaves_no_analysis_block_on_the_web_page_or_in_the_wechat_html(draft_issue, blank):
    # draft_issue has two sections with real analyses; the second one's is made blank.
    issue = draft_issue
    second = issue.sections.order_by("position")[1]
    store_analysis_around_the_model(second, blank)

    context = build_context(issue)
    web = render_web(issue, context=context)
    wechat = render_wechat(issue, context=context)

    assert context["sections"][1]["analysis_html"] == ""
    # One block: the first section's real analysis, and nothing for the blank one.
    assert web.count('class="analysis"') == 1
    assert "评析1" in web
    assert wechat.count("dashed") == 1
    assert "评析1" in wechat
    assert pdf_html(context).count('class="analysis"') == 1


def test_a_blank_analysis_prints_no_block_in_the_pdf(draft_issue):
    second = draft_issue.sections.order_by("position")[1]
    store_analysis_around_the_model(second, "<p>&nbsp;</p><p><br></p><p>\u3000</p>")

    pdf = render_pdf(draft_issue)

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "评析1" in text
    assert "新闻2" in text
    # The PDF's HTML had one analysis block: a blank one would have drawn an empty dashed box after 新闻2.
    assert pdf_html(build_context(draft_issue)).count('class="analysis"') == 1


def test_an_analysis_with_only_an_image_is_not_blank(draft_issue):
    second = draft_issue.sections.order_by("position")[1]
    services.section_save(
        section=second,
        user=None,
        data={"analysis": '<figure class="image"><img src="/media/uploads/chart.png" alt="图表"></figure>'},
        version=second.version,
    )

    context = build_context(draft_issue)

    assert "chart.png" in context["sections"][1]["analysis_html"]
    assert render_web(draft_issue, context=context).count('class="analysis"') == 2
