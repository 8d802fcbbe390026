"""A corpus of dirty and hostile input, and the checks that what was stored or rendered from it is clean.

One place for every test that feeds bad input through a field, the importer or a renderer: pasted Word and WeChat
text (controls, soft returns, invisible characters, no-break and full-width indents, empty paragraphs), hostile
markup (script, style, event handlers, javascript:/data:/vbscript: links, SVG, outside images), broken HTML, and
sizes (1 MB of text, a 5,000-character word).

Each case says what must still be readable once it is cleaned (`visible`): fragments a reader finds on the web
page, in the PDF text and the WeChat HTML. A case may instead be refused with a clear message; the tests accept
either, never a 500 and never a broken output.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tests.hostile.xss_payloads import active_markup, text_of

FORM = "form"
JSON = "json"
FILE = "file"
ALL_TRANSPORTS = frozenset({FORM, JSON, FILE})

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Dirty:
    """One dirty input: `text` as sent, and the fragments (`visible`) that must survive cleaning."""

    id: str
    text: str
    visible: tuple[str, ...] = ()
    # Where it can travel: a lone surrogate exists in JSON ("\\ud800") but cannot be encoded in a form post.
    transports: frozenset[str] = ALL_TRANSPORTS
    # Big enough that a field may refuse it (with a message) rather than store it.
    oversized: bool = False


CONTROL_C0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")
CONTROL_C1 = "".join(chr(c) for c in range(0x7F, 0xA0))

CORPUS: tuple[Dirty, ...] = (
    # NUL apart (its own case): Django's form fields refuse it, and the rest would never be tried.
    Dirty("c0-controls", f"控制{CONTROL_C0[1:]}字符", ("控制字符",)),
    Dirty("nul", "空\x00字符", ("空字符",)),
    Dirty("c1-controls", f"删除{CONTROL_C1.replace(chr(0x85), '')}之后", ("删除之后",)),
    Dirty("vertical-tab", "第一行\x0b第二行", ("第一行", "第二行")),
    Dirty("line-ends", "行一\r\n行二\r行三\x85行四\u2028行五", ("行一", "行二", "行三", "行四", "行五")),
    Dirty("noncharacters", "非\ufffe字\uffff符", ("非字符",)),
    Dirty("lone-surrogates", "孤\ud800立\udfff代理", ("孤立代理",), transports=frozenset({JSON})),
    Dirty(
        "invisible",
        "数据中心绿\u200b电消纳比例提升，算力\u00ad网络建设\ufeff加快\u2060。\u200c",
        ("绿电消纳比例提升", "算力网络建设加快"),
    ),
    Dirty("zwj-outside-emoji", "零宽\u200d连接", ("零宽连接",)),
    Dirty("rtl-override", "正常\u202e文字反转\u202c结束", ("文字反转",)),
    Dirty("nbsp-paragraphs", "<p>&nbsp;</p><p>&nbsp;</p><p>\u3000\u3000第二段</p><p><br></p>", ("第二段",)),
    Dirty("fullwidth-indent", "\u3000\u3000首行缩进\n\u00a0\u00a0第二段落", ("首行缩进", "第二段落")),
    Dirty("script", "<script>alert('x')</script><p>脚本之后</p>", ("脚本之后",)),
    Dirty("style", "<style>p{color:red}</style><p>样式之后</p>", ("样式之后",)),
    Dirty(
        "event-handlers",
        '<p onclick="alert(1)" onmouseover="steal()">事件属性</p><img src=x onerror=alert(1)>',
        ("事件属性",),
    ),
    Dirty(
        "hostile-links",
        '<p><a href="javascript:alert(1)">脚本链接</a> <a href="data:text/html;base64,PHNjcmlwdD4=">数据链接</a> '
        '<a href="vbscript:msgbox(1)">微软链接</a> <a href="JaVaScRiPt&colon;alert(1)">大小写链接</a></p>',
        ("脚本链接", "数据链接", "微软链接", "大小写链接"),
    ),
    # Relative for nh3, refused by Python's urlsplit ("Invalid IPv6 URL"), which WeasyPrint joins every link with.
    Dirty(
        "unparseable-links",
        '<p><a href="//[zz">坏链接</a> <a href="http://[::1">六号</a> <a href="https://a.org:99999999/">端口</a></p>',
        ("坏链接", "六号", "端口"),
    ),
    Dirty("outside-image", '<p>外部图片<img src=https://example.com/x.jpg alt="示意"></p>', ("外部图片",)),
    Dirty("svg-onload", '<svg onload="alert(1)"><circle r="5"/></svg><p>矢量之后</p>', ("矢量之后",)),
    Dirty(
        "broken-html",
        "<p><b>未闭合<i>标签<p>另起一段<table><tr><td>单元格</div></span>&&<<>> &amp 结尾",
        ("未闭合", "单元格"),
    ),
    Dirty("comments-and-cdata", "<!-- 注释 --><![CDATA[x]]><p>注释之后</p><!--", ("注释之后",)),
    Dirty(
        "huge-list-start",
        '<ol start="' + "9" * 5000 + '"><li>列表项</li></ol><ol start="x"><li>第二项</li></ol>',
        ("列表项",),
    ),
    Dirty(
        "huge-table-span",
        '<table><tbody><tr><td colspan="100000" rowspan="99999999">表格</td><td colspan="x">二</td></tr></tbody></table>',
        ("表格",),
    ),
    Dirty("long-word", "长词" + "x" * 5000, ("长词",), oversized=True),
    Dirty("megabyte-ascii", "x" * MEGABYTE, oversized=True),
    Dirty("megabyte-chinese", "长" * (MEGABYTE // 3), oversized=True),
)

CORPUS_IDS = [case.id for case in CORPUS]

# Characters no stored or rendered text may hold: what XML 1.0 forbids, the C1 controls, and the invisible
# characters that split words (the zero-width joiner is allowed between emoji only; the corpus has none).
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)


def forbidden_chars(value: str) -> list[str]:
    """The characters of `value` that no clean text may hold, named (`U+000B`), in order of appearance."""
    return [f"U+{ord(char):04X}" for char in _FORBIDDEN_CHARS.findall(value)]


def markup_problems(html: str) -> list[str]:
    """Active markup in `html` that no output may carry (script-like elements, event handlers, javascript:,
    vbscript: and data: addresses…), as a browser parses it: tests/hostile/xss_payloads.active_markup."""
    return active_markup(html)


def html_text(html: str) -> str:
    """The text a reader of `html` sees (outside <script> and <style>), entities decoded."""
    return text_of(html)


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """`text` without whitespace and in NFC: PDF extraction breaks lines wherever the layout did."""
    return unicodedata.normalize("NFC", _SPACE.sub("", text))


def missing(fragments: tuple[str, ...], text: str) -> list[str]:
    """The fragments not found in `text` (both compared without whitespace)."""
    flat = squash(text)
    return [fragment for fragment in fragments if squash(fragment) not in flat]


def plain_text_problems(value: str) -> list[str]:
    """What keeps a stored plain text from being clean: forbidden characters, lines indented with full-width
    or no-break spaces (an indent is the stylesheet's job)."""
    problems = forbidden_chars(value)
    if any(line[:1] in ("\u3000", "\u00a0") for line in value.split("\n")):
        problems.append("indented line")
    return problems


_BLANK_BLOCK = re.compile(
    r"<(p|h[1-6]|li|blockquote)\b[^>]*>(?:\s|&nbsp;|&#160;|\u00a0|\u3000|<br\s*/?>)*</\1>"
)


def rich_text_problems(value: str) -> list[str]:
    """What keeps a stored rich text from being clean: forbidden characters, active markup, <style>, images
    pointing outside, blank blocks, paragraphs indented with full-width or no-break spaces."""
    problems = forbidden_chars(value) + markup_problems(value)
    if "<style" in value.lower():
        problems.append("<style>")
    if re.search(r"<img\b[^>]*\bsrc=\"?https?://", value):
        problems.append("outside image")
    if _BLANK_BLOCK.search(value):
        problems.append("blank block")
    if re.search(r"<p\b[^>]*>(?:\u3000|\u00a0|&nbsp;)", value):
        problems.append("indented paragraph")
    return problems
