"""RSS and Atom feeds of the latest published issues (django.contrib.syndication).

Links are absolute on the configured SITE_URL, so a feed cached once is right whatever host it was asked on.

Whatever a row holds (one stored before text was cleaned, one written around the models), the feeds stay
well-formed: every stored string is cleaned again on the way out, since editorial.cleaning.clean_text drops the
characters XML 1.0 forbids, which Django's XML writer refuses with an exception (a 500 for every subscriber).
Titles and the author are plain text (Atom's default type="text"; the RSS Best Practices Profile allows HTML
only in an item's description). The description, which RSS and Atom's summary type="html" both read as HTML,
is built from the plain text escaped, so a summary `<img src=x onerror=...>` reaches a feed reader as text.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from editorial.cleaning import clean_text
from editorial.models import Issue, Section, chinese_numeral
from publishing.render.context import format_chinese_date
from publishing.selectors import published_issues

FEED_SIZE = 30


def description_html(*, summary: str, lines: list[str]) -> str:
    """The HTML of an item's description: the summary's paragraphs, then `lines` (the contents), each one
    paragraph of cleaned, escaped plain text. The feed writer escapes it once more for XML, as RSS's description
    and Atom's summary type="html" expect."""
    paragraphs = clean_text(summary, multiline=True).split("\n")
    paragraphs += [clean_text(line) for line in lines]
    return format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs if p))


class LatestIssuesFeed(Feed):
    def title(self) -> str:
        return _("新质生产力每日动态")

    def description(self) -> str:
        return _("新质生产力每日动态：每日政策与产业动态及评析。")

    def link(self) -> str:
        return settings.SITE_URL + reverse("archive:home")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("archive:feed")

    def items(self) -> list[Issue]:
        return list(
            published_issues()
            .select_related("series")
            .prefetch_related(
                Prefetch(
                    "sections",
                    queryset=Section.objects.order_by("position").only("issue_id", "position", "headline"),
                )
            )
            .order_by("-date", "series_id")[:FEED_SIZE]
        )

    def item_title(self, item: Issue) -> str:
        date = format_chinese_date(item.date)
        headline = clean_text(item.headline)
        return f"{date} · {headline}" if headline else f"{clean_text(item.series.title)} · {date}"

    def item_description(self, item: Issue) -> str:
        return description_html(
            summary=item.summary,
            lines=[f"{chinese_numeral(s.position)}、{s.headline}" for s in item.sections.all()],
        )

    def item_link(self, item: Issue) -> str:
        return settings.SITE_URL + reverse("archive:issue", kwargs={"date": item.date.isoformat()})

    def item_guid(self, item: Issue) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: Issue) -> dt.datetime:
        return item.published_at or timezone.make_aware(dt.datetime.combine(item.date, dt.time()))

    def item_updateddate(self, item: Issue) -> dt.datetime:
        return max(item.updated_at, self.item_pubdate(item))

    def item_author_name(self, item: Issue) -> str:
        return clean_text(item.series.publisher)

    def item_categories(self, item: Issue) -> list[str]:
        return []


class LatestIssuesAtomFeed(LatestIssuesFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("archive:feed_atom")
