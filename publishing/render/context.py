"""One context for the three outputs: an issue turned into plain data (dicts, lists and strings).

The web page, the PDF and the WeChat HTML all read this and nothing else, so they cannot disagree about what an
issue says. It costs a fixed number of queries whatever the number of sections or citations.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from editorial.models import Issue, Section, chinese_numeral
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
    # Stored HTML was sanitized on save; cleaning again costs little and covers rows written around the ORM.
    return mark_safe(sanitize_html(value))


def _html_or_blank(value: str) -> SafeString | str:
    """The cleaned HTML, or "" when it shows nothing by the workflow's rule ("<p>&nbsp;</p>", "<p><br></p>",
    a paragraph of U+3000, markup whose only content was a script): templates print no block for "", so a
    blank analysis leaves no empty dashed box in any output."""
    cleaned = _html(value)
    return "" if is_blank_html(cleaned) else cleaned


def _display_url(url: str) -> str:
    """`https://gyznswn.cn/` -> `gyznswn.cn`: what a caption under a QR code prints."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return parts.netloc + path + (f"?{parts.query}" if parts.query else "")


@functools.lru_cache(maxsize=64)
def qr_code(url: str) -> dict:
    """A QR code for `url`: inline SVG for the web page, a data: PNG for the PDF (one pixel a module, printed
    with image-rendering: pixelated, so it stays sharp and costs WeasyPrint no SVG parsing).

    Cached: a series has a handful of QR targets and encoding one is most of what building a context costs."""
    qr = segno.make(url, error="m", micro=False)
    return {
        "svg": mark_safe(qr.svg_inline(scale=4, border=2, omitsize=False)),
        "png_uri": qr.png_data_uri(scale=1, border=2),
    }


def load_issue(issue: Issue | int) -> Issue:
    """The issue with everything a render reads, in four queries."""
    pk = issue.pk if isinstance(issue, Issue) else issue
    return (
        Issue.objects.select_related("series")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.select_related("analysis").order_by("position")),
            Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("position")),
            "corrections",
        )
        .get(pk=pk)
    )


def build_context(issue: Issue | int) -> dict:
    issue = load_issue(issue)
    series = issue.series
    date_display = format_chinese_date(issue.date)

    sections = []
    for index, section in enumerate(issue.sections.all(), start=1):
        numeral = chinese_numeral(index)
        analysis = getattr(section, "analysis", None)
        sections.append(
            {
                "position": index,
                "numeral": numeral,
                "anchor": f"section-{index}",
                "headline": section.headline,
                "heading": _("%(numeral)s、%(headline)s")
                % {"numeral": numeral, "headline": section.headline},
                "news_html": _html(section.body),
                "analysis_html": _html_or_blank(analysis.body if analysis else ""),
            }
        )

    citations = [
        {
            "position": index,
            "anchor": f"ref-{index}",
            "entry": format_entry(citation),
            "outlet": citation.source.outlet,
            "title": citation.source.title,
            "date": citation.source.date_display,
            "note": citation.note,
            "url": citation.source.url,
            "url_display": _display_url(citation.source.url) if citation.source.url else "",
        }
        for index, citation in enumerate(issue.citations.all(), start=1)
    ]

    qr_codes = [
        {
            "label": target["label"],
            "url": target["url"],
            # Long URLs (an account profile link) say nothing to a reader: the code itself is the link.
            "display_url": _display_url(target["url"]) if len(_display_url(target["url"])) <= 32 else "",
        }
        | qr_code(target["url"])
        for target in series.qr_targets or []
        if isinstance(target, dict) and target.get("url")
    ]

    headline = issue.headline.strip()
    return {
        "lang": LANGUAGE,
        "site_url": settings.SITE_URL,
        "title": _("%(series)s · %(date)s") % {"series": series.title, "date": date_display},
        "masthead": {
            "title": series.title,
            "publisher": series.publisher,
            "producers": series.producers,
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
        "summary": issue.summary.strip(),
        "summary_paragraphs": [p.strip() for p in issue.summary.splitlines() if p.strip()],
        "sections": sections,
        "citations": citations,
        "footer": {
            "contact_heading": series.contact_heading,
            "qr_codes": qr_codes,
            "about": [
                {"title": block["title"], "body": block["body"]}
                for block in series.footer_blocks or []
                if isinstance(block, dict) and block.get("body")
            ],
            "website": series.website,
            "website_display": _display_url(series.website) if series.website else "",
        },
        "corrections": [
            {
                "note": correction.note,
                "date": format_chinese_date(timezone.localtime(correction.created_at, series.zone).date()),
            }
            for correction in issue.corrections.all()
        ],
    }
