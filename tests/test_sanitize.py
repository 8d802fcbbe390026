"""Rich text is sanitized in the model layer, whichever way the value reaches the database."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from editorial.models import Analysis, Issue, Section
from editorial.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, sanitize_html

HOSTILE = {
    "script": '<p>前文</p><script>alert("x")</script><p>后文</p>',
    "script-uppercase": "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>正文",
    "onerror-onclick": '<p onclick="steal()" ONMOUSEOVER="x()">正文</p><img src="https://a.example/1.png" onerror="x()">',
    "img-src-x-onerror": "<img src=x onerror=alert(1)>",
    "javascript-link": '<a href="javascript:alert(1)">点我</a>',
    "javascript-mixed-case": '<a href="JaVaScRiPt:alert(1)">点我</a>',
    "javascript-entity": '<a href="&#106;&#97;vascript:alert(1)">点我</a>',
    "javascript-tab-entity": '<a href="java&#x09;script:alert(1)">点我</a>',
    "javascript-newline": '<a href="java\nscript:alert(1)">点我</a>',
    "javascript-leading-space": '<a href=" \x01javascript:alert(1)">点我</a>',
    "javascript-img": '<img src="javascript:alert(1)">',
    "data-link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>',
    "data-image": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "vbscript-link": '<a href="vbscript:msgbox(1)">点我</a>',
    "svg-script": "<svg><script>alert(1)</script></svg>正文",
    "svg-onload": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "math-href": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "iframe": '<iframe src="https://evil.example"></iframe><p>正文</p>',
    "object-embed": '<object data="x.swf"></object><embed src="x.swf">',
    "style-element": "<style>body{display:none}</style><p>正文</p>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">正文</p>',
    "nested-script": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "comment-hidden-script": "<!--><script>alert(1)</script>--><p>正文</p>",
    "noscript-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "form": '<form action="https://evil.example"><input name="pw" type="password"><button>发送</button>'
    "<textarea>t</textarea><select><option>o</option></select></form>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base": '<base href="https://evil.example/">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "target-blank": '<a href="https://example.org" target="_blank">外链</a>',
}

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def assert_harmless(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS, inspector.tags
    for tag, name, value in inspector.attrs:
        assert not name.startswith("on"), (tag, name)
        if name == "class":
            assert set(value.split()) <= ALLOWED_CLASSES.get(tag, set()), (tag, value)
            continue
        assert name in ALLOWED_ATTRIBUTES.get(tag, set()) or (tag, name) == ("a", "rel"), (tag, name)
        if name in ("href", "src"):
            # Absolute URLs only with a safe scheme; anything else must be a plain relative path.
            assert value.startswith(SAFE_SCHEMES) or ":" not in value.split("/")[0], (tag, name, value)
    lowered = html.lower()
    for needle in ("<script", "<svg", "<iframe", "<style", "<form", "<input", "javascript:", "vbscript:"):
        assert needle not in lowered, needle
    assert sanitize_html(html) == html  # idempotent: saving twice changes nothing


@pytest.fixture
def issue(series) -> Issue:
    return Issue.objects.create(series=series, date=dt.date(2026, 7, 1), number=1)


def stored(section: Section) -> tuple[str, str]:
    return Section.objects.filter(pk=section.pk).values_list("body", "analysis__body").get()


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_cleaned_on_save(issue, html):
    section = Section.objects.create(issue=issue, position=1, headline="标题", body=html)
    analysis = Analysis(section=section, body=html)
    analysis.save()

    body, analysis_body = stored(section)
    assert_harmless(body)
    assert body == analysis_body == section.body == analysis.body


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_cleaned_on_bulk_create(issue, html):
    sections = Section.objects.bulk_create(
        [Section(issue=issue, position=n, headline=f"标题{n}", body=html) for n in (1, 2)]
    )
    Analysis.objects.bulk_create([Analysis(section=s, body=html) for s in sections])

    for section in sections:
        body, analysis_body = stored(section)
        assert_harmless(body)
        assert body == analysis_body


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_cleaned_on_queryset_update(issue, html):
    section = Section.objects.create(issue=issue, position=1, headline="标题", body="<p>原文</p>")
    Analysis.objects.create(section=section, body="<p>原评析</p>")

    Section.objects.filter(pk=section.pk).update(body=html)
    Analysis.objects.filter(section=section).update(body=html)

    body, analysis_body = stored(section)
    assert_harmless(body)
    assert body == analysis_body


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_cleaned_on_bulk_update(issue, html):
    section = Section.objects.create(issue=issue, position=1, headline="标题", body="<p>原文</p>")
    analysis = Analysis.objects.create(section=section, body="<p>原评析</p>")
    section.body = html
    analysis.body = html

    Section.objects.bulk_update([section], ["body"])
    Analysis.objects.bulk_update([analysis], ["body"])

    body, analysis_body = stored(section)
    assert_harmless(body)
    assert body == analysis_body


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p>前文</p><script>alert("x")</script><p>后文</p>', "<p>前文</p><p>后文</p>"),
        ('<p onclick="steal()">正文</p>', "<p>正文</p>"),
        ("<img src=x onerror=alert(1)>", ""),
        ('<a href="java&#x09;script:alert(1)">点我</a>', "点我"),
        ('<a href="JaVaScRiPt:alert(1)">点我</a>', "点我"),
        ('<a href="vbscript:msgbox(1)">点我</a>', "点我"),
        ("<svg><script>alert(1)</script></svg>正文", "正文"),
        ('<iframe src="https://evil.example"></iframe><p>正文</p>', "<p>正文</p>"),
        ("<style>body{display:none}</style><p>正文</p>", "<p>正文</p>"),
        ('<form><input name="pw"><button>发送</button></form>', "发送"),
        ("<p>&lt;script&gt;是文字</p>", "<p>&lt;script&gt;是文字</p>"),
        ("", ""),
        (None, ""),
    ],
)
def test_what_survives_of_hostile_html(issue, html, expected):
    section = Section.objects.create(issue=issue, position=1, headline="标题", body=html or "")

    assert stored(section)[0] == expected
    assert sanitize_html(html) == expected


def test_nested_markup_tricks_leave_only_text(issue):
    section = Section.objects.create(
        issue=issue, position=1, headline="标题", body="<scr<script>ipt>alert(1)</scr</script>ipt>"
    )

    body = stored(section)[0]
    assert "<" not in body.replace("&lt;", "")  # whatever is left is escaped text, not markup
    assert_harmless(body)


# What CKEditor 5 with the toolbar of settings.CKEDITOR_5_CONFIGS produces.
CKEDITOR_OUTPUT = (
    "<h3>数据要素</h3>"
    "<h4>政策要点</h4>"
    "<p>国家数据局发布<strong>通知</strong>，强调<i>数据要素</i>市场化配置。<br>第二行</p>"
    '<p><a href="https://www.gov.cn/zhengce/2026-06/27/content.html">原文链接</a>，'
    '<a href="http://example.org/a?b=1&amp;c=2">另一个</a>，<a href="mailto:desk@example.org">来信</a></p>'
    "<ul><li>算力</li><li>能源</li></ul>"
    '<ol><li>第一</li><li>第二</li></ol><ol start="3"><li>第三</li></ol>'
    "<blockquote><p>引用的一段话。</p></blockquote>"
    '<figure class="image"><img src="/media/newsroom/2026/07/a.png" alt="示意图" width="640" height="480">'
    "<figcaption>图1 算力网络</figcaption></figure>"
    '<figure class="table"><table><thead><tr><th>地区</th><th>算力</th></tr></thead>'
    '<tbody><tr><td>北京</td><td colspan="1">10</td></tr></tbody></table></figure>'
)
CKEDITOR_CLEAN = (
    CKEDITOR_OUTPUT.replace('">原文链接', '" rel="noopener noreferrer">原文链接')
    .replace('">另一个', '" rel="noopener noreferrer">另一个')
    .replace('">来信', '" rel="noopener noreferrer">来信')
)


def test_what_ckeditor_produces_survives_every_write_path(issue):
    saved = Section.objects.create(issue=issue, position=1, headline="一", body=CKEDITOR_OUTPUT)
    Analysis.objects.create(section=saved, body=CKEDITOR_OUTPUT)
    Section.objects.bulk_create([Section(issue=issue, position=2, headline="二", body=CKEDITOR_OUTPUT)])
    updated = Section.objects.create(issue=issue, position=3, headline="三", body="")
    Section.objects.filter(pk=updated.pk).update(body=CKEDITOR_OUTPUT)

    assert list(Section.objects.filter(issue=issue).order_by("position").values_list("body", flat=True)) == [
        CKEDITOR_CLEAN,
        CKEDITOR_CLEAN,
        CKEDITOR_CLEAN,
    ]
    assert Analysis.objects.get(section=saved).body == CKEDITOR_CLEAN
    assert_harmless(CKEDITOR_CLEAN)


def test_relative_links_to_uploaded_media_survive(issue):
    body = '<p><img src="/media/uploads/2026/07/chart.png" alt="图表"><a href="/archive/2026-06-28/">上一期</a></p>'

    section = Section.objects.create(issue=issue, position=1, headline="标题", body=body)

    assert stored(section)[0] == (
        '<p><img src="/media/uploads/2026/07/chart.png" alt="图表">'
        '<a href="/archive/2026-06-28/" rel="noopener noreferrer">上一期</a></p>'
    )


@pytest.mark.parametrize("href", ["//[zz", "http://[::1", "https://[", "   "])
def test_a_link_whose_address_the_url_parser_refuses_becomes_its_text(href):
    assert sanitize_html(f'<p>见<a href="{href}">坏链接</a>。</p>') == "<p>见坏链接。</p>"


def test_an_image_size_of_zero_or_less_becomes_one_pixel_not_an_invisible_image(settings):
    src = f"{settings.MEDIA_URL if settings.MEDIA_URL.startswith('/') else '/' + settings.MEDIA_URL}newsroom/a.png"
    assert sanitize_html(f'<p><img src="{src}" width="0" height="-5"></p>') == (
        f'<p><img src="{src}" width="1" height="1"></p>'
    )


def test_a_figure_that_lost_its_class_gets_it_back_from_what_it_holds(settings):
    """Rows saved before the classes were kept: CKEditor reads a <figure> without class="image" as body text and
    its caption as a paragraph. The data migration runs stored text through sanitize_html, which repairs them."""
    src = f"/{settings.MEDIA_URL.strip('/')}/newsroom/a.png"
    image = f'<figure><img src="{src}" alt="示意图"><figcaption>图：示意图（来源：本刊整理）</figcaption></figure>'
    table = (
        "<figure><table><tbody><tr><td>格</td></tr></tbody></table><figcaption>表：数据</figcaption></figure>"
    )

    assert sanitize_html(image) == image.replace("<figure>", '<figure class="image">')
    assert sanitize_html(table) == table.replace("<figure>", '<figure class="table">')
    assert sanitize_html(sanitize_html(image)) == sanitize_html(image)


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        # Protocol-relative (backslashes and extra slashes are read as "//" by browsers): made https.
        ("//evil.example/x", "https://evil.example/x"),
        ("/\\evil.example/x", "https://evil.example/x"),
        ("\\\\evil.example", "https://evil.example"),
        ("///evil.example", "https://evil.example"),
        (" /\t/evil.example", "https://evil.example"),
        ("HTTPS:\\\\evil.example/a", "https://evil.example/a"),
        # Absolute, on our site, in the document: kept as written.
        ("https://www.gov.cn/a?b=1#c", "https://www.gov.cn/a?b=1#c"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("/issues/2026-06-28/", "/issues/2026-06-28/"),
        ("#ref-1", "#ref-1"),
    ],
)
def test_a_link_keeps_an_absolute_address_and_a_protocol_relative_one_becomes_https(href, kept):
    html = sanitize_html(f'<p><a href="{href}">链接</a></p>')

    assert html == f'<p><a href="{kept.replace("&", "&amp;")}" rel="noopener noreferrer">链接</a></p>'
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "href",
    [
        "a.html",
        "../admin/",
        "?q=1",
        "https:evil.example",
        "https://",
        "https://a.org:99999999/",
        "mailto:",
        "tel:110",
        "ftp://example.org/",
        "java\tscript:alert(1)",
        "&#x6a;avascript:alert(1)",
    ],
)
def test_a_link_relative_to_the_page_or_to_no_host_becomes_its_text(href):
    """The same HTML shows on the archive page, in the newsroom, the PDF, WeChat and feeds, each at its own
    address: a page-relative address would point somewhere different in each."""
    assert sanitize_html(f'<p>见<a href="{href}">链接</a>。</p>') == "<p>见链接。</p>"


def test_an_image_follows_the_link_rule_so_a_protocol_relative_upload_on_our_host_is_kept(settings):
    settings.SITE_URL = "https://bulletin.example.org"
    settings.MEDIA_URL = "/media/"

    html = sanitize_html(
        '<p><img src="//bulletin.example.org/media/a.png" alt="图"><img src="//evil.example/media/a.png"></p>'
    )

    assert html == '<p><img src="https://bulletin.example.org/media/a.png" alt="图"></p>'
