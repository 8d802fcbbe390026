"""The public archive: pages for anonymous readers. Published issues only (publishing.selectors decides), every
page cached under the publication version (publishing.cache), no session or user touched."""

from __future__ import annotations

import datetime as dt
import logging

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from editorial.dates import BULLETIN_YEARS, BulletinDateFormField, parse_bulletin_date
from editorial.models import Issue
from publishing import charts, search, selectors
from publishing.cache import cached_page
from publishing.downloads import download_filename, rendition_for_download
from publishing.models import RenditionKind
from publishing.render import build_context
from publishing.render.context import LANGUAGE, format_chinese_date, qr_png, qr_target
from publishing.renditions import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

PER_PAGE = 20
# Page numbers beyond this are refused rather than computed: nobody reads page 5,000 of a listing.
MAX_PAGE = 500
# Search pages go deeper: every match of even the commonest word is on some page (see publishing.search).
MAX_SEARCH_PAGE = 2000


def absolute(path: str) -> str:
    """A canonical URL: the configured site address, whatever host the request came in on."""
    return settings.SITE_URL + path


def parse_day(value: str) -> dt.date:
    """A date from the URL; 404 unless it is a real date in the bulletin's years (editorial.dates)."""
    day = parse_bulletin_date(value)
    if day is None:
        raise Http404(_("没有这一天：%(value)s") % {"value": value[:20]})
    return day


def page_number(request: HttpRequest, *, limit: int = MAX_PAGE) -> int:
    raw = request.GET.get("page", "1")
    # isascii: "²".isdigit() is true, and int("²") an error.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or not 1 <= int(raw) <= limit:
        return 1
    return int(raw)


def paginate(request: HttpRequest, items, *, per_page: int = PER_PAGE):
    paginator = Paginator(items, per_page)
    number = page_number(request)
    if number > paginator.num_pages:
        raise Http404(_("没有这一页。"))
    return paginator.page(number)


# --- Issues -------------------------------------------------------------------------------------------------


def _issue_page(request: HttpRequest, issue: Issue) -> HttpResponse:
    with translation.override(LANGUAGE):  # the issue in its own language; the page around it in the reader's
        context = build_context(issue)
    previous, following = selectors.neighbours(issue)
    path = selectors.issue_url(issue)
    description = context["summary"][:140]
    context.update(
        canonical_url=absolute(path),
        og_title=context["headline"] or context["title"],
        og_description=description,
        downloads={
            "pdf": reverse("archive:issue_pdf", kwargs={"date": issue.date.isoformat()}),
            "wechat": reverse("archive:issue_wechat", kwargs={"date": issue.date.isoformat()}),
        },
        wechat_article_url=selectors.wechat_article_url(issue),
        previous={
            "url": selectors.issue_url(previous),
            "date": format_chinese_date(previous.date),
            "headline": previous.headline,
        }
        if previous
        else None,
        next={
            "url": selectors.issue_url(following),
            "date": format_chinese_date(following.date),
            "headline": following.headline,
        }
        if following
        else None,
        nav="issue",
    )
    return render(request, "publishing/archive/issue.html", context)


@require_safe
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    issue = selectors.latest_issue()
    if issue is None:
        return render(
            request, "publishing/archive/empty.html", {"canonical_url": absolute("/"), "nav": "home"}
        )
    return _issue_page(request, issue)


@require_safe
@cached_page
def issue_detail(request: HttpRequest, date: str) -> HttpResponse:
    issue = selectors.issue_on(parse_day(date))
    if issue is None:
        raise Http404(_("这一天没有已发布的期刊。"))
    return _issue_page(request, issue)


@require_safe
def issue_download(request: HttpRequest, date: str, kind: str) -> HttpResponse:
    issue = selectors.issue_on(parse_day(date))
    if issue is None:
        raise Http404(_("这一天没有已发布的期刊。"))
    try:
        rendition = rendition_for_download(issue=issue, kind=kind)
        stream = rendition.file.open("rb") if rendition is not None else None
    except TRANSIENT_ERRORS:
        # Storage or database hiccup while rendering or opening the file: the rendition is queued again for the
        # worker (rendition_render), and the reader is asked to come back rather than shown an error.
        logger.exception("Could not serve the %s of issue %s.", kind, issue.pk)
        stream = None
    if stream is None:
        response = render(
            request,
            "publishing/archive/unavailable.html",
            {
                "issue_url": selectors.issue_url(issue),
                "date": format_chinese_date(issue.date),
                "nav": "issue",
            },
            status=503,
        )
        response["Retry-After"] = "10"
        return response
    response = FileResponse(
        stream,
        as_attachment=kind == RenditionKind.PDF,
        filename=download_filename(issue=issue, kind=kind),
        content_type="application/pdf" if kind == RenditionKind.PDF else "text/html; charset=utf-8",
    )
    if rendition.sha256:
        response["ETag"] = f'"{rendition.sha256}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


# A year: the token pins the image (the same signed target always draws the same code), so it never goes stale.
QR_MAX_AGE = 365 * 24 * 60 * 60


@require_safe
def qr_code_png(request: HttpRequest, token: str) -> HttpResponse:
    """The PNG QR code of a target URL signed by publishing.render.context.qr_token (the WeChat article's QR
    images); 404 for any other token, so this is no QR generator for text a stranger chooses."""
    target = qr_target(token)
    if target is None:
        raise Http404(_("没有这个二维码。"))
    response = HttpResponse(qr_png(target), content_type="image/png")
    response["Cache-Control"] = f"public, max-age={QR_MAX_AGE}, immutable"
    return response


# --- The archive by month ---------------------------------------------------------------------------------


@require_safe
@cached_page
def archive_index(request: HttpRequest) -> HttpResponse:
    years = selectors.archive_months()
    total = sum(month.count for _, months in years for month in months)
    return render(
        request,
        "publishing/archive/index.html",
        {
            "years": years,
            "total": total,
            "canonical_url": absolute(reverse("archive:index")),
            "nav": "archive",
        },
    )


@require_safe
@cached_page
def archive_month(request: HttpRequest, year: str, month: str) -> HttpResponse:
    year_n, month_n = int(year), int(month)
    if not (1 <= month_n <= 12 and year_n in BULLETIN_YEARS):
        raise Http404(_("没有这个月份。"))
    issues = selectors.issues_in_month(year_n, month_n)
    if not issues:
        raise Http404(_("这个月没有已发布的期刊。"))
    path = reverse("archive:month", kwargs={"year": year, "month": month})
    return render(
        request,
        "publishing/archive/month.html",
        {
            "year": year_n,
            "month": month_n,
            "first_day": dt.date(year_n, month_n, 1),  # the heading, formatted in the reader's language
            "issues": [
                {
                    "url": selectors.issue_url(issue),
                    "date": format_chinese_date(issue.date),
                    "date_iso": issue.date.isoformat(),
                    "number": issue.number,
                    "headline": issue.headline,
                    "sections": [
                        {"anchor": f"section-{s.position}", "heading": f"{s.numeral}、{s.headline}"}
                        for s in issue.sections.all()
                    ],
                }
                for issue in issues
            ],
            "canonical_url": absolute(path),
            "nav": "archive",
        },
    )


# --- Topics and sources -------------------------------------------------------------------------------------


@require_safe
@cached_page
def topic_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/archive/topics.html",
        {
            "topics": selectors.public_topics(),
            "canonical_url": absolute(reverse("archive:topics")),
            "nav": "topics",
        },
    )


@require_safe
@cached_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_by_slug(slug)
    if topic is None:
        raise Http404(_("没有这个主题。"))
    page = paginate(request, selectors.topic_sections(topic))
    if page.paginator.count == 0:
        raise Http404(_("这个主题还没有已发布的条目。"))
    months = selectors.topic_monthly_counts(topic)
    chart = charts.monthly_bars(
        months,
        title=_("“%(topic)s”每月出现的条目数") % {"topic": topic.name},
        chart_id="topic-chart",
    )
    return render(
        request,
        "publishing/archive/topic.html",
        {
            "topic": topic,
            "page": page,
            "chart": chart,
            "first_month": months[0][0] if months else None,
            "last_month": months[-1][0] if months else None,
            "canonical_url": absolute(reverse("archive:topic", kwargs={"slug": topic.slug})),
            "nav": "topics",
        },
    )


@require_safe
@cached_page
def source_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/archive/sources.html",
        {
            "outlets": selectors.public_outlets(),
            "canonical_url": absolute(reverse("archive:sources")),
            "nav": "sources",
        },
    )


@require_safe
@cached_page
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outlets = selectors.outlets_for_slug(slug)
    if not outlets:
        raise Http404(_("没有这个来源。"))
    page = paginate(request, selectors.outlet_citations(outlets))
    if page.paginator.count == 0:
        raise Http404(_("已发布的期刊没有引用这个来源。"))
    return render(
        request,
        "publishing/archive/source.html",
        {
            "outlet": outlets[0],
            "page": page,
            "canonical_url": absolute(reverse("archive:source", kwargs={"slug": slug})),
            "nav": "sources",
        },
    )


# --- Search -------------------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, strip=False)
    start = BulletinDateFormField(label=gettext_lazy("起始日期"), required=False, input_formats=["%Y-%m-%d"])
    end = BulletinDateFormField(label=gettext_lazy("截止日期"), required=False, input_formats=["%Y-%m-%d"])
    topic = forms.CharField(label=gettext_lazy("主题"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data


@require_safe
@cached_page
def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context = {
        "form": form,
        "topic_options": search.topic_options(request.GET.get("topic", "").strip()),
        "nav": "search",
        "canonical_url": absolute(reverse("archive:search")),
    }
    if not request.GET:
        return render(request, "publishing/archive/search.html", context)
    form.is_valid()
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    shown, query, cut = search.clean_query(request.GET.get("q", ""))
    topic = None
    topic_slug = (data.get("topic") or "").strip()
    messages = []
    if cut:
        messages.append(_("关键词过长，只按前 %(n)d 个字搜索。") % {"n": search.MAX_QUERY_LENGTH})
    if topic_slug:
        topic = selectors.topic_by_slug(topic_slug)
        if topic is None:
            messages.append(_("没有这个主题，已忽略主题筛选。"))
    if not query:
        messages.append(_("请输入要搜索的词语。"))
    number = page_number(request, limit=MAX_SEARCH_PAGE)
    results = search.search(
        query=query,
        page=number,
        per_page=PER_PAGE,
        date_from=data.get("start"),
        date_to=data.get("end"),
        topic=topic,
    )
    if number > 1 and not results.entries:
        raise Http404(_("没有这一页。"))
    if results.capped:
        messages.append(
            _("结果超过 %(n)d 条，按日期从新到旧排列；可以用日期或主题缩小范围。") % {"n": search.RANK_LIMIT}
        )
    context.update(
        query=shown,
        topic=topic,
        messages_list=messages,
        page=results,
        hits=search.hits(results, query),
        rank_limit=search.RANK_LIMIT,
        page_query=_query_without_page(request),
    )
    return render(request, "publishing/archive/search.html", context)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def archive_year(request: HttpRequest, year: str) -> HttpResponse:
    if int(year) not in BULLETIN_YEARS:
        raise Http404(_("没有这一年。"))
    return redirect(reverse("archive:index") + f"#year-{int(year)}")


# --- Benchmark ceiling ------------------------------------------------------------------------------------

CEILING_PAGE = (
    "<!DOCTYPE html><html lang=zh-Hans><head><meta charset=utf-8><title>ceiling</title></head>"
    "<body><p>A fixed page, no database, no cache: the fastest this stack answers.</p></body></html>"
)


def bench_ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CEILING_PAGE)
