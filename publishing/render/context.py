"""One context for the three outputs: an issue turned into plain data (dicts, lists and strings).

The web page, the PDF and the WeChat HTML all read this and nothing else, so they cannot disagree about what an
issue says. It costs a fixed number of queries whatever the number of sections or citations.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from editorial.cleaning import clean_text
from editorial.models import Issue, Section, Series, SeriesQRCode, chinese_numeral
from editorial.sanitize import sanitize_html
from editorial.workflow import is_blank_html
from references.formatting import format_entry
from references.models import Citation

LANGUAGE = "zh-Hans"


def format_chinese_date(date: dt.date) -> str:
    """2026-06-28 -> 2026 年 6 月 28 日, as the sample's masthead prints it."""
    return _("%(year)d 年 %(month)d 月 %(day)d 日") % {
        "year": date.year,
        "month": date.month,
        "day": date.day,
    }


def _html(value: str) -> SafeString:
    """Stored HTML cleaned again: it was sanitized on save, and cleaning again costs little and covers rows
    written around the models (sanitize_html also bounds table spans and list starts, which a renderer would
    otherwise take at their word, and unwraps links whose address a renderer cannot parse)."""
    return mark_safe(sanitize_html(value))


def _html_or_blank(value: str) -> SafeString | str:
    """The cleaned HTML, or "" when it shows nothing by the workflow's rule ("<p>&nbsp;</p>", "<p><br></p>",
    a paragraph of U+3000, markup whose only content was a script): templates print no block for "", so a
    blank analysis leaves no empty dashed box in any output."""
    cleaned = _html(value)
    return "" if is_blank_html(cleaned) else cleaned


def _display_url(url: str) -> str:
    """`https://gyznswn.cn/` -> `gyznswn.cn`: what a caption under a QR code prints (the address itself when
    Python's parser refuses it, as it may in a row written around the models)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    return parts.netloc + path + (f"?{parts.query}" if parts.query else "")


@functools.lru_cache(maxsize=64)
def qr_code(url: str) -> dict:
    """A QR code for `url`: inline SVG for the web page, a data: PNG for the PDF (one pixel a module, printed
    with image-rendering: pixelated, so it stays sharp and costs WeasyPrint no SVG parsing).

    Cached: a series has a handful of QR targets and encoding one is most of what building a context costs.
    The WeChat article's address of the same code (`qr_png_url`) is added by `issue_context`, outside this
    cache, since it depends on SITE_URL and the signing key."""
    qr = segno.make(url, error="m", micro=False)
    return {
        "svg": mark_safe(qr.svg_inline(scale=4, border=2, omitsize=False)),
        "png_uri": qr.png_data_uri(scale=1, border=2),
    }


# The WeChat article shows each QR code as a PNG <img> from our own site: the editor drops SVG and data: URLs,
# and it (like the push, through publishing.wechat.images.site_qr_png) copies an image from its address. The address
# carries the target URL signed with SECRET_KEY under this salt, so the route draws only codes this site minted,
# never one for any text a stranger puts in a URL. No timestamp: the same target gives the same address in every
# render, so the rendition's content stays the same and the image can be cached for good.
QR_SALT = "publishing.qr-png"
QR_SEPARATOR = "."
# Pixels a module, and the quiet zone in modules: a 25-module code (a short URL) is 232 px, sharp on a phone
# screen and recognised by WeChat's long-press scanner (ISO/IEC 18004 asks for a 4-module quiet zone; the
# article's white page around the image adds to the 2 drawn here).
QR_PNG_SCALE = 8
QR_PNG_BORDER = 2


def _qr_signer() -> signing.Signer:
    return signing.Signer(salt=QR_SALT, sep=QR_SEPARATOR)


def qr_token(url: str) -> str:
    """The signed token of `url` used in the QR route (`[A-Za-z0-9_-]+.[A-Za-z0-9_-]+`)."""
    return _qr_signer().sign_object(url)


def qr_target(token: str) -> str | None:
    """The URL `token` was signed for, or None when the token was not made by `qr_token` with this site's key
    (or a key in SECRET_KEY_FALLBACKS)."""
    try:
        target = _qr_signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return target if isinstance(target, str) and target else None


def qr_png_url(url: str) -> str:
    """The absolute address (SITE_URL) of the PNG QR code for `url`."""
    return settings.SITE_URL + reverse("archive:qr_png", kwargs={"token": qr_token(url)})


@functools.lru_cache(maxsize=64)
def qr_png(url: str) -> bytes:
    """The PNG QR code for `url`: QR_PNG_SCALE pixels a module, QR_PNG_BORDER modules of quiet zone, 1-bit."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=QR_PNG_SCALE, border=QR_PNG_BORDER)
    return buffer.getvalue()


def media_site_url(name: str) -> str:
    """The absolute address on this site (SITE_URL + MEDIA_URL) of the stored file `name`: what the PDF
    renderer's fetcher and the WeChat push read back from storage without a request, whatever the storage."""
    return f"{settings.SITE_URL}/{settings.MEDIA_URL.strip('/')}/{name}"


def qr_item(code: SeriesQRCode) -> dict | None:
    """One footer QR code as the templates print it, or None when it has neither an image nor an address.

    {"label", "url" (the address, "" for an image), "display_url", "image_url" (the uploaded image's URL for
    the web page, "" for a generated code), "svg" (inline SVG for the web page, "" for an image), "png_uri"
    (the PDF's <img> source: a data: PNG, or the image's address on this site, read by the PDF fetcher),
    "png_url" (the WeChat article's <img> source, absolute)}."""
    label = clean_text(code.label)
    if code.image:
        # The account's own QR, issued by WeChat as a picture: shown as uploaded, never redrawn.
        site_url = media_site_url(code.image.name)
        return {
            "label": label,
            "url": "",
            "display_url": "",
            "image_url": code.image.url,
            "svg": "",
            "png_uri": site_url,
            "png_url": site_url,
        }
    url = clean_text(code.url)
    if not url:
        return None
    display = _display_url(url)
    return (
        {
            "label": label,
            "url": url,
            # Long URLs (an account profile link) say nothing to a reader: the code itself is the link.
            "display_url": display if len(display) <= 32 else "",
            "image_url": "",
        }
        | qr_code(url)
        | {"png_url": qr_png_url(url)}
    )


def footer_context(series: Series) -> dict:
    """The masthead's footer as the three outputs print it: {"contact_heading", "qr_codes" (see `qr_item`),
    "about" ([{"title", "body"}]), "website", "website_display"}. Reads series.qr_codes and
    series.footer_blocks (prefetched by `with_render_data`; two queries otherwise)."""
    website = clean_text(series.website)
    return {
        "contact_heading": clean_text(series.contact_heading),
        "qr_codes": [item for code in series.qr_codes.all() if (item := qr_item(code)) is not None],
        "about": [
            {"title": clean_text(block.title), "body": body}
            for block in series.footer_blocks.all()
            if (body := clean_text(block.body, multiline=True))
        ],
        "website": website,
        "website_display": _display_url(website) if website else "",
    }


def with_render_data(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """`issues` with everything `issue_context` reads: six queries however many issues and sections."""
    return issues.select_related("series").prefetch_related(
        "series__qr_codes",
        "series__footer_blocks",
        Prefetch("sections", queryset=Section.objects.select_related("analysis").order_by("position")),
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("position")),
        "corrections",
    )


def load_issue(issue: Issue | int) -> Issue:
    """The issue with everything a render reads, in six queries."""
    pk = issue.pk if isinstance(issue, Issue) else issue
    return with_render_data(Issue.objects.all()).get(pk=pk)


def build_context(issue: Issue | int) -> dict:
    """The plain data of `issue` for the three outputs; six queries whatever its size."""
    return issue_context(load_issue(issue))


def issue_context(issue: Issue) -> dict:
    """The plain data of an issue loaded through `with_render_data` (no query): what the web page, the PDF, the
    WeChat HTML and the feeds print.

    Every stored string is cleaned again on the way out (plain text with editorial.cleaning.clean_text, rich text
    with sanitize_html), so a row stored before cleaning existed or written around the models (raw SQL) still
    renders: no control character to garble the PDF's text or break the WeChat HTML, no script."""
    series = issue.series
    date_display = format_chinese_date(issue.date)

    sections = []
    for index, section in enumerate(issue.sections.all(), start=1):
        numeral = chinese_numeral(index)
        analysis = getattr(section, "analysis", None)
        section_headline = clean_text(section.headline)
        sections.append(
            {
                "position": index,
                "numeral": numeral,
                "anchor": f"section-{index}",
                "headline": section_headline,
                "heading": _("%(numeral)s、%(headline)s")
                % {"numeral": numeral, "headline": section_headline},
                "news_html": _html(section.body),
                "analysis_html": _html_or_blank(analysis.body if analysis else ""),
            }
        )

    citations = [
        {
            "position": index,
            "anchor": f"ref-{index}",
            "entry": clean_text(format_entry(citation)),
            "outlet": clean_text(citation.source.outlet),
            "title": clean_text(citation.source.title),
            "date": citation.source.date_display,
            "note": clean_text(citation.note),
            "url": clean_text(citation.source.url),
            "url_display": _display_url(clean_text(citation.source.url)) if citation.source.url else "",
        }
        for index, citation in enumerate(issue.citations.all(), start=1)
    ]

    headline = clean_text(issue.headline)
    summary = clean_text(issue.summary, multiline=True)
    series_title = clean_text(series.title)
    return {
        "lang": LANGUAGE,
        "site_url": settings.SITE_URL,
        "title": _("%(series)s · %(date)s") % {"series": series_title, "date": date_display},
        "masthead": {
            "title": series_title,
            "publisher": clean_text(series.publisher),
            "producers": clean_text(series.producers),
            "date": date_display,
            "date_iso": issue.date.isoformat(),
            "number": issue.number,
        },
        "issue": {
            "pk": issue.pk,
            "date_iso": issue.date.isoformat(),
            "state": issue.state,
            "number": issue.number,
        },
        "headline": headline,
        "summary": summary,
        "summary_paragraphs": [p for p in summary.split("\n") if p],
        "sections": sections,
        "citations": citations,
        "footer": footer_context(series),
        "corrections": [
            {
                "note": clean_text(correction.note, multiline=True),
                "date": format_chinese_date(timezone.localtime(correction.created_at, series.zone).date()),
            }
            for correction in issue.corrections.all()
        ],
    }
