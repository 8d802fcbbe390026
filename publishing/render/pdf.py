"""Issue -> PDF bytes with WeasyPrint, bounded in time and size, fetching nothing from the network."""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from editorial.models import Issue
from publishing.render.context import LANGUAGE, build_context
from publishing.render.errors import MissingGlyphs, RenderTimeout, RenderTooLarge
from publishing.render.fetcher import SafeURLFetcher
from publishing.render.fonts import font_face_css
from publishing.render.glyphs import coverage, document_text, missing_glyphs
from publishing.render.justify import install as install_chinese_justification

TEMPLATE = "publishing/pdf.html"
STYLESHEET = "publishing/pdf.css"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_HTML_BYTES = 4 * 1024 * 1024
DEFAULT_MAX_PAGES = 200
DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024

# WeasyPrint logs every layout step at INFO; with the project's root logger at INFO that is a dozen lines a render.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Justified Chinese lines end at the edge, their slack spread between characters (publishing/render/justify.py).
install_chinese_justification()


def _limit(name: str, default):
    return getattr(settings, name, default)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that cannot end the string or the <style> element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def page_footer_content() -> str:
    """The CSS `content` of the page footer, from the translated `第 %(page)s 页 / 共 %(pages)s 页`."""
    pattern = _("第 %(page)s 页 / 共 %(pages)s 页")
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", pattern):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def pdf_stylesheet() -> str:
    """The bulletin's print stylesheet (static: the translated page footer is in the document)."""
    return render_to_string(STYLESHEET)


def pdf_html(context: dict, *, inline_stylesheet: bool = False) -> str:
    """The document WeasyPrint lays out. The print stylesheet is applied from a parsed copy kept per thread;
    `inline_stylesheet` puts it in the document instead, for a self-contained file (another engine, debugging)."""
    extra = {
        "page_footer_css": page_footer_content(),
        "stylesheet": pdf_stylesheet() if inline_stylesheet else "",
        "sections": [
            section
            | {
                "news_html": with_breakable_long_strings(section["news_html"]),
                "analysis_html": with_breakable_long_strings(section["analysis_html"]),
            }
            for section in context.get("sections", ())
        ],
    }
    return with_list_starts(render_to_string(TEMPLATE, context | extra))


# A tag (its quoted attribute values may hold ">") or a run of text, in sanitized HTML.
_TAG_OR_TEXT = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+")
# A run of this many characters with no space and nothing Chinese in it (a URL with its query string, a long
# number): pushed whole to the next line it would leave a hole of up to half the measure at the end of the line
# before it, which justification would then spread between that line's characters.
LONG_STRING_CHARS = 20
_LONG_STRING = re.compile(
    rf"[^\s<\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]{{{LONG_STRING_CHARS},}}"
)
# One character of escaped text: an entity or a character.
_TEXT_UNIT = re.compile(r"&#?\w+;|.", re.DOTALL)
ZERO_WIDTH_SPACE = "\u200b"


def _breakable(match: re.Match) -> str:
    return ZERO_WIDTH_SPACE.join(_TEXT_UNIT.findall(match[0]))


def with_breakable_long_strings(html: str) -> str:
    """Sanitized `html` with a zero-width space between the characters of each long unbreakable run of its text,
    so that the run breaks wherever the line ends, as the Chinese text around it does.

    Why not CSS: WeasyPrint (through 70) applies `word-break: break-all` and `overflow-wrap: anywhere` only to a
    word that overflows a line of its own, so a URL after some text is first pushed whole to the next line. The
    space is drawn as nothing and is not in the PDF's text; links keep their address (attributes are not
    touched). Shorter Latin words keep breaking at spaces only."""
    if not html:
        return html
    pieces = []
    for match in _TAG_OR_TEXT.finditer(html):
        piece = match[0]
        if not piece.startswith("<"):
            piece = _LONG_STRING.sub(_breakable, piece)
        pieces.append(piece)
    # Only zero-width spaces were added, between the characters and entities of text already escaped.
    return mark_safe("".join(pieces))


# sanitize_html writes a numbered list's start one way only: <ol start="N">, N a bounded whole number.
_OL_START = re.compile(r'<ol start="(-?\d{1,9})">')


def with_list_starts(html: str) -> str:
    """`html` with each `<ol start="N">` also carrying `counter-reset: list-item N-1`: WeasyPrint (through 70)
    ignores the start attribute and numbers every list from 1, while HTML numbers the first item N
    (https://html.spec.whatwg.org/multipage/grouping-content.html#attr-ol-start); the list-item counter, reset
    one below, is what CSS Lists 3 derives the markers from."""
    return _OL_START.sub(
        lambda match: f'<ol start="{match[1]}" style="counter-reset: list-item {int(match[1]) - 1}">', html
    )


_thread = threading.local()


def prepared_stylesheets() -> tuple[FontConfiguration, list[CSS]]:
    """This thread's font configuration, with the compact CJK faces loaded, and the parsed print stylesheet.

    Made on the thread's first render, reused by every later one: loading @font-face fonts costs a fontconfig
    set-up and a temporary file each, and parsing the stylesheet again would give the same result. One per thread
    because Pango and fontconfig objects are not meant to be shared between threads.
    """
    prepared = getattr(_thread, "prepared", None)
    if prepared is None:
        font_config = FontConfiguration()
        fetcher = SafeURLFetcher()
        rules = font_face_css()
        stylesheets = [CSS(string=rules, font_config=font_config, url_fetcher=fetcher)] if rules else []
        stylesheets.append(CSS(string=pdf_stylesheet(), font_config=font_config, url_fetcher=fetcher))
        prepared = _thread.prepared = (font_config, stylesheets)
    return prepared


def warm_up() -> None:
    """Cut the fonts and load them now (a worker calls this at start) rather than in the first render."""
    prepared_stylesheets()
    coverage()


# Seconds between repeated alarms once a render is over its time budget (see time_budget).
ALARM_REPEAT = 0.05


class _DeadlineReached(BaseException):
    # A BaseException, so that WeasyPrint's broad `except Exception` around resource loading cannot swallow it.
    pass


@contextmanager
def time_budget(seconds: float):
    """Interrupt the block after `seconds` with SIGALRM when running in the main thread (Celery prefork
    workers, the management command). Elsewhere the fetcher's deadline and the size limits bound the work."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise _DeadlineReached

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    # The alarm repeats until disarmed: raised while Python runs a finalizer for the garbage collector, the
    # exception is printed and dropped ("Exception ignored in"), and the next alarm interrupts the render.
    previous_delay, _interval = signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)
    try:
        try:
            yield
        finally:
            # Disarmed inside the outer try: an alarm landing just as the block ends is still caught below.
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _DeadlineReached:
        raise RenderTimeout(_("PDF 生成超时（超过 %(seconds)s 秒）。") % {"seconds": seconds}) from None
    finally:
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            # Someone else (a test timeout, a supervisor) had an alarm armed: give it back what remains.
            signal.setitimer(signal.ITIMER_REAL, max(previous_delay - (time.monotonic() - started), 0.001))


def html_to_pdf(
    html: str,
    *,
    fetcher: SafeURLFetcher | None = None,
    timeout: float | None = None,
) -> bytes:
    """Lay out `html` with the print stylesheet and write the PDF, within the configured bounds.

    `fetcher` records what was refused (tests and callers that want to know pass their own)."""
    timeout = timeout if timeout is not None else _limit("PUBLISHING_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    max_html = _limit("PUBLISHING_RENDER_MAX_HTML_BYTES", DEFAULT_MAX_HTML_BYTES)
    max_pages = _limit("PUBLISHING_RENDER_MAX_PAGES", DEFAULT_MAX_PAGES)
    max_pdf = _limit("PUBLISHING_RENDER_MAX_PDF_BYTES", DEFAULT_MAX_PDF_BYTES)

    size = len(html.encode())
    if size > max_html:
        raise RenderTooLarge(
            _("本期内容过大（%(size)s 字节，上限 %(limit)s 字节），无法生成 PDF。")
            % {"size": size, "limit": max_html}
        )
    # Before layout: a character no font has would print as an empty box; the message names it instead.
    missing = missing_glyphs(document_text(html))
    if missing:
        raise MissingGlyphs(missing)
    if fetcher is None:
        fetcher = SafeURLFetcher()
    font_config, stylesheets = prepared_stylesheets()
    fetcher.deadline = time.monotonic() + timeout
    with time_budget(timeout):
        document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=stylesheets
        )
        if len(document.pages) > max_pages:
            raise RenderTooLarge(
                _("PDF 页数过多（%(pages)s 页，上限 %(limit)s 页）。")
                % {"pages": len(document.pages), "limit": max_pages}
            )
        pdf = document.write_pdf()
    if len(pdf) > max_pdf:
        raise RenderTooLarge(_("PDF 文件过大（%(size)s 字节）。") % {"size": len(pdf)})
    return pdf


def render_pdf(
    issue: Issue | int,
    *,
    context: dict | None = None,
    fetcher: SafeURLFetcher | None = None,
    timeout: float | None = None,
) -> bytes:
    """The printed bulletin as PDF bytes."""
    # In the issue's language whoever asks (an English-reading editor's preview or publication included).
    with translation.override(LANGUAGE):
        context = context if context is not None else build_context(issue)
        html = pdf_html(context)
    return html_to_pdf(html, fetcher=fetcher, timeout=timeout)
