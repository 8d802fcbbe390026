"""The import of published bulletins: the sample read exactly, stored once, and bad files refused by line."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from editorial.errors import InvalidInput, TransitionNotAllowed
from editorial.models import Analysis, Issue, IssueEvent, IssueState, Revision, Section, Series
from references import importing
from references.formatting import format_entry
from references.importing import BulletinFormatError, import_bulletin, parse_bulletin
from references.kinds import guess_kind
from references.models import Citation, DatePrecision, Source, SourceKind
from tests.conftest import FIXTURES, SAMPLE

SECOND = FIXTURES / "2026-06-29.md"
MALFORMED = FIXTURES / "malformed"

SUMMARY = (
    "今日新质生产力动态集中在数据要素制度建设、能源消费核算、可再生能源消纳责任和绿电算力协同。"
    "国家数据局专题研究专家咨询意见，显示数据治理、数据流通、数据基础设施和高质量数据集正在进入更系统的"
    "政策转化阶段；安徽推进“数据要素×”分赛和“数据产权即服务”，说明地方正在把数据确权、登记、合规、"
    "资产入表、质押融资等机制打包成服务体系；能源领域则围绕非化石能源电力消费核算和可再生能源消纳责任，"
    "进一步夯实绿色算力和产业低碳转型的制度基础。新质生产力的竞争，正在体现为能源、数据、算力和制度供给的"
    "系统组织能力。"
)

HEADLINES = [
    "国家数据局专题研究专家意见，数据要素改革从试点走向政策转化",
    "安徽推进“数据产权即服务”，地方数据要素机制开始产品化",
    "非化石能源电力消费核算指南发布，绿色算力有了更细核算基础",
    "可再生能源消纳责任制度完善，绿色电力消费从倡导走向约束",
    "“算力跟着绿电走”继续升温，能源链与算力链加速耦合",
    "全球数据中心电力需求快速上升，绿色基础设施成为国际竞争焦点",
]

SECTION_2_NEWS = (
    "国家数据局转载的地方动态显示，2026 年“数据要素 ×”大赛安徽分赛推介暨“数据产权即服务”活动在合肥举行，"
    "安徽分赛设置 15 个行业赛道、数据基础设施专业赛道，并首创数据产权创新赛道。活动还发布了数据合规智能检测"
    "平台、数据产品标准合同模板、数据产品收益分配标准合同模板、“皖美数据贷”等成果，并完成水土保持公共数据"
    "产品首单交易。"
)
SECTION_4_NEWS = (
    "国家能源局 6 月 26 日解读《可再生能源电力消纳责任权重和绿证交易衔接机制实施办法》称，该办法将于 2026 年"
    " 8 月 1 日起施行，由国家发展改革委、国家能源局会同有关方面编制。文章强调，新机制将可再生能源消纳责任落到"
    "省级和重点行业主体，明确全社会和重点行业的责任权重，并首次将非电消费责任纳入目标考核。"
)
SECTION_6_NEWS = (
    "Reuters 近期报道指出，AI 和云计算正在重塑数据中心的电力需求，预计美国数据中心用电需求将从 2025 年的 "
    "31GW 升至 2027 年的 66GW。报道还提到，数据中心开发商越来越重视可获得、可持续和可负担的电力供应，这正在"
    "改变美国部分电力市场和基础设施投资逻辑。"
)
SECTION_6_ANALYSIS = (
    "这对中国地方发展新质生产力具有参照意义。AI 基础设施不是简单采购 GPU，而是算力、电力、网络、冷却、土地、"
    "产业应用和金融资本的组合。谁能把绿色电力、数据资源和产业场景整合起来，谁就更可能在下一轮 AI 与实体经济"
    "融合中取得优势。"
)

# (outlet, title, date, precision, note), in the order of the sample's 参考文献.
REFERENCES = [
    ("国家数据局", "国家数据局专题研究国家数据专家咨询委员会委员意见建议", dt.date(2026, 6, 27), "day",
     "用于数据要素改革、专家咨询和政策转化分析。"),
    ("国家数据局", "数据动态页面", dt.date(2026, 6, 27), "day", "用于核验国家数据局近期中央与地方数据动态。"),
    ("国家数据局转载", "2026 年“数据要素 ×”大赛安徽分赛推介暨“数据产权即服务”活动在合肥举行",
     dt.date(2026, 6, 27), "day", "用于地方数据要素、数据产权服务和首单交易分析。"),
    ("国家能源局", "国家能源局首页新闻与政策列表", dt.date(2026, 6, 26), "day",
     "用于能源政策、非化石能源核算和绿电算力动态核验。"),
    ("国家能源局转载", "完善非化石能源电力消费核算助力经济社会发展绿色转型", dt.date(2026, 6, 26), "day",
     "用于非化石能源电力消费核算指南分析。"),
    ("国家能源局转载", "压实可再生能源消纳责任完善绿证交易衔接机制", dt.date(2026, 6, 26), "day",
     "用于可再生能源消纳责任制度分析。"),
    ("国家能源局转载", "算力跟着绿电走：能源链上的“绿色突围”", dt.date(2026, 6, 26), "day",
     "用于绿色算力、源网荷储和算力能源耦合分析。"),
    ("国家能源局", "关于印发《新型能源体系建设“十五五”规划》的通知", dt.date(2026, 6, 25), "day",
     "用于新型能源体系建设背景核验。"),
    ("Reuters", "Power developers line up as data centers surge in US", dt.date(2026, 6, 22), "day",
     "用于全球数据中心电力需求和基础设施趋势分析。"),
    ("国家数据局", "高质量数据集与数据基础设施相关工作动态", dt.date(2026, 6, 1), "month",
     "用于数据基础设施和高质量数据集背景。"),
]  # fmt: skip


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def sample_entry_lines() -> list[str]:
    """The reference entries exactly as the sample prints them, without the list bullet."""
    return [line[2:] for line in sample_text().splitlines() if line.startswith("- ")]


def counts() -> dict[str, int]:
    return {
        "series": Series.objects.count(),
        "issues": Issue.objects.count(),
        "sections": Section.objects.count(),
        "analyses": Analysis.objects.count(),
        "revisions": Revision.objects.count(),
        "events": IssueEvent.objects.count(),
        "sources": Source.objects.count(),
        "citations": Citation.objects.count(),
    }


NOTHING = dict.fromkeys(
    ["series", "issues", "sections", "analyses", "revisions", "events", "sources", "citations"], 0
)


# --- Parsing the sample (pure, no database) ---


def test_the_masthead_gives_title_publisher_producers_and_date():
    parsed = parse_bulletin(sample_text())
    assert parsed.masthead.title == "新质生产力每日动态"
    assert parsed.masthead.publisher == "中国高技术产业发展促进会新质生产力工作委员会"
    assert parsed.masthead.producers == "博雅云创 & 中科创新驱动"
    assert parsed.masthead.date == dt.date(2026, 6, 28)
    assert parsed.date == dt.date(2026, 6, 28)
    assert parsed.headline == ""


def test_the_summary_is_read_exactly():
    assert parse_bulletin(sample_text()).summary == SUMMARY


def test_the_contents_block_is_skipped_and_six_whole_headlines_remain():
    sections = parse_bulletin(sample_text()).sections
    assert [s.position for s in sections] == [1, 2, 3, 4, 5, 6]
    assert [s.headline for s in sections] == HEADLINES
    assert [s.line for s in sections] == [29, 35, 43, 49, 57, 63]


def test_each_section_has_one_news_and_one_analysis_paragraph():
    sections = parse_bulletin(sample_text()).sections
    assert [(len(s.news), len(s.analysis)) for s in sections] == [(1, 1)] * 6
    assert [s.analysis[0][:4] for s in sections] == [
        "这表明数",
        "这条地方",
        "这对新质",
        "这意味着",
        "这一趋势",
        "这对中国",
    ]


def test_paragraphs_broken_mid_sentence_are_rejoined():
    sections = parse_bulletin(sample_text()).sections
    assert sections[1].news == (SECTION_2_NEWS,)
    assert sections[1].news[0].endswith("并完成水土保持公共数据产品首单交易。")
    assert sections[3].news == (SECTION_4_NEWS,)
    assert "由国家发展改革委、国家能源局会同有关方面编制" in sections[3].news[0]


def test_the_last_section_keeps_its_exact_news_and_analysis():
    section = parse_bulletin(sample_text()).sections[5]
    assert section.news == (SECTION_6_NEWS,)
    assert section.analysis == (SECTION_6_ANALYSIS,)


def test_the_ten_references_are_read_with_outlet_title_date_precision_and_note():
    references = parse_bulletin(sample_text()).references
    assert [
        (r.entry.outlet, r.entry.title, r.entry.date, r.entry.precision, r.entry.note) for r in references
    ] == REFERENCES
    assert references[-1].entry.precision == DatePrecision.MONTH
    # The blank line inside the list (after the sixth entry) does not end it.
    assert [r.line for r in references] == [71, 72, 73, 74, 75, 76, 78, 79, 80, 81]


def test_each_parsed_reference_prints_back_exactly_as_in_the_sample():
    references = parse_bulletin(sample_text()).references
    assert [r.printed for r in references] == sample_entry_lines()
    assert references[-1].printed.endswith("| 2026-06 | 用于数据基础设施和高质量数据集背景。")


def test_the_footer_gives_contact_qr_targets_about_blocks_and_website():
    footer = parse_bulletin(sample_text()).footer
    assert footer.contact_heading == "联系我们，请扫描二维码"
    assert [(t.label, t.url) for t in footer.qr_targets] == [
        ("新质生产力工作委员会官方公众号", ""),
        ("工业智能算网", "https://gyznswn.cn"),
    ]
    assert [b.title for b in footer.blocks] == ["新质生产力工作委员会", "工业智能算网"]
    assert footer.blocks[0].body.startswith(
        "中国高技术产业发展促进会新质生产力工作委员会，专注于推动工业人工智能"
    )
    assert footer.blocks[1].body.endswith("推动工业智能化转型。")
    assert footer.website == "https://gyznswn.cn"


def test_headings_without_hashes_or_bold_are_read_the_same():
    text = re.sub(r"^#+\s*", "", sample_text(), flags=re.MULTILINE).replace("**", "")
    bare, marked = parse_bulletin(text), parse_bulletin(sample_text())
    assert bare.sections == marked.sections
    assert bare.references == marked.references
    assert bare.summary == SUMMARY
    assert bare.footer == marked.footer


def test_windows_line_endings_and_page_breaks_change_nothing():
    text = sample_text().replace("\n", "\r\n").replace("## 五、", "\f## 五、")
    parsed = parse_bulletin(text)
    assert parsed.sections == parse_bulletin(sample_text()).sections
    assert parsed.summary == SUMMARY


def test_a_heading_split_over_two_lines_in_the_body_is_joined():
    text = sample_text().replace(
        "## 六、全球数据中心电力需求快速上升，绿色基础设施成为国际竞争焦点\n",
        "## 六、全球数据中心电力需求快速上升，绿色基础设施成为国际竞争\n\n**焦点**\n",
    )
    sections = parse_bulletin(text).sections
    assert sections[5].headline == HEADLINES[5]
    assert sections[5].news == (SECTION_6_NEWS,)


def test_a_heading_whose_number_stands_alone_takes_the_next_line_as_its_text():
    text = "刊名\n\n2026 年 7 月 1 日\n\n## 一、\n\n**数据要素市场化配置改革**\n\n新闻。\n"
    (section,) = parse_bulletin(text).sections
    assert (section.headline, section.news) == ("数据要素市场化配置改革", ("新闻。",))


def test_without_references_the_footer_still_ends_the_last_section():
    text = sample_text()
    text = text[: text.index("### 参考文献")] + text[text.index("# 联系我们") :]
    parsed = parse_bulletin(text)
    assert parsed.references == ()
    assert parsed.sections[5].analysis == (SECTION_6_ANALYSIS,)
    assert parsed.footer.website == "https://gyznswn.cn"


def test_a_second_bulletin_with_other_extraction_flaws_is_read():
    parsed = parse_bulletin(SECOND.read_text(encoding="utf-8"))
    assert parsed.date == dt.date(2026, 6, 29)
    assert parsed.headline == "算力电力协同与数据要素流通"
    assert parsed.summary == "今日动态聚焦算力与电力协同，以及数据要素流通的制度建设。"
    first, second = parsed.sections
    # `**…投资**` + `**加快**`: a bold heading split in two.
    assert first.headline == "数据中心用电需求继续上升，电力基础设施投资加快"
    # A page break (running header and page number) in the middle of a sentence.
    assert first.news == (
        "Reuters 报道称，数据中心开发商正在寻找可获得、可持续和可负担的电力供应，美国部分电力市场的投资逻辑正在改变。",
    )
    assert first.analysis == ("总体来看，算力基础设施的竞争已经转向电力基础设施的竞争。",)
    assert second.headline == "数据流通交易规则完善，场内外交易衔接"
    assert second.analysis == (
        "由此可见，数据要素流通正在从“能不能交易”走向“怎样规范交易”。对地方而言，要尽快建立登记、评估和结算服务。",
    )
    # Numbered entries, one of them cut in two.
    assert [(r.entry.outlet, r.entry.note) for r in parsed.references] == [
        ("Reuters", "用于全球数据中心电力需求和基础设施趋势分析。"),
        ("国家数据局", "用于数据流通交易规则和场内外交易衔接分析。"),
    ]
    assert parsed.footer.website == "https://gyznswn.cn"


def test_without_a_commentary_marker_the_first_paragraph_is_the_news():
    text = "刊名\n\n2026 年 7 月 1 日\n\n一、标题\n\n第一段。\n\n第二段。\n\n第三段。\n"
    (section,) = parse_bulletin(text).sections
    assert section.news == ("第一段。",)
    assert section.analysis == ("第二段。", "第三段。")


def test_news_runs_until_the_first_paragraph_with_a_commentary_marker():
    text = "刊名\n\n2026 年 7 月 1 日\n\n一、标题\n\n新闻一。\n\n新闻二。\n\n由此可见，评析。\n\n评析续。\n"
    (section,) = parse_bulletin(text).sections
    assert section.news == ("新闻一。", "新闻二。")
    assert section.analysis == ("由此可见，评析。", "评析续。")


def test_a_one_paragraph_section_has_no_analysis():
    (section,) = parse_bulletin("刊名\n2026-07-01\n\n一、标题\n\n只有新闻。\n").sections
    assert section.news == ("只有新闻。",)
    assert section.analysis == ()


# --- Files the parser cannot understand ---

MALFORMED_CASES = [
    ("no-date.md", 5, "没有找到日期"),
    ("impossible-date.md", 3, "日期“2026 年 2 月 30 日”不存在"),
    ("no-sections.md", 9, "没有找到编号条目"),
    ("empty-section.md", 11, "条目“第二条没有正文”没有正文"),
    ("duplicate-section.md", 13, "条目编号“二”重复（第 9 行已有）"),
    ("skipped-section.md", 9, "条目编号应为“二”，这里是“三”"),
    ("bad-reference.md", 15, "没有日期"),
    ("bad-reference-date.md", 12, "字段不足"),
]


@pytest.mark.parametrize(("name", "line", "message"), MALFORMED_CASES)
def test_a_malformed_file_is_refused_with_its_line_number(name, line, message):
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin((MALFORMED / name).read_text(encoding="utf-8"))
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"第 {line} 行：")


def test_an_empty_file_is_refused_at_line_one():
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin("\n  \n")
    assert (caught.value.line, caught.value.message) == (1, "文件是空的。")


def test_a_contents_block_without_a_body_is_refused_at_its_heading():
    text = "刊名\n\n2026 年 7 月 1 日\n\n## 目录\n\n一、标题\t1\n二、标题\t2\n"
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin(text)
    assert caught.value.line == 5


def test_a_reference_with_an_impossible_date_is_refused():
    text = sample_text().replace("| 2026-06-25 |", "| 2026-06-31 |")
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin(text)
    assert (caught.value.line, caught.value.message.endswith("日期不存在。")) == (79, True)


def test_a_reference_cited_twice_is_refused():
    text = sample_text().replace(
        "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验国家数据局近期中央与地方数据动态。",
        "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验。\n- 国家数据局 | 数据动态页面 | 2026-06-27 | 再次。",
    )
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin(text)
    assert caught.value.line == 73
    assert "第 72 行" in caught.value.message


# --- Guessing a source's kind ---


@pytest.mark.parametrize(
    ("outlet", "kind"),
    [
        ("国家数据局", SourceKind.GOVERNMENT),
        ("国家能源局转载", SourceKind.GOVERNMENT),
        ("国务院", SourceKind.GOVERNMENT),
        ("合肥市人民政府", SourceKind.GOVERNMENT),
        ("国家发展改革委", SourceKind.GOVERNMENT),
        ("国务院新闻办公室", SourceKind.GOVERNMENT),
        ("Reuters", SourceKind.MEDIA),
        ("新华社", SourceKind.MEDIA),
        ("人民日报", SourceKind.MEDIA),
        ("财新", SourceKind.MEDIA),
        ("清华大学", SourceKind.ACADEMIC),
        ("中国科学院计算技术研究所", SourceKind.ACADEMIC),
        ("计算机学报", SourceKind.ACADEMIC),
        ("中国能源建设集团有限公司", SourceKind.COMPANY),
        ("国家电网有限公司", SourceKind.COMPANY),
        ("NVIDIA", SourceKind.COMPANY),
        ("中国高技术产业发展促进会", SourceKind.OTHER),
        ("", SourceKind.OTHER),
    ],
)
def test_the_kind_of_a_source_is_guessed_from_its_outlet(outlet, kind):
    assert guess_kind(outlet) == kind


# --- Storing: import_bulletin ---


def test_importing_the_sample_stores_the_issue_sections_analyses_and_citations(db):
    result = import_bulletin(text=sample_text())
    issue = Issue.objects.get()
    assert result.issue == issue
    assert (result.created, result.sections, result.analyses, result.citations) == (True, 6, 6, 10)
    assert (result.sources_created, result.sources_reused, result.revisions) == (10, 0, 6)
    assert (issue.date, issue.number, issue.state, issue.headline) == (
        dt.date(2026, 6, 28),
        1,
        IssueState.DRAFT,
        "",
    )
    assert issue.summary == SUMMARY
    assert issue.published_at is None

    sections = list(issue.sections.select_related("analysis").order_by("position"))
    assert [s.headline for s in sections] == HEADLINES
    assert sections[1].body == f"<p>{SECTION_2_NEWS}</p>"
    assert sections[5].body == f"<p>{SECTION_6_NEWS}</p>"
    assert sections[5].analysis.body == f"<p>{SECTION_6_ANALYSIS}</p>"
    assert all(s.author is None for s in sections)
    assert list(Revision.objects.values_list("author", "number")) == [(None, 1)] * 6

    citations = list(issue.citations.select_related("source").order_by("position"))
    assert [c.position for c in citations] == list(range(1, 11))
    assert [
        (c.source.outlet, c.source.title, c.source.date, c.source.date_precision, c.note) for c in citations
    ] == REFERENCES
    assert citations[-1].source.date_display == "2026-06"
    assert [format_entry(c) for c in citations] == sample_entry_lines()
    assert [c.source.kind for c in citations[:9]] == [SourceKind.GOVERNMENT] * 8 + [SourceKind.MEDIA]

    event = IssueEvent.objects.get()
    assert (event.issue, event.transition, event.from_state, event.to_state, event.actor) == (
        issue,
        "import",
        "",
        IssueState.DRAFT,
        None,
    )


def test_a_citation_is_linked_to_the_section_that_names_its_document(db):
    import_bulletin(text=sample_text())
    linked = {
        c.position: [s.position for s in c.sections.all()]
        for c in Citation.objects.prefetch_related("sections")
    }
    assert linked[7] == [5]  # 《算力跟着绿电走：能源链上的“绿色突围”》 is quoted in section 五
    assert linked[1] == []


def test_without_a_series_one_is_created_from_the_masthead_and_footer(db):
    result = import_bulletin(text=sample_text())
    series = Series.objects.get()
    assert result.series_created is True
    assert (series.slug, series.title, series.publisher, series.producers, series.website) == (
        "xinzhi",
        "新质生产力每日动态",
        "中国高技术产业发展促进会新质生产力工作委员会",
        "博雅云创 & 中科创新驱动",
        "https://gyznswn.cn",
    )
    assert series.contact_heading == "联系我们，请扫描二维码"
    # The account's code is printed without an address: it waits for its image, never pointed at the website.
    assert list(series.qr_codes.values_list("position", "label", "url", "image")) == [
        (1, "工业智能算网", "https://gyznswn.cn", "")
    ]
    blocks = list(series.footer_blocks.order_by("position"))
    assert [(block.position, block.title) for block in blocks] == [
        (1, "新质生产力工作委员会"),
        (2, "工业智能算网"),
    ]
    assert blocks[1].body.startswith("专注于工业人工智能、新质生产力、工业软件 CAE")


def test_the_only_existing_series_is_used(series):
    result = import_bulletin(text=sample_text())
    assert result.series_created is False
    assert Series.objects.get() == series
    assert Issue.objects.get().series == series


def test_with_several_series_and_none_named_the_import_is_refused(series):
    Series.objects.create(slug="other", title="另一刊物", publisher="某单位")
    with pytest.raises(InvalidInput, match="多个刊物"):
        import_bulletin(text=sample_text())
    assert Issue.objects.count() == 0
    assert Source.objects.count() == 0


def test_a_named_series_receives_the_issue(series):
    other = Series.objects.create(slug="other", title="另一刊物", publisher="某单位")
    import_bulletin(text=sample_text(), series=other)
    assert Issue.objects.get().series == other


def test_publishing_stores_the_issue_as_published_on_its_date(series):
    result = import_bulletin(text=sample_text(), publish=True)
    issue = Issue.objects.get()
    moment = dt.datetime(2026, 6, 28, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert (issue.state, issue.published_at, issue.publish_at) == (IssueState.PUBLISHED, moment, moment)
    assert result.published is True
    event = IssueEvent.objects.get()
    assert (event.transition, event.from_state, event.to_state, event.actor) == (
        "import",
        "",
        IssueState.PUBLISHED,
        None,
    )


def test_reimporting_the_same_file_updates_instead_of_duplicating(series):
    import_bulletin(text=sample_text(), publish=True)
    before = counts()
    section_ids = list(Section.objects.order_by("position").values_list("pk", flat=True))
    result = import_bulletin(text=sample_text(), publish=True)
    after = counts()
    assert result.created is False
    assert (result.sources_created, result.sources_reused, result.revisions) == (0, 10, 0)
    assert after == {**before, "events": before["events"] + 1}
    assert list(Section.objects.order_by("position").values_list("pk", flat=True)) == section_ids
    assert Issue.objects.get().number == 1
    event = IssueEvent.objects.order_by("-id").first()
    assert (event.from_state, event.to_state) == (IssueState.PUBLISHED, IssueState.PUBLISHED)


def test_reimporting_a_changed_file_updates_the_changed_section_with_a_revision(series):
    import_bulletin(text=sample_text())
    changed = sample_text().replace("并完成水土保持公共数据产品首单", "并完成全省首单水土保持公共数据产品")
    changed = changed.replace(
        "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验国家数据局近期中央与地方数据动态。\n", ""
    )
    result = import_bulletin(text=changed)
    section = Section.objects.get(position=2)
    assert (
        section.body.startswith("<p>国家数据局转载")
        and "并完成全省首单水土保持公共数据产品交易。" in section.body
    )
    assert list(section.revisions.values_list("number", flat=True)) == [2, 1]
    assert Revision.objects.count() == 7
    assert result.revisions == 1
    # Citations are replaced: nine now, renumbered; the dropped source stays for other issues.
    assert list(Citation.objects.order_by("position").values_list("position", flat=True)) == list(
        range(1, 10)
    )
    assert Source.objects.count() == 10


def test_reimporting_with_fewer_sections_removes_the_extra_ones(series):
    import_bulletin(text=sample_text())
    shorter = sample_text().split(
        "## 六、全球数据中心电力需求快速上升，绿色基础设施成为国际竞争焦点\n\nReuters"
    )[0]
    shorter += (
        "### 参考文献\n\n- Reuters | Power developers line up as data centers surge in US | 2026-06-22\n"
    )
    import_bulletin(text=shorter)
    assert list(Section.objects.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert Citation.objects.count() == 1


def test_a_second_issue_citing_the_same_source_reuses_it(series):
    import_bulletin(text=sample_text(), publish=True)
    result = import_bulletin(text=SECOND.read_text(encoding="utf-8"), publish=True)
    assert (result.created, result.number, result.sources_created, result.sources_reused) == (True, 2, 1, 1)
    assert Source.objects.count() == 11
    reuters = Source.objects.get(outlet="Reuters")
    assert sorted(reuters.citations.values_list("issue__date", flat=True)) == [
        dt.date(2026, 6, 28),
        dt.date(2026, 6, 29),
    ]
    assert list(Issue.objects.order_by("date").values_list("number", flat=True)) == [1, 2]
    second = Issue.objects.get(date=dt.date(2026, 6, 29))
    assert second.headline == "算力电力协同与数据要素流通"
    rules = second.citations.get(position=2)
    assert [s.position for s in rules.sections.all()] == [2]


def test_dry_run_writes_nothing_and_reports_the_plan(db):
    result = import_bulletin(text=sample_text(), publish=True, dry_run=True)
    assert counts() == NOTHING
    assert (result.dry_run, result.created, result.series_created, result.issue) == (True, True, True, None)
    assert (result.sections, result.citations, result.number, result.state) == (
        6,
        10,
        1,
        IssueState.PUBLISHED,
    )
    plan = result.plan_lines()
    assert plan[0] == "将创建 2026-06-28 第 1 期（已发布）：6 个条目，10 条参考文献（新来源 10，复用 0）"
    assert "  六、全球数据中心电力需求快速上升，绿色基础设施成为国际竞争焦点" in plan
    assert f"  10. {sample_entry_lines()[9]}" in plan


def test_dry_run_of_a_reimport_reports_an_update_and_changes_nothing(series):
    import_bulletin(text=sample_text())
    before = counts()
    result = import_bulletin(text=sample_text(), publish=True, dry_run=True)
    assert (result.created, result.sources_reused) == (False, 10)
    assert counts() == before
    assert Issue.objects.get().state == IssueState.DRAFT


@pytest.mark.parametrize(("name", "line", "message"), MALFORMED_CASES)
def test_a_malformed_file_writes_nothing(db, name, line, message):
    with pytest.raises(BulletinFormatError):
        import_bulletin(text=(MALFORMED / name).read_text(encoding="utf-8"), publish=True)
    assert counts() == NOTHING


def test_a_failure_halfway_through_rolls_everything_back(db, monkeypatch):
    def explode(outlet: str) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "guess_kind", explode)
    with pytest.raises(RuntimeError):
        import_bulletin(text=sample_text(), publish=True)
    assert counts() == NOTHING


def test_an_issue_under_review_is_not_overwritten(series):
    import_bulletin(text=sample_text())
    Issue.objects.update(state=IssueState.IN_REVIEW)
    before = counts()
    with pytest.raises(TransitionNotAllowed, match="审核中"):
        import_bulletin(text=sample_text().replace("首单", "第二单"))
    assert counts() == before
    assert "首单" in Section.objects.get(position=2).body


def test_a_published_issue_stays_published_when_reimported_without_publish(series):
    import_bulletin(text=sample_text(), publish=True)
    published_at = Issue.objects.get().published_at
    import_bulletin(text=sample_text())
    issue = Issue.objects.get()
    assert (issue.state, issue.published_at) == (IssueState.PUBLISHED, published_at)


def test_a_draft_reimported_with_publish_becomes_published(series):
    import_bulletin(text=sample_text())
    import_bulletin(text=sample_text(), publish=True)
    assert Issue.objects.get().state == IssueState.PUBLISHED
    assert list(IssueEvent.objects.order_by("id").values_list("from_state", "to_state")) == [
        ("", IssueState.DRAFT),
        (IssueState.DRAFT, IssueState.PUBLISHED),
    ]


# --- The management command ---


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_bulletin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    """Run the command expecting it to exit non-zero; return what it printed."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="未能导入"):
        call_command("import_bulletin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_each_file_and_prints_one_line_per_file(db):
    out, err = run(str(SAMPLE), str(SECOND))
    assert out.splitlines() == [
        f"{SAMPLE}: 已创建 2026-06-28 第 1 期（草稿）：6 个条目，10 条参考文献（新来源 10，复用 0）",
        f"{SECOND}: 已创建 2026-06-29 第 2 期（草稿）：2 个条目，2 条参考文献（新来源 1，复用 1）",
    ]
    assert err == ""
    assert Issue.objects.count() == 2


def test_the_command_reports_an_update_on_reimport(db):
    run(str(SAMPLE))
    out, _err = run(str(SAMPLE))
    assert (
        out.strip()
        == f"{SAMPLE}: 已更新 2026-06-28 第 1 期（草稿）：6 个条目，10 条参考文献（新来源 0，复用 10）"
    )
    assert Issue.objects.count() == 1


def test_the_command_publishes_with_the_publish_flag(db):
    out, _err = run(str(SAMPLE), "--publish")
    assert "（已发布）" in out
    assert Issue.objects.get().state == IssueState.PUBLISHED
    assert IssueEvent.objects.get().to_state == IssueState.PUBLISHED


def test_the_command_dry_run_prints_the_plan_and_writes_nothing(db):
    out, _err = run(str(SAMPLE), "--dry-run")
    lines = out.splitlines()
    assert lines[0] == (
        f"{SAMPLE}: [试运行，未写入] 将创建 2026-06-28 第 1 期（草稿）：6 个条目，10 条参考文献（新来源 10，复用 0）"
    )
    assert "  将新建刊物“xinzhi”" in lines
    assert "  一、国家数据局专题研究专家意见，数据要素改革从试点走向政策转化" in lines
    assert len([line for line in lines if re.match(r"^  \d+\. ", line)]) == 10
    assert counts() == NOTHING


def test_the_command_uses_the_named_series(series):
    other = Series.objects.create(slug="other", title="另一刊物", publisher="某单位")
    run(str(SAMPLE), "--series", "other")
    assert Issue.objects.get().series == other


def test_the_command_refuses_an_unknown_series(series):
    with pytest.raises(CommandError, match="没有标识为“nope”的刊物（已有：xinzhi）"):
        run(str(SAMPLE), "--series", "nope")
    assert Issue.objects.count() == 0


def test_the_command_reports_a_bad_file_by_line_and_still_imports_the_good_one(db):
    bad = MALFORMED / "skipped-section.md"
    out, err = run_failing(str(bad), str(SAMPLE))
    assert err.splitlines() == [f"{bad}:9: 条目编号应为“二”，这里是“三”。"]
    assert out.startswith(f"{SAMPLE}: 已创建")
    assert Issue.objects.get().date == dt.date(2026, 6, 28)


def test_the_command_refuses_a_file_that_is_not_utf8(db, tmp_path: Path):
    path = tmp_path / "gbk.md"
    path.write_bytes(sample_text().encode("gb18030"))
    _out, err = run_failing(str(path))
    assert err.strip() == f"{path}: 不是 UTF-8 编码的文本（第 3 行），请先转换为 UTF-8。"
    assert counts() == NOTHING


def test_the_command_refuses_a_missing_file(db, tmp_path: Path):
    path = tmp_path / "missing.md"
    _out, err = run_failing(str(path))
    assert err.strip() == f"{path}: 文件不存在。"


def test_the_command_accepts_a_utf8_file_with_a_byte_order_mark(db, tmp_path: Path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + sample_text().encode("utf-8"))
    run(str(path))
    assert Issue.objects.get().date == dt.date(2026, 6, 28)
