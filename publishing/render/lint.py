"""What the WeChat Official Account editor keeps, and a lint that finds anything else in a WeChat render.

The editor silently drops <style>, <script>, classes, ids and most tags, and it refuses links outside
mp.weixin.qq.com. A render that still contains one of them would look different once pasted, so the lint runs on
every WeChat render and a non-empty result fails it.
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


def lint_wechat(html: str) -> list[str]:
    """Everything in `html` that the WeChat editor would drop or refuse; empty when it is ready to paste."""
    linter = _Linter()
    linter.feed(html)
    linter.close()
    return linter.problems
