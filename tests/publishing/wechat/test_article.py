"""The draft's title, author and digest: within WeChat's limits, cut where a reader would cut them."""

from __future__ import annotations

from publishing.render.context import build_context
from publishing.render.lint import (
    MAX_AUTHOR_CHARS,
    MAX_DIGEST_CHARS,
    MAX_TITLE_CHARS,
    lint_wechat_article,
    wechat_length,
)
from publishing.wechat.article import article_fields

DATE = "2026 年 6 月 28 日"
SERIES = "新质生产力每日动态"


def context(**overrides) -> dict:
    masthead = {
        "title": SERIES,
        "publisher": "中国高技术产业发展促进会新质生产力工作委员会",
        "producers": "博雅云创 & 中科创新驱动",
        "date": DATE,
        "number": 1,
    } | overrides.pop("masthead", {})
    summary = overrides.pop("summary", "今日要点。")
    return {
        "title": f"{masthead['title']} · {DATE}",
        "masthead": masthead,
        "headline": "",
        "summary": summary,
        "summary_paragraphs": [line for line in summary.split("\n") if line],
        "sections": [],
    } | overrides


def test_the_sample_gets_fields_within_the_limits(sample_issue):
    fields = article_fields(build_context(sample_issue))

    assert fields["title"] == "新质生产力每日动态 · 2026 年 6 月 28 日"  # no headline: series and date
    assert fields["author"] == "博雅云创 & 中科创新驱动"
    # The summary is 249 characters: up to the last clause end within 128, as a sentence.
    assert fields["digest"] == (
        "今日新质生产力动态集中在数据要素制度建设、能源消费核算、可再生能源消纳责任和绿电算力协同。"
        "国家数据局专题研究专家咨询意见，显示数据治理、数据流通、数据基础设施和高质量数据集正在进入更系统的政策转化阶段。"
    )
    assert lint_wechat_article(content="<p>x</p>", **fields) == []


def test_a_headline_is_the_title_and_a_long_one_ends_in_an_ellipsis():
    assert (
        article_fields(context(headline="数据要素落地与算力能源协同"))["title"]
        == "数据要素落地与算力能源协同"
    )

    long = "国家数据局发布高质量数据集建设指引，数据要素市场化配置改革进入以场景牵引、制度供给和基础设施协同推进的新阶段"
    title = article_fields(context(headline=long))["title"]
    assert wechat_length(title) == MAX_TITLE_CHARS
    assert title.endswith("…") and long.startswith(title[:-1])


def test_without_a_headline_a_long_series_title_is_cut_but_the_date_kept():
    title = article_fields(
        context(masthead={"title": "中国高技术产业发展促进会新质生产力工作委员会每日动态"})
    )["title"]

    assert wechat_length(title) <= MAX_TITLE_CHARS
    assert title.endswith(f"… · {DATE}")
    assert title.startswith("中国高技术产业")


def test_the_author_is_the_producers_or_what_fits_of_them_or_the_publisher_unit():
    assert article_fields(context())["author"] == "博雅云创 & 中科创新驱动"

    many = article_fields(context(masthead={"producers": "博雅云创 & 中科创新驱动 & 北京数智研究院"}))[
        "author"
    ]
    assert many == "博雅云创 & 中科创新驱动等"

    publisher = article_fields(context(masthead={"producers": ""}))["author"]
    assert publisher == "新质生产力工作委员会"  # the committee, not the whole 22-character name

    short = article_fields(context(masthead={"producers": "", "publisher": "国家数据局"}))["author"]
    assert short == "国家数据局"
    assert article_fields(context(masthead={"producers": "", "publisher": ""}))["author"] == ""
    for fields in (many, publisher):
        assert wechat_length(fields) <= MAX_AUTHOR_CHARS


def test_a_short_summary_is_the_digest_whole():
    assert (
        article_fields(context(summary="今日要点：数据、算力、能源。"))["digest"]
        == "今日要点：数据、算力、能源。"
    )


def test_a_long_summary_is_cut_at_its_last_sentence_end_within_the_limit():
    summary = "第一句讲数据。" + "第二句" * 30 + "！" + "第三句很长" * 30 + "。"

    digest = article_fields(context(summary=summary))["digest"]

    assert digest == "第一句讲数据。" + "第二句" * 30 + "！"
    assert wechat_length(digest) <= MAX_DIGEST_CHARS


def test_a_closing_quote_stays_with_its_sentence():
    summary = "他说：“数据要素是基础。”" + "后文" * 80

    assert article_fields(context(summary=summary))["digest"] == "他说：“数据要素是基础。”"


def test_a_summary_without_a_sentence_end_is_cut_with_an_ellipsis():
    summary = "数据要素与算力能源协同持续推进，" * 12

    digest = article_fields(context(summary=summary))["digest"]

    assert wechat_length(digest) == MAX_DIGEST_CHARS
    assert digest.endswith("…") and summary.startswith(digest[:-1])
    assert not digest.endswith("，…")


def test_without_a_summary_the_digest_lists_the_sections_headlines():
    sections = [{"headline": "国家数据局专题研究专家意见"}, {"headline": "安徽推进数据产权即服务"}]

    digest = article_fields(context(summary="", sections=sections))["digest"]

    assert digest == "国家数据局专题研究专家意见；安徽推进数据产权即服务。"
