"""The sitemap (django.contrib.sitemaps): every published issue, the archive months, topics and sources, with
absolute URLs on the configured SITE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from editorial.models import Issue
from publishing import selectors


class _SiteSitemap(Sitemap):
    """URLs on SITE_URL's host and scheme, not on whatever Host header the request carried."""

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class IssueSitemap(_SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return selectors.published_issues().order_by("-date", "series_id").only("date", "updated_at")

    def location(self, item: Issue) -> str:
        return reverse("archive:issue", kwargs={"date": item.date.isoformat()})

    def lastmod(self, item: Issue):
        return item.updated_at


def _reversible(name: str, slugs) -> list[str]:
    """The paths of `name` for each slug its URL pattern accepts. A slug stored around the models (raw SQL, an
    old row) that the pattern refuses has no page to list, and must not turn the whole sitemap into a 500."""
    paths = []
    for slug in slugs:
        try:
            paths.append(reverse(name, kwargs={"slug": slug}))
        except NoReverseMatch:
            continue
    return paths


class PageSitemap(_SiteSitemap):
    """The home page, the archive index and its months, and the topic and source pages."""

    changefreq = "daily"
    priority = 0.5

    def items(self) -> list[str]:
        paths = [
            reverse("archive:home"),
            reverse("archive:index"),
            reverse("archive:topics"),
            reverse("archive:sources"),
        ]
        for _year, months in selectors.archive_months():
            paths += [
                reverse("archive:month", kwargs={"year": f"{m.year:04d}", "month": f"{m.month:02d}"})
                for m in months
            ]
        paths += _reversible("archive:topic", (t["slug"] for t in selectors.public_topics()))
        paths += _reversible("archive:source", (o["slug"] for o in selectors.public_outlets()))
        return paths

    def location(self, item: str) -> str:
        return item


SITEMAPS = {"issues": IssueSitemap, "pages": PageSitemap}
