"""The one context the three renderers share."""

from __future__ import annotations

import datetime as dt

from editorial import services
from editorial.models import Correction
from publishing.render import build_context
from publishing.render.context import format_chinese_date
from references.models import Source


def test_it_formats_the_date_like_the_sample_masthead():
    assert format_chinese_date(dt.date(2026, 6, 28)) == "2026 年 6 月 28 日"
    assert format_chinese_date(dt.date(2026, 10, 1)) == "2026 年 10 月 1 日"


def test_the_sample_context_has_the_masthead_and_numbered_sections(sample_issue):
    context = build_context(sample_issue)

    assert context["lang"] == "zh-Hans"
    assert context["masthead"] == {
        "title": "新质生产力每日动态",
        "publisher": "中国高技术产业发展促进会新质生产力工作委员会",
        "producers": "博雅云创 & 中科创新驱动",
        "date": "2026 年 6 月 28 日",
        "date_iso": "2026-06-28",
        "number": sample_issue.number,
    }
    assert context["summary"].startswith("今日新质生产力动态集中在数据要素制度建设")
    assert [s["numeral"] for s in context["sections"]] == ["一", "二", "三", "四", "五", "六"]
    assert [s["anchor"] for s in context["sections"]] == [f"section-{n}" for n in range(1, 7)]
    first = context["sections"][0]
    assert first["heading"] == "一、国家数据局专题研究专家意见，数据要素改革从试点走向政策转化"
    assert "国家数据局 6 月 27 日发布消息称" in first["news_html"]
    assert first["analysis_html"].startswith("<p>这表明数据要素改革进入更加务实的推进阶段")


def test_citations_are_numbered_in_the_printed_entry_form(sample_issue):
    citations = build_context(sample_issue)["citations"]

    assert [c["position"] for c in citations] == list(range(1, 11))
    assert citations[0]["entry"] == (
        "国家数据局 | 国家数据局专题研究国家数据专家咨询委员会委员意见建议 | 2026-06-27 | "
        "用于数据要素改革、专家咨询和政策转化分析。"
    )
    # A source dated only to the month prints as YYYY-MM.
    assert citations[-1]["entry"].split(" | ")[2] == "2026-06"
    assert citations[0]["url"] == ""


def test_a_citation_carries_its_source_url_when_there_is_one(sample_issue):
    citation = sample_issue.citations.order_by("position").first()
    Source.objects.filter(pk=citation.source_id).update(url="https://www.nda.gov.cn/sjj/swdt/0627/a.html")

    first = build_context(sample_issue)["citations"][0]

    assert first["url"] == "https://www.nda.gov.cn/sjj/swdt/0627/a.html"
    assert first["url_display"] == "www.nda.gov.cn/sjj/swdt/0627/a.html"


def test_the_footer_has_contact_heading_qr_codes_about_blocks_and_website(sample_issue):
    footer = build_context(sample_issue)["footer"]

    assert footer["contact_heading"] == "联系我们，请扫描二维码"
    # The account's code is printed without an address: it waits for its image (editorial.footer), and is never
    # pointed at the website.
    assert [qr["label"] for qr in footer["qr_codes"]] == ["工业智能算网"]
    website_qr = footer["qr_codes"][0]
    assert website_qr["url"] == "https://gyznswn.cn"
    assert website_qr["display_url"] == "gyznswn.cn"
    assert website_qr["svg"].startswith("<svg")
    assert website_qr["png_uri"].startswith("data:image/png;base64,")
    assert [block["title"] for block in footer["about"]] == ["新质生产力工作委员会", "工业智能算网"]
    assert footer["website"] == "https://gyznswn.cn"


def test_corrections_are_in_the_context(sample_issue):
    Correction.objects.create(issue=sample_issue, note="第三条的发布日期应为 6 月 26 日。")

    corrections = build_context(sample_issue)["corrections"]

    assert [c["note"] for c in corrections] == ["第三条的发布日期应为 6 月 26 日。"]


def test_building_the_context_costs_the_same_queries_whatever_the_number_of_sections(
    make_issue, django_assert_num_queries, sample_issue
):
    small = make_issue(sections=1)
    with django_assert_num_queries(6):
        build_context(small)
    with django_assert_num_queries(6):
        context = build_context(sample_issue)
    assert len(context["sections"]) == 6


def test_stored_html_is_sanitized_again_on_the_way_out(draft_issue, writer):
    section = draft_issue.sections.first()
    # Written around the ORM (raw SQL), so the field's sanitizer never saw it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE editorial_section SET body = %s WHERE id = %s",
            ['<p onclick="x()">新闻</p><script>alert(1)</script><img src="file:///etc/passwd">', section.pk],
        )

    news = build_context(draft_issue)["sections"][0]["news_html"]

    assert "script" not in news
    assert "onclick" not in news
    assert "file:" not in news
    assert "新闻" in news


def test_a_section_without_analysis_has_empty_analysis_html(draft_issue, writer):
    services.section_create(issue=draft_issue, user=writer, headline="只有新闻", body="<p>正文</p>")

    last = build_context(draft_issue)["sections"][-1]

    assert last["heading"] == "三、只有新闻"
    assert last["analysis_html"] == ""
