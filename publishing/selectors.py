"""Read-only queries of the public archive. Everything here sees published issues only: the one place that
decides what an anonymous reader may see."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
from django.urls import reverse
from django.utils.text import slugify

from editorial.models import Issue, IssueState, Section, Topic
from publishing.models import WeChatArticle, WeChatPublishStatus
from references.models import Citation, Source


def published_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(state=IssueState.PUBLISHED)


def latest_issue() -> Issue | None:
    return published_issues().order_by("-date", "series_id").first()


def issue_on(date: dt.date) -> Issue | None:
    """The published issue of `date`. Should two series publish on one day, the older series wins."""
    return published_issues().filter(date=date).order_by("series_id").first()


def issue_url(issue_or_date) -> str:
    """The path of the public page of an issue (or of the issue of a date): /issues/2026-06-28/."""
    date = getattr(issue_or_date, "date", issue_or_date)
    return reverse("archive:issue", kwargs={"date": date.isoformat()})


def wechat_article_url(issue: Issue) -> str:
    """The address of the issue's published WeChat article (the newest, if it went to several accounts), or ""."""
    article = (
        WeChatArticle.objects.filter(issue=issue, publish_status=WeChatPublishStatus.PUBLISHED)
        .exclude(article_url="")
        .order_by("-published_at")
        .first()
    )
    return article.article_url if article else ""


def neighbours(issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The published issues just before and just after `issue` (dates only)."""
    fields = ("date", "headline")
    previous = published_issues().filter(date__lt=issue.date).order_by("-date").only(*fields).first()
    following = published_issues().filter(date__gt=issue.date).order_by("date").only(*fields).first()
    return previous, following


# --- The archive by month -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    count: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


def archive_months() -> list[tuple[int, list[MonthCount]]]:
    """[(year, [MonthCount, ...]), ...], newest year and month first, months without issues left out."""
    rows = (
        published_issues()
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values("year", "month")
        .annotate(count=Count("id"))
        .order_by("-year", "-month")
    )
    years: OrderedDict[int, list[MonthCount]] = OrderedDict()
    for row in rows:
        years.setdefault(row["year"], []).append(MonthCount(row["year"], row["month"], row["count"]))
    return list(years.items())


def issues_in_month(year: int, month: int) -> list[Issue]:
    """The month's published issues, newest first, with their section headlines (two queries)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return list(
        published_issues()
        .filter(date__range=(first, last))
        .order_by("-date", "series_id")
        .only("date", "number", "headline", "series_id")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.order_by("position").only("issue_id", "position", "headline"),
            )
        )
    )


# --- Topics -------------------------------------------------------------------------------------------


def public_topics() -> list[dict]:
    """Topics that appear in at least one published issue, with how many sections carry them, most used first."""
    rows = (
        Section.topics.through.objects.filter(section__issue__state=IssueState.PUBLISHED)
        .values("topic_id", "topic__name", "topic__slug")
        .annotate(count=Count("section_id"))
        .order_by("-count", "topic__name")
    )
    return [{"name": r["topic__name"], "slug": r["topic__slug"], "count": r["count"]} for r in rows]


def topic_by_slug(slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


def topic_sections(topic: Topic) -> QuerySet[Section]:
    """Every published section on `topic`, newest first."""
    return (
        Section.objects.filter(topics=topic, issue__state=IssueState.PUBLISHED)
        .select_related("issue")
        .only("position", "headline", "issue__date", "issue__headline")
        .order_by("-issue__date", "position")
    )


def topic_monthly_counts(topic: Topic) -> list[tuple[dt.date, int]]:
    """(first day of month, number of published sections on `topic`) for every month from the first to the
    last appearance, months without any included as zero."""
    rows = (
        Section.objects.filter(topics=topic, issue__state=IssueState.PUBLISHED)
        .annotate(month=TruncMonth("issue__date"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("month")
    )
    counts = {_as_date(row["month"]): row["count"] for row in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        day = dt.date(year, month, 1)
        months.append((day, counts.get(day, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- Sources (outlets) ----------------------------------------------------------------------------------------


def outlet_slug(outlet: str) -> str:
    """The URL name of an outlet: 国家能源局 -> 国家能源局, Reuters -> reuters, Financial Times -> financial-times."""
    return slugify(outlet, allow_unicode=True)


def public_outlets() -> list[dict]:
    """Outlets cited by published issues, with their slug and number of citations, most cited first. Outlets whose
    names slugify alike (Reuters, REUTERS) share one page."""
    rows = (
        Citation.objects.filter(issue__state=IssueState.PUBLISHED)
        .values("source__outlet")
        .annotate(count=Count("id"))
        .order_by("-count", "source__outlet")
    )
    outlets: OrderedDict[str, dict] = OrderedDict()
    for row in rows:
        slug = outlet_slug(row["source__outlet"])
        if not slug:
            continue
        entry = outlets.setdefault(slug, {"name": row["source__outlet"], "slug": slug, "count": 0})
        entry["count"] += row["count"]
    return sorted(outlets.values(), key=lambda o: (-o["count"], o["name"]))


def outlets_for_slug(slug: str) -> list[str]:
    """The outlet names (as stored) whose slug is `slug`; empty if none is cited."""
    names = Source.objects.values_list("outlet", flat=True).distinct()
    return sorted({name for name in names if outlet_slug(name) == slug})


def outlet_citations(outlets: list[str]) -> QuerySet[Citation]:
    """Every citation of those outlets in a published issue, newest issue first, with the sections it supports."""
    return (
        Citation.objects.filter(source__outlet__in=outlets, issue__state=IssueState.PUBLISHED)
        .select_related("source", "issue")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position").only("position", "headline"))
        )
        .order_by("-issue__date", "position")
    )
