"""The PDF's geometry, read back from its character positions (pdfplumber), on the sample and on a corpus of what
writers put in a bulletin: plain Chinese, Chinese mixed with Latin words and numbers, long URLs in a paragraph, a
list item and a table cell, a table longer than a page, lists, links.

Rules (W3C clreq, "Line adjustment" and "Prohibition rules for line start and end"): every line of a justified
paragraph but the last ends at the right edge of the text block; the slack is spread between characters, so no
gap between two neighbouring characters exceeds half an em, and a space between Chinese and Latin text is at most
half an em; no line starts with closing punctuation or ends with opening punctuation; nothing is drawn outside
the text block; a long table starts right after the text before it and repeats its header row on every page.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from types import SimpleNamespace

import pdfplumber
import pytest
from django.db import transaction
from PIL import Image
from pypdf import PdfReader

from editorial import services
from editorial.models import Issue, Section, Series
from editorial.roles import WRITER
from publishing.render import render_pdf
from publishing.render.justify import adjustment_opportunities, distribute, is_chinese
from publishing.render.pdf import ZERO_WIDTH_SPACE, with_breakable_long_strings
from references.services import citation_add, source_find_or_create
from tests.conftest import make_user
from tests.publishing.conftest import import_sample

# The page: A4 (595.276pt wide), text block 420pt (40 characters of 10.5pt) centred.
FONT_SIZE = 10.5
LEFT = (595.2756 - 420) / 2
RIGHT = LEFT + 420
LINE_HEIGHT = 1.8 * FONT_SIZE
EDGE_TOLERANCE = 0.5
LINE_START_FORBIDDEN = set("，。、；：？！）》」")
LINE_END_FORBIDDEN = set("（《「")

URL = (
    "https://mp.weixin.qq.com/s?__biz=MzI1NjA0MDg2Mw==&mid=2650712345&idx=1&sn=0123456789abcdef0123456789abcdef"
    "&chksm=f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5&scene=21"
    "&token=123456789&lang=zh_CN#rd"
)
PLAIN = (
    "新质生产力的竞争正在体现为能源、数据、算力和制度供给的系统组织能力。数据要素改革进入更加务实的推进阶段，"
    "地方政府需要围绕高质量数据集、行业场景、合规流通、收益分配和安全治理形成闭环（见国家数据局《关于加快数据"
    "要素市场建设的意见》），并在“十五五”期间持续推进。"
)
MIXED = (
    "据 Reuters 报道，美国数据中心用电需求将从 2025 年的 31GW 升至 2027 年的 66GW，AI 算力需求持续增长。"
    "工业软件 CAE 与 AI 数据中心、GPU 集群和 5G 专网共同构成新型基础设施，Microsoft、Google 和 Amazon 在 "
    "2026 年第一季度合计资本开支超过 1200 亿美元。"
)
# Han characters only: no punctuation rule moves a character, so every full line holds exactly 40.
HAN_ONLY = "数据要素市场化配置改革持续深化地方政府围绕高质量数据集建设形成闭环" * 6
BEFORE_TABLE = "下表列出各行业赛道的设置情况，表格较长，跨越多页，表头在每一页重复。"
TABLE_ROWS = 70
BODY_LINK = "https://www.nda.gov.cn/sjj/swdt/sjdt/list/index_pc_1.html"
REFERENCE_URL = "https://www.nea.gov.cn/20260626/0123456789abcdef/c.html"
WEBSITE = "https://gyznswn.cn"

CORPUS = {
    "plain": f"<p>{PLAIN}{PLAIN}</p><p>{HAN_ONLY}</p><p>{PLAIN}</p>",
    "mixed": (
        f"<p>{MIXED}{MIXED}</p><p>{PLAIN}{MIXED}{PLAIN}</p>"
        # Bold text and a link in the middle of lines: the slack is spread across the boxes' boundaries too.
        f'<p>{PLAIN[:30]}<strong>{MIXED[:50]}</strong><a href="{BODY_LINK}">{PLAIN[30:90]}</a>{MIXED}</p>'
    ),
    "long strings": (
        f"<p>原文链接见 {URL} ，请读者核验。</p>"
        f"<ul><li>列表中的链接：{URL}</li><li>普通中文列表项：{PLAIN}</li></ul>"
        f'<figure class="table"><table><thead><tr><th>来源</th><th>链接</th></tr></thead>'
        f"<tbody><tr><td>微信公众号</td><td>{URL}</td></tr></tbody></table></figure>"
        f'<p>正文中的链接：<a href="{BODY_LINK}">国家数据局数据动态</a>，以及本期<a href="#section-1">第一条</a>的分析。</p>'
    ),
    "long table": (
        f"<p>{PLAIN}</p><p>{BEFORE_TABLE}</p>"
        '<figure class="table"><table><thead><tr><th>序号</th><th>名称</th><th>说明</th></tr></thead><tbody>'
        + "".join(
            f"<tr><td>{n}</td><td>第{n}行业赛道</td><td>数据基础设施专业赛道与高质量数据集建设</td></tr>"
            for n in range(1, TABLE_ROWS + 1)
        )
        + f"</tbody></table></figure><p>{PLAIN}</p>"
    ),
    "lists": (
        "<ol>" + f"<li>{PLAIN}</li>" * 3 + "</ol><ul>" + f"<li>{MIXED}</li>" * 2 + "</ul>"
        f"<blockquote><p>{PLAIN}</p></blockquote>"
    ),
}


@dataclass
class Line:
    """The characters drawn on one line of one page, left to right."""

    page: int
    chars: list[dict]

    @property
    def text(self) -> str:
        return "".join(char["text"] for char in self.chars)

    @property
    def ink(self) -> list[dict]:
        return [char for char in self.chars if char["text"].strip()]

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.ink[-1]["x1"]

    @property
    def bottom(self) -> float:
        return max(char["bottom"] for char in self.ink)

    @property
    def size(self) -> float:
        sizes = [round(char["size"], 1) for char in self.ink]
        return max(set(sizes), key=sizes.count)


def read_lines(pdf: bytes) -> list[Line]:
    """Every line of text of `pdf`: characters grouped by page and baseline (within 0.4 of their size, so that a
    glyph from another font on a slightly different baseline stays on its line), in reading order."""
    lines = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            chars = sorted(page.chars, key=lambda char: (char["bottom"], char["x0"]))
            groups: list[list[dict]] = []
            for char in chars:
                if groups and abs(char["bottom"] - groups[-1][0]["bottom"]) < 0.4 * char["size"]:
                    groups[-1].append(char)
                else:
                    groups.append([char])
            for group in groups:
                line = Line(number, sorted(group, key=lambda char: char["x0"]))
                if line.ink:
                    lines.append(line)
    return lines


def body_lines(lines: list[Line]) -> list[Line]:
    """The lines of body text (10.5pt: paragraphs, list items, quotations, the summary)."""
    return [line for line in lines if line.size == FONT_SIZE]


def continued_lines(lines: list[Line]) -> list[Line]:
    """Body lines followed, on the same page, by another line of the same paragraph or item: the next body line
    one line height below, starting at the left edge of a text column (not indented as a paragraph's first
    line, and without a list marker in front)."""
    body = body_lines(lines)
    column_lefts = (LEFT, LEFT + 2 * FONT_SIZE)
    continued = []
    for line, following in itertools.pairwise(body):
        if following.page != line.page:
            continue
        if abs(following.bottom - line.bottom - LINE_HEIGHT) > 0.5:
            continue
        if any(abs(following.x0 - left) < 0.5 for left in column_lefts) and following.x0 >= line.x0 - 0.5:
            continued.append(line)
    return continued


def right_edge(line: Line) -> float:
    """Where the column of `line` ends: the text block's edge, or 2 em inside it (the summary, a quotation)."""
    return min((RIGHT, RIGHT - 2 * FONT_SIZE), key=lambda edge: abs(edge - line.x1))


def gaps(line: Line) -> list[tuple[float, str]]:
    """(space between two neighbouring characters in em, the two characters) for a line."""
    chars = line.chars
    return [
        ((chars[i + 1]["x0"] - chars[i]["x1"]) / chars[i]["size"], chars[i]["text"] + chars[i + 1]["text"])
        for i in range(len(chars) - 1)
    ]


def link_targets(pdf: bytes) -> tuple[set[str], int]:
    """(the URIs of the PDF's link annotations, how many link to a place in the document)."""
    uris, internal = set(), 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if action is not None and action.get("/S") == "/URI":
                uris.add(str(action["/URI"]))
            elif annotation.get("/Dest") is not None or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    return uris, internal


def build_corpus_issue() -> Issue:
    writer = make_user("geometry-writer", WRITER)
    series = Series.objects.create(
        slug="geometry",
        title="新质生产力每日动态",
        publisher="中国高技术产业发展促进会新质生产力工作委员会",
        website=WEBSITE,
    )
    issue = services.issue_create(
        series=series, date=dt.date(2026, 7, 2), user=writer, headline="排版测试", summary=PLAIN + MIXED
    )
    for title, body in CORPUS.items():
        section = services.section_create(
            issue=issue, user=writer, headline=title, body="<p>正文</p>", analysis=f"<p>{PLAIN}</p>"
        )
        # Stored as written: rendering sanitizes every body again on the way out.
        Section.objects.filter(pk=section.pk).update(body=body)
    source = source_find_or_create(
        user=writer, outlet="国家能源局", title="非化石能源电力消费核算指南", url=REFERENCE_URL
    )
    citation_add(issue=issue, user=writer, source=source, note="用于核算分析。")
    return issue


def rendered(issue_builder) -> SimpleNamespace:
    issue = issue_builder()
    pdf = render_pdf(issue)
    return SimpleNamespace(pdf=pdf, lines=read_lines(pdf))


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The corpus issue rendered once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = rendered(build_corpus_issue)
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = rendered(import_sample)
        transaction.set_rollback(True)
    return result


@pytest.fixture(params=["sample", "corpus"])
def document(request):
    return request.getfixturevalue(request.param)


def test_every_line_of_a_justified_paragraph_but_the_last_ends_at_the_right_edge(document):
    continued = continued_lines(document.lines)

    assert len(continued) >= 20
    ragged = [
        (line.page, round(line.x1, 2), line.text)
        for line in continued
        if abs(line.x1 - right_edge(line)) > EDGE_TOLERANCE
    ]
    assert ragged == []


def test_a_line_of_plain_chinese_holds_forty_characters(corpus):
    full = [line for line in continued_lines(corpus.lines) if abs(line.x0 - LEFT) < 0.5]
    han = [line for line in full if all(char["text"] in HAN_ONLY for char in line.ink)]
    plain = [line for line in full if all(is_chinese(char["text"]) for char in line.ink)]

    assert len(han) >= 3
    assert {len(line.ink) for line in han} == {40}
    # With punctuation, 39 where the line-start and line-end rules moved a character to the next line.
    assert {len(line.ink) for line in plain} <= {39, 40}
    for line in plain:
        if len(line.ink) == 40:
            # Nothing to spread: 40 characters of 10.5pt fill 420pt.
            assert max(gap for gap, _pair in gaps(line)) < 0.01


def test_the_slack_is_spread_between_characters_not_piled_into_spaces(document):
    worst = max(
        ((gap, pair, line.text) for line in body_lines(document.lines) for gap, pair in gaps(line)),
        key=lambda item: item[0],
    )

    assert worst[0] < 0.5, worst


def test_the_space_between_chinese_and_latin_text_stays_under_half_an_em(corpus):
    spaces = []
    for line in body_lines(corpus.lines):
        chars = line.chars
        for i in range(1, len(chars) - 1):
            if chars[i]["text"] == " " and (
                is_chinese(chars[i - 1]["text"]) or is_chinese(chars[i + 1]["text"])
            ):
                spaces.append((chars[i + 1]["x0"] - chars[i - 1]["x1"]) / FONT_SIZE)

    assert len(spaces) > 20
    assert max(spaces) <= 0.5 + 0.01


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(document):
    lines = [line for line in document.lines if line.size in (FONT_SIZE, 8.8, 9.5)]

    assert [line.text for line in lines if line.ink[0]["text"] in LINE_START_FORBIDDEN] == []
    assert [line.text for line in lines if line.ink[-1]["text"] in LINE_END_FORBIDDEN] == []


def test_nothing_is_drawn_outside_the_text_block(document):
    outside = [
        (line.page, char["text"], round(char["x0"], 1), round(char["x1"], 1))
        for line in document.lines
        for char in line.ink
        if char["x0"] < LEFT - EDGE_TOLERANCE or char["x1"] > RIGHT + EDGE_TOLERANCE
    ]

    assert outside == []


def test_long_urls_break_inside_the_paragraph_the_list_item_and_the_table_cell(corpus):
    # The URL is all there, in three places, with no character dropped or added (the table's first column, its
    # label wrapped beside the URL, left out).
    text = "".join(char for line in corpus.lines for char in line.text if char not in " 微信公众号")
    assert text.count(URL) == 3
    url_lines = [line for line in corpus.lines if "biz=" in line.text or "chksm" in line.text]
    assert url_lines
    assert max(line.x1 for line in url_lines) <= RIGHT + EDGE_TOLERANCE


def test_a_table_longer_than_a_page_starts_after_the_text_before_it_and_repeats_its_header(corpus):
    def pages_with(text: str) -> list[int]:
        return sorted({line.page for line in corpus.lines if text in line.text.replace(" ", "")})

    paragraph_page = pages_with(BEFORE_TABLE[-12:])[-1]
    row_pages = sorted({page for n in range(1, TABLE_ROWS + 1) for page in pages_with(f"第{n}行业赛道")})
    header_pages = pages_with("序号名称说明")

    assert row_pages[0] == paragraph_page
    assert len(row_pages) >= 2
    assert header_pages == row_pages
    # The first row follows the header on the paragraph's page, right below that paragraph.
    assert pages_with("第1行业赛道") == [paragraph_page]


def test_links_are_clickable_in_the_body_the_references_the_footer_and_to_sections(corpus):
    uris, internal = link_targets(corpus.pdf)

    assert BODY_LINK in uris
    assert REFERENCE_URL in uris
    assert any(uri.rstrip("/") == WEBSITE for uri in uris)
    # The contents (one per section and the references) and the body's link to section 1.
    assert internal >= len(CORPUS) + 2


def test_body_links_are_drawn_in_colour(corpus):
    with pdfplumber.open(io.BytesIO(corpus.pdf)) as document:
        colours = {
            tuple(round(value, 2) for value in char["non_stroking_color"] or ())
            for page in document.pages
            for char in page.chars
            if char["text"] in "国家数据局数据动态"
        }
    assert len(colours) >= 2  # the link's blue beside the text's near-black


def test_an_image_wider_than_the_text_block_is_scaled_down(sample_issue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "newsroom").mkdir()
    Image.new("RGB", (3000, 300), "#c8161d").save(tmp_path / "newsroom" / "wide.png")
    section = sample_issue.sections.order_by("position").first()
    Section.objects.filter(pk=section.pk).update(
        body=f'<p>{PLAIN}</p><figure class="image"><img src="/media/newsroom/wide.png" alt="图"></figure>'
    )

    pdf = render_pdf(sample_issue)

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        images = [image for page in document.pages for image in page.images]
    assert len(images) >= 1
    wide = max(images, key=lambda image: image["x1"] - image["x0"])
    assert wide["x0"] >= LEFT - EDGE_TOLERANCE
    assert wide["x1"] <= RIGHT + EDGE_TOLERANCE


def test_adjustment_opportunities_are_between_chinese_characters_and_at_spaces():
    assert adjustment_opportunities("数据") == [(0, "inter")]
    assert adjustment_opportunities("据 Reuters 报") == [(1, "mixed"), (9, "mixed")]
    assert adjustment_opportunities("AI模型") == [(1, "inter"), (2, "inter")]
    assert adjustment_opportunities("in the") == [(2, "space")]
    # Nothing inside a Latin word, a —— dash or an …… ellipsis.
    assert adjustment_opportunities("GPU") == []
    assert adjustment_opportunities("——") == []


def test_a_space_next_to_chinese_takes_no_more_than_half_an_em_while_characters_can_take_the_rest():
    amounts = distribute(10.0, ["inter", "mixed", "inter"], font_size=10.0, space_width=2.5)

    assert amounts == [3.75, 2.5, 3.75]
    assert sum(amounts) == pytest.approx(10.0)
    # Only spaces: they take it all, the line must end at the edge.
    assert distribute(10.0, ["mixed", "mixed"], font_size=10.0, space_width=2.5) == [5.0, 5.0]


def test_long_runs_get_break_opportunities_and_tags_and_entities_stay_whole():
    html = f'<p>见 <a href="{URL}" title="a&gt;b">{URL.replace("&", "&amp;")}</a> 等</p>'

    result = with_breakable_long_strings(html)

    assert f'href="{URL}"' in result
    assert result.replace(ZERO_WIDTH_SPACE, "") == html
    assert "&" + ZERO_WIDTH_SPACE not in result
    assert ZERO_WIDTH_SPACE + "amp;" not in result
    # Short words are left alone.
    assert with_breakable_long_strings("<p>据 Reuters 报道</p>") == "<p>据 Reuters 报道</p>"
