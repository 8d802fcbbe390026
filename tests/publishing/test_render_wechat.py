"""The WeChat fragment: inline styles, WeChat's tags only, external links as numbered references."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from editorial import services
from editorial.models import Issue
from publishing.management.commands.generate_archive import generate
from publishing.render import WeChatLintError, lint_wechat, render_wechat
from publishing.render import wechat as wechat_module
from publishing.render.context import build_context
from publishing.render.lint import WECHAT_TAGS, lint_wechat_article
from publishing.wechat.article import article_fields
from references.models import Source


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    return tree


def references(html: str) -> dict[int, str]:
    """The numbered list at the end: {n: url} (an entry reads `[n] text：URL`, or `[n] URL`)."""
    return {int(n): url for n, url in re.findall(r"\[(\d+)\] (?:[^<]*：)?<span[^>]*>([^<]+)</span>", html)}


def with_first_body(issue, body: str):
    """`issue` with its first section's news body replaced by `body` (frozen content, as a correction would)."""
    section = issue.sections.order_by("position").first()
    services.section_save(
        section=section, user=None, data={"body": body}, version=section.version, frozen_ok=True
    )
    return issue


@pytest.fixture
def linked_issue(sample_issue, writer):
    """The sample with links in a section body, as writers paste them from the source pages."""
    with_first_body(
        sample_issue,
        (
            '<p>国家数据局<a href="https://www.nda.gov.cn/sjj/swdt/0627/a.html">发布消息</a>称，'
            '另见<a href="https://mp.weixin.qq.com/s/AbCdEf">公众号文章</a>与'
            '<a href="https://www.nea.gov.cn/x.html">国家能源局</a>，'
            '再次引用<a href="https://www.nda.gov.cn/sjj/swdt/0627/a.html">同一来源</a>。</p>'
            "<ul><li>数据登记</li><li>合规审查</li></ul><ol><li>第一</li><li>第二</li></ol>"
            '<blockquote><p>引文</p></blockquote><h3>小标题</h3><p><img src="/media/uploads/chart.png" alt="图"></p>'
        ),
    )
    Source.objects.filter(pk=sample_issue.citations.order_by("position").first().source_id).update(
        url="https://www.nda.gov.cn/sjj/swdt/0627/a.html"
    )
    return sample_issue


def test_the_sample_renders_to_a_fragment_that_passes_the_lint(sample_issue):
    html = render_wechat(sample_issue)

    assert lint_wechat(html) == []
    tree = parse(html)
    assert set(tree.tags) <= WECHAT_TAGS
    assert tree.tags[0] == "section"
    assert not [a for a in tree.attributes if a[1] in ("class", "id")]
    assert "<style" not in html and "<script" not in html
    # Styles are inline: the masthead title is red and large without any stylesheet.
    assert re.search(r'<p style="[^"]*font-size:24px;[^"]*color:#c8161d', html)


def test_the_fragment_has_the_whole_issue_in_order(sample_issue):
    html = render_wechat(sample_issue)
    text = re.sub(r"<[^>]+>", "", html)

    order = [
        "新质生产力每日动态",
        "2026 年 6 月 28 日",
        "摘要",
        "一、国家数据局专题研究专家意见",
        "六、全球数据中心电力需求快速上升",
        "参考文献",
        "10. 国家数据局 | 高质量数据集与数据基础设施相关工作动态 | 2026-06",
        "联系我们，请扫描二维码",
        "网站地址：",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_external_links_become_numbered_references_listed_at_the_end(linked_issue):
    html = render_wechat(linked_issue)

    refs = references(html)
    assert refs == {1: "https://www.nda.gov.cn/sjj/swdt/0627/a.html", 2: "https://www.nea.gov.cn/x.html"}
    assert re.search(r"发布消息<span[^>]*>\[1\]</span>", html)
    assert re.search(r"国家能源局<span[^>]*>\[2\]</span>", html)
    assert re.search(r"同一来源<span[^>]*>\[1\]</span>", html)  # the same URL keeps its number
    assert "文中链接" in html
    # Each entry gives the text of the link where it is not the address itself (the first link's, for a repeat).
    assert re.search(r"\[1\] 发布消息：<span[^>]*>https://www.nda.gov.cn/sjj/swdt/0627/a.html</span>", html)
    assert re.search(r"\[2\] 国家能源局：<span[^>]*>https://www.nea.gov.cn/x.html</span>", html)
    # Links inside WeChat stay links; nothing else does.
    hrefs = [value for tag, name, value in parse(html).attributes if name == "href"]
    assert hrefs == ["https://mp.weixin.qq.com/s/AbCdEf"]


def test_a_link_to_a_place_in_the_article_keeps_its_text_and_gets_no_footnote(sample_issue):
    with_first_body(
        sample_issue,
        '<p>详见<a href="#section-2">第二条</a>；原文见<a href="https://www.gov.cn/a.html">https://www.gov.cn/a.html</a>。</p>',
    )

    html = render_wechat(sample_issue)

    assert "详见第二条；" in re.sub(r"<[^>]+>", "", html)
    assert "#section-2" not in html
    refs = references(html)
    assert "https://www.gov.cn/a.html" in refs.values()
    assert not any(url.endswith("#section-2") for url in refs.values())
    # The link's text is the address itself: the entry prints it once.
    number = next(n for n, url in refs.items() if url == "https://www.gov.cn/a.html")
    assert re.search(rf"\[{number}\] <span[^>]*>https://www.gov.cn/a.html</span>", html)


def test_section_headings_and_writers_headings_are_real_headings_with_inline_styles(linked_issue):
    # The editor offers h2-h4 (the sanitizer keeps no h1, h5 or h6).
    with_first_body(linked_issue, "<h2>二级</h2><h3>三级</h3><h4>四级</h4><p>正文</p>")

    html = render_wechat(linked_issue)

    headings = re.findall(r'<(h[1-6]) style="([^"]*)">([^<]*)</h[1-6]>', html)
    tags = {text: tag for tag, _style, text in headings}
    sections = [text for tag, _style, text in headings if tag == "h2"]
    assert sections == [s["heading"] for s in build_context(linked_issue)["sections"]]
    assert (tags["二级"], tags["三级"], tags["四级"]) == ("h3", "h3", "h4")
    assert all("font-weight:bold" in style for _tag, style, _text in headings)
    assert len(re.findall(r"<h[1-6][ >]", html)) == len(headings)  # every heading carries its style


def test_every_external_url_of_the_issue_appears_as_text(linked_issue):
    html = render_wechat(linked_issue)
    text = re.sub(r"<[^>]+>", "", html)

    urls = set(re.findall(r'href="(https?://[^"]+)"', linked_issue.sections.first().body))
    urls |= {c.source.url for c in linked_issue.citations.select_related("source") if c.source.url}
    external = {url for url in urls if "mp.weixin.qq.com" not in url}
    assert external
    for url in external:
        assert url in text
        assert url in references(html).values() or url in text.split("参考文献", 1)[1]


def test_lists_quotes_headings_and_images_become_tags_wechat_keeps(linked_issue, settings):
    html = render_wechat(linked_issue)

    assert re.search(r"<section[^>]*>• 数据登记</section>", html)
    assert re.search(r"<section[^>]*>2\. 第二</section>", html)
    assert re.search(r"<section[^>]*border-left:3px solid #ddd[^>]*><p[^>]*>引文</p></section>", html)
    assert re.search(r'<h3 style="[^"]*font-weight:bold[^"]*">小标题</h3>', html)
    assert f'src="{settings.SITE_URL}/media/uploads/chart.png"' in html


def test_the_lint_finds_everything_wechat_would_drop():
    problems = lint_wechat(
        '<div class="x" id="y"><style>p{}</style><script>1</script>'
        '<a href="https://example.org/">外链</a><img src="/media/a.png"><img src="data:image/png;base64,AAAA">'
        '<p onclick="x()" style="background: url(https://t.example/)">正文</p><!-- note --></div>'
    )

    assert problems == [
        "含有微信不保留的标签 <div>。",
        "<div> 带有不允许的属性 class。",
        "<div> 带有不允许的属性 id。",
        "含有微信不保留的标签 <style>。",
        "含有微信不保留的标签 <script>。",
        "外部链接没有转为参考编号：https://example.org/",
        "图片地址不是 http(s) 绝对地址：/media/a.png",
        "图片地址不是 http(s) 绝对地址：data:image/png;base64,AAAA",
        "<p> 带有不允许的属性 onclick。",
        "样式中含有微信不支持的内容：url(",
        "含有 HTML 注释。",
    ]


def test_a_render_that_fails_the_lint_raises(sample_issue, monkeypatch):
    monkeypatch.setattr(wechat_module, "wechat_html", lambda context: ('<p class="left">x</p>', []))

    with pytest.raises(WeChatLintError) as caught:
        render_wechat(sample_issue)

    assert caught.value.problems == ["<p> 带有不允许的属性 class。"]


def test_the_footer_qr_codes_are_png_images_of_our_own_site(sample_issue, settings):
    html = render_wechat(sample_issue)
    footer = build_context(sample_issue)["footer"]

    images = [(value, tag) for tag, name, value in parse(html).attributes if tag == "img" and name == "src"]
    sources = [src for src, _tag in images]
    assert sources == [qr["png_url"] for qr in footer["qr_codes"]]
    assert all(
        re.fullmatch(re.escape(settings.SITE_URL) + r"/qr/[-\w]+\.[-\w]+\.png", src) for src in sources
    )
    # WeChat drops SVG and data: images: neither is left, and each code keeps its label.
    assert "<svg" not in html and "data:" not in html
    for qr in footer["qr_codes"]:
        assert re.search(rf'<img src="{re.escape(qr["png_url"])}" alt="{qr["label"]}"', html)
        assert f"<strong>{qr['label']}</strong>" in html


def test_the_sample_renders_compactly_with_inherited_styles_and_no_gaps_between_blocks(sample_issue):
    html = render_wechat(sample_issue)

    # WeChat counts every character, markup included: 9,580 before the styles were factored (7,879 without the
    # QR images, 8,509 with them).
    assert len(html) < 8_600
    assert "\n" not in html
    assert ": " not in re.sub(r">[^<]*<", "><", html)  # minified declarations
    # text-align: justify once, on the root, not on every paragraph.
    assert html.count("text-align:justify") == 1


def test_an_issue_too_long_for_wechat_is_refused_with_the_count_and_the_limit(sample_issue):
    with_first_body(sample_issue, "<p>" + "数据要素" * 5_000 + "</p>")

    with pytest.raises(WeChatLintError) as caught:
        render_wechat(sample_issue)

    [problem] = caught.value.problems
    count = int(re.search(r"正文共 ([\d,]+) 个字符", problem).group(1).replace(",", ""))
    assert count > 20_000
    assert "须少于 20,000 个字符" in problem and "请删减" in problem


def test_the_lint_counts_the_whole_content_string_against_wechat_limits():
    assert lint_wechat("<p>" + "x" * (20_000 - 8) + "</p>") == []  # 19,999 characters, tags included

    [chars] = lint_wechat("<p>" + "x" * (20_000 - 7) + "</p>")
    assert chars.startswith("微信版正文共 20,000 个字符") and "20,000" in chars

    # An emoji counts two, as WeChat's JavaScript counts it: 10,004 code points, 20,001 UTF-16 units.
    [emoji] = lint_wechat("<p>" + "😀" * 9_997 + "</p>")
    assert emoji.startswith("微信版正文共 20,001 个字符")

    chars, size = lint_wechat("<p>" + "数" * 350_000 + "</p>")
    assert "350,007 个字符" in chars
    assert size == "微信版正文共 1,050,007 字节，须小于 1 MB（1,048,576 字节）。请删减内容后再试。"


def test_the_article_lint_names_each_metadata_limit_with_the_count_found():
    problems = lint_wechat_article(
        title="题" * 33, author="作" * 17, digest="摘" * 129, content="<p>正文</p>"
    )

    assert problems == [
        "微信文章标题共 33 个字，最多 32 个字：请缩短本期标题。",
        "微信文章作者共 17 个字，最多 16 个字：请缩短刊头的出品方或主办单位。",
        "微信文章摘要共 129 个字，最多 128 个字：请缩短本期摘要。",
    ]
    assert (
        lint_wechat_article(title="题" * 32, author="作" * 16, digest="摘" * 128, content="<p>正文</p>") == []
    )
    assert lint_wechat_article(title=" ", author="", digest="", content="<p>正文</p>") == [
        "微信文章标题为空：请填写本期标题。"
    ]
    content_problems = lint_wechat_article(
        title="题", author="", digest="", content="<p>" + "x" * 20_000 + "</p>"
    )
    assert len(content_problems) == 1 and "须少于 20,000 个字符" in content_problems[0]


def test_generated_issues_render_within_every_wechat_rule(db):
    """Issues of every length the archive generator makes (long sections, many citations): each renders, passes
    the lint, has one h2 per section, and gives title, author and digest within WeChat's limits."""
    generate(days=6, end=dt.date(2026, 6, 27), seed=11, series_slug="xinzhi", sections_per_issue=9)

    for issue in Issue.objects.all():
        context = build_context(issue)
        html = render_wechat(issue, context=context)
        fields = article_fields(context)
        assert lint_wechat_article(content=html, **fields) == []
        assert parse(html).tags.count("h2") == len(context["sections"]) == 9
        assert "<svg" not in html and "data:" not in html and "<a " not in html
        assert len(fields["title"]) <= 32 and len(fields["author"]) <= 16 and len(fields["digest"]) <= 128
        assert fields["digest"][-1] in "。！？；…"
