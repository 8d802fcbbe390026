"""Issue -> one HTML fragment to paste into the WeChat Official Account editor.

Four steps: the template (classes, a <style>-free fragment); a rewrite of the tags WeChat drops into the ones it
keeps, of external links into numbered references and of image addresses into absolute URLs; css-inline, which
turns the stylesheet into style attributes; nh3 with WeChat's allow-list, which removes the classes and anything
left over. The lint then checks the result and a render that fails it raises.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import css_inline
import nh3
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from editorial.models import Issue
from publishing.render.context import LANGUAGE, build_context
from publishing.render.errors import WeChatLintError
from publishing.render.lint import WECHAT_ATTRIBUTES, WECHAT_TAGS, absolute_url, is_wechat_link, lint_wechat

TEMPLATE = "publishing/wechat.html"
STYLESHEET = "publishing/wechat.css"
LINKS_MARKER = "links"
_LINKS_PLACEHOLDER = "\x00wechat-links\x00"

_KEEP = frozenset({"section", "p", "span", "strong", "em", "br", "table", "thead", "tbody", "tr", "th", "td"})
# The template's section headings; a writer's headings sit below them (_RENAME).
SECTION_HEADING = "section-heading"
_RENAME = {
    "b": ("strong", ""),
    "i": ("em", ""),
    "u": ("span", "wx-u"),
    "s": ("span", "wx-s"),
    "sub": ("span", "wx-sup"),
    "sup": ("span", "wx-sup"),
    "ul": ("section", "wx-list"),
    "ol": ("section", "wx-list"),
    "li": ("section", "wx-li"),
    "blockquote": ("section", "wx-quote"),
    "figure": ("section", "wx-figure"),
    "figcaption": ("p", "wx-caption"),
    "caption": ("p", "wx-caption"),
    "tfoot": ("tbody", ""),
    # Under the section headings (h2): a writer's h1-h3 become h3, h4-h6 h4 (WeChat keeps h1-h4).
    **{f"h{n}": ("h3", "wx-h") for n in range(1, 4)},
    **{f"h{n}": ("h4", "wx-h4") for n in range(4, 7)},
    **{tag: ("section", "") for tag in ("div", "article", "header", "footer", "nav", "main", "aside")},
}
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript"}
)
_VOID = frozenset(
    {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "col", "area", "base", "embed"}
)


_LIST_START = re.compile(r"-?[0-9]{1,9}")


def list_start(value: str | None) -> int:
    """The first number of an <ol> from its `start` attribute (HTML: a valid integer, negative allowed); 1 for
    anything else, such as "x", "١٢" or a 5,000-digit number that int() refuses (Python's digit limit)."""
    value = (value or "").strip()
    return int(value) if _LIST_START.fullmatch(value) else 1


class _Rewriter(HTMLParser):
    """Maps the template's and the writers' HTML onto WeChat's tags; collects external links as references."""

    def __init__(self, *, site_url: str):
        super().__init__(convert_charrefs=True)
        self.base = site_url.rstrip("/") + "/"
        self.out: list[str] = []
        self.links: list[str] = []
        # The text of each reference's first link, where it says more than the address (the footnote prints both).
        self.link_texts: dict[str, str] = {}
        self.link_text: list[str] | None = None  # the text of the <a> open now, while it collects
        # Open elements: (source tag, emitted tag or "", reference number to print after it or 0).
        self.stack: list[tuple[str, str, int]] = []
        self.lists: list[list] = []  # [ordered, next number] of the open ul/ol
        self.dropping = 0

    def _reference(self, href: str) -> int:
        # A place in the same article ("#section-2") has no address to print: its text stays, unlinked.
        if href.strip().startswith("#"):
            return 0
        url = absolute_url(href, self.base)
        if url is None or urlsplit(url).scheme not in ("http", "https", "mailto"):
            return 0
        if url not in self.links:
            self.links.append(url)
        return self.links.index(url) + 1

    def _open(self, tag: str, emitted: str, css_class: str = "", extra: str = "", note: int = 0) -> None:
        self.stack.append((tag, emitted, note))
        if emitted:
            class_attr = f' class="{css_class}"' if css_class else ""
            self.out.append(f"<{emitted}{class_attr}{extra}>")

    def handle_starttag(self, tag, attrs):
        if self.dropping:
            if tag in _DROP_WITH_CONTENT:
                self.dropping += 1
            return
        if tag in _DROP_WITH_CONTENT:
            self.dropping = 1
            return
        values = {name: value or "" for name, value in attrs}
        if tag in _VOID:
            self._void(tag, values)
            return
        css_class = values.get("class", "")
        if tag == "a":
            href = values.get("href", "")
            if href and is_wechat_link(href):
                self._open(tag, "a", extra=f' href="{escape(href.strip())}"')
            else:
                note = self._reference(href) if href else 0
                self._open(tag, "", note=note)
                if note:
                    self.link_text = []
        elif tag == "h2" and css_class == SECTION_HEADING:
            self._open(tag, "h2", css_class)
        elif tag in _KEEP:
            spans = "".join(
                f' {name}="{escape(values[name])}"'
                for name in sorted(WECHAT_ATTRIBUTES.get(tag, set()) & values.keys())
            )
            self._open(tag, tag, css_class, spans)
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", list_start(values.get("start"))])
            self._open(tag, *_RENAME[tag])
        elif tag == "li":
            self._open(tag, *_RENAME[tag])
            if self.lists:
                ordered, number = self.lists[-1]
                self.out.append(f"{number}. " if ordered else "• ")
                self.lists[-1][1] += 1
        elif tag in _RENAME:
            self._open(tag, *_RENAME[tag])
        else:
            self._open(tag, "span")

    def _void(self, tag: str, values: dict) -> None:
        if tag == "br":
            self.out.append("<br>")
        elif tag == "img" and values.get("src", "").strip():
            src = absolute_url(values["src"], self.base)
            if src is not None and urlsplit(src).scheme in ("http", "https") and urlsplit(src).netloc:
                alt = escape(values.get("alt", ""))
                self.out.append(f'<img src="{escape(src)}" alt="{alt}">')

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and not self.dropping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.dropping:
            if tag in _DROP_WITH_CONTENT:
                self.dropping -= 1
            return
        if tag in _VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                while len(self.stack) > index:
                    self._close(self.stack.pop())
                return

    def _close(self, entry: tuple[str, str, int]) -> None:
        tag, emitted, note = entry
        if emitted:
            self.out.append(f"</{emitted}>")
        if note and tag == "a" and self.link_text is not None:
            url = self.links[note - 1]
            text = " ".join("".join(self.link_text).split())
            if text and text != url and url not in self.link_texts:
                self.link_texts[url] = text
            self.link_text = None
        if note:
            self.out.append(f'<span class="wx-ref">[{note}]</span>')
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))
            if self.link_text is not None:
                self.link_text.append(data)

    def handle_comment(self, data):
        if data.strip() == LINKS_MARKER:
            self.out.append(_LINKS_PLACEHOLDER)

    def result(self) -> str:
        self.close()
        while self.stack:
            self._close(self.stack.pop())
        return "".join(self.out)


def _links_html(links: list[str], texts: dict[str, str]) -> str:
    """The numbered list of the article's outside links: `[n] text：URL`, or `[n] URL` where the link's text was
    the address itself (WeChat turns no outside address into a link, so readers copy it from here)."""
    if not links:
        return ""
    items = "".join(
        f'<p class="ref">[{number}] {escape(texts[url]) + "：" if url in texts else ""}'
        f'<span class="ref-url">{escape(url)}</span></p>'
        for number, url in enumerate(links, start=1)
    )
    return f'<section class="links"><p class="label"><strong>{escape(_("文中链接"))}</strong></p>{items}</section>'


# Whitespace between two block tags (the template's line breaks) shows nothing, yet WeChat counts it against the
# content limit. Whitespace next to an inline tag (</strong> <em>) or inside a table cell stays: it may be a space.
_BLOCKS = r"(?:section|p|h[1-4]|table|thead|tbody|tr)"
_BLOCK_GAP = re.compile(rf"(</?{_BLOCKS}\b[^>]*>)\s+(?=</?{_BLOCKS}\b)")


def _stylesheet() -> str:
    template = get_template(STYLESHEET)
    return template.template.source


def wechat_html(context: dict) -> tuple[str, list[str]]:
    """The fragment and the external links it numbers, before the lint."""
    rewriter = _Rewriter(site_url=settings.SITE_URL)
    rewriter.feed(render_to_string(TEMPLATE, context))
    html = rewriter.result().replace(_LINKS_PLACEHOLDER, _links_html(rewriter.links, rewriter.link_texts))
    html = css_inline.inline_fragment(
        html, _stylesheet(), load_remote_stylesheets=False, keep_style_tags=False, minify_css=True
    )
    html = nh3.clean(
        html,
        tags=set(WECHAT_TAGS),
        attributes={tag: set(names) for tag, names in WECHAT_ATTRIBUTES.items()},
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    )
    return _BLOCK_GAP.sub(r"\1", html).strip(), rewriter.links


def render_wechat(issue: Issue | int, *, context: dict | None = None) -> str:
    """The WeChat article body; raises WeChatLintError if anything WeChat would drop remains, or if it is over
    the draft API's content limits (20,000 characters, 1 MB: publishing.render.lint), with a message saying so."""
    # In the issue's language whoever asks (an English-reading editor's preview or publication included).
    with translation.override(LANGUAGE):
        context = context if context is not None else build_context(issue)
        html, _links = wechat_html(context)
    problems = lint_wechat(html)
    if problems:
        raise WeChatLintError(problems)
    return html
