"""What the WeChat Official Account editor keeps, and a lint that finds anything else in a WeChat render.

The editor silently drops <style>, <script>, classes, ids and most tags, and it refuses links outside
mp.weixin.qq.com. A render that still contains one of them would look different once pasted, so the lint runs on
every WeChat render and a non-empty result fails it.

It also holds a render to the limits of the draft API (draft/add, "新增草稿":
https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add): the content under 20,000
characters and 1 MB, where WeChat counts the whole HTML string, tags and inline styles included
(https://developers.weixin.qq.com/community/develop/doc/000a8c82b50790ca4f92dea626b000), and, for the article's
metadata (`lint_wechat_article`), a title of at most 32 characters, an author of 16 and a digest of 128.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import SplitResult, urljoin, urlsplit

from django.utils.translation import gettext as _

# Headings h1-h4 are kept by the editor with their inline styles (doocs/md writes them too).
WECHAT_TAGS = frozenset(
    {"section", "p", "span", "strong", "em", "br", "img", "a", "table", "thead", "tbody", "tr", "th", "td"}
    | {"h1", "h2", "h3", "h4"}
)
WECHAT_ATTRIBUTES = {
    "*": {"style"},
    "img": {"src", "alt"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
WECHAT_LINK_HOSTS = frozenset({"mp.weixin.qq.com"})
# Declarations WeChat strips or that would reach for something outside the article.
FORBIDDEN_STYLE = ("url(", "expression(", "position:", "@import", "javascript:")

# The draft API's limits (module docstring). "Less than 20,000 characters, less than 1 MB" for the content.
MAX_CONTENT_CHARS = 20_000
MAX_CONTENT_BYTES = 1024 * 1024
MAX_TITLE_CHARS = 32
MAX_AUTHOR_CHARS = 16
MAX_DIGEST_CHARS = 128


def wechat_length(text: str) -> int:
    """The length of `text` as WeChat's servers and editor (JavaScript) count it: UTF-16 code units, so a
    character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph) counts two. For Chinese and
    Latin text this is the number of characters; it is never less, so a text within it is within WeChat's."""
    return len(text.encode("utf-16-le")) // 2


def absolute_url(url: str, base: str = "") -> str | None:
    """`url` stripped and joined to `base`, or None when Python's URL parser refuses it ("http://[zz" raises
    "Invalid IPv6 URL"): a stored address must never turn a render into an exception. urlsplit() of a result
    does not raise."""
    try:
        joined = urljoin(base, url.strip()) if base else url.strip()
        urlsplit(joined)
    except ValueError:
        return None
    return joined


def split_url(url: str, base: str = "") -> SplitResult | None:
    """The parts of `absolute_url(url, base)`, or None when the parser refuses it."""
    joined = absolute_url(url, base)
    return None if joined is None else urlsplit(joined)


def is_wechat_link(url: str) -> bool:
    parts = split_url(url)
    return parts is not None and parts.scheme == "https" and (parts.hostname or "") in WECHAT_LINK_HOSTS


class _Linter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def _problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def handle_starttag(self, tag, attrs):
        if tag not in WECHAT_TAGS:
            self._problem(_("含有微信不保留的标签 <%(tag)s>。") % {"tag": tag})
        allowed = WECHAT_ATTRIBUTES["*"] | WECHAT_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                self._problem(_("<%(tag)s> 带有不允许的属性 %(attr)s。") % {"tag": tag, "attr": name})
            if name == "style" and value:
                compact = value.replace(" ", "").lower()
                for needle in FORBIDDEN_STYLE:
                    if needle.replace(" ", "") in compact:
                        self._problem(_("样式中含有微信不支持的内容：%(needle)s") % {"needle": needle})
        values = dict(attrs)
        if tag == "a" and not is_wechat_link(values.get("href") or ""):
            self._problem(_("外部链接没有转为参考编号：%(url)s") % {"url": (values.get("href") or "")[:200]})
        if tag == "img":
            src = (values.get("src") or "").strip()
            parts = split_url(src)
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                self._problem(_("图片地址不是 http(s) 绝对地址：%(src)s") % {"src": src[:80]})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self._problem(_("含有 HTML 注释。"))

    def handle_decl(self, decl):
        self._problem(_("含有文档声明 <!%(decl)s>。") % {"decl": decl[:40]})

    def handle_pi(self, data):
        self._problem(_("含有处理指令。"))


def content_limit_problems(html: str) -> list[str]:
    """The draft API's limits on `html` that it breaks (MAX_CONTENT_CHARS counted by `wechat_length`, and
    MAX_CONTENT_BYTES of UTF-8), as messages in the active language; empty when it fits."""
    problems = []
    length = wechat_length(html)
    if length >= MAX_CONTENT_CHARS:
        problems.append(
            _(
                "微信版正文共 %(count)s 个字符（微信连同标签和内联样式一起计数），须少于 %(limit)s 个字符。"
                "请删减条目、评析或参考文献后再试。"
            )
            % {"count": f"{length:,}", "limit": f"{MAX_CONTENT_CHARS:,}"}
        )
    size = len(html.encode("utf-8"))
    if size >= MAX_CONTENT_BYTES:
        problems.append(
            _("微信版正文共 %(size)s 字节，须小于 1 MB（%(limit)s 字节）。请删减内容后再试。")
            % {"size": f"{size:,}", "limit": f"{MAX_CONTENT_BYTES:,}"}
        )
    return problems


def lint_wechat(html: str) -> list[str]:
    """Everything in `html` that the WeChat editor would drop or refuse, and the draft API's content limits
    (MAX_CONTENT_CHARS, MAX_CONTENT_BYTES); empty when it is ready to paste or push."""
    linter = _Linter()
    linter.feed(html)
    linter.close()
    return content_limit_problems(html) + linter.problems


def lint_wechat_article(*, title: str, author: str, digest: str, content: str) -> list[str]:
    """What the draft API (draft/add) would refuse in an article: `lint_wechat(content)`, then the title (required,
    at most MAX_TITLE_CHARS), the author (at most MAX_AUTHOR_CHARS) and the digest (at most MAX_DIGEST_CHARS),
    each counted by `wechat_length`. Messages in the active language, each with the number found and the limit."""
    problems = lint_wechat(content)
    if not title.strip():
        problems.append(_("微信文章标题为空：请填写本期标题。"))
    for value, limit, message in (
        (title, MAX_TITLE_CHARS, _("微信文章标题共 %(count)d 个字，最多 %(limit)d 个字：请缩短本期标题。")),
        (
            author,
            MAX_AUTHOR_CHARS,
            _("微信文章作者共 %(count)d 个字，最多 %(limit)d 个字：请缩短刊头的出品方或主办单位。"),
        ),
        (digest, MAX_DIGEST_CHARS, _("微信文章摘要共 %(count)d 个字，最多 %(limit)d 个字：请缩短本期摘要。")),
    ):
        length = wechat_length(value)
        if length > limit:
            problems.append(message % {"count": length, "limit": limit})
    return problems
