"""RSS and Atom feeds of the latest published issues (django.contrib.syndication).

Links are absolute on the configured SITE_URL, so a feed cached once is right whatever host it was asked on.

An item is printed from the render context (publishing.render.context.issue_context), the data the web page,
the PDF and the WeChat HTML print: its text is cleaned as theirs is, so whatever a row holds (one stored before
text was cleaned, one written around the models) the feed stays well-formed XML (Django's XML writer raises on a
character XML 1.0 forbids, a 500 for every subscriber) and says what the page says. Titles and the author are plain
text (Atom's default type="text"; the RSS Best Practices Profile allows HTML only in an item's description). The
description, which RSS and Atom's summary type="html" both read as HTML, is a template rendered with
autoescaping, as the pages are: plain text (a summary `<img src=x onerror=...>`) reaches a feed reader as text,
and rich text can only be the context's sanitized HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from editorial.models import Issue
from editorial.sanitize import absolute_html
from publishing.render.context import LANGUAGE, issue_context, with_render_data
from publishing.selectors import published_issues

FEED_SIZE = 30
ITEM_TEMPLATE = "publishing/feed_item.html"


def item_html(context: dict, *, page_url: str) -> str:
    """The HTML of an item's description: the summary's paragraphs, then the contents (一、headline…), from the
    render `context` of the issue whose page is `page_url` (absolute).

    Rendered with autoescaping in the issue's language, then put through the sanitizer's allow-list once more
    with every relative address resolved against `page_url` (editorial.sanitize.absolute_html): a feed reader
    has no page to resolve "/media/…" or "#ref-1" against. The feed writer escapes the result once more for
    XML, as RSS's description and Atom's summary type="html" expect."""
    with translation.override(LANGUAGE):
        html = render_to_string(ITEM_TEMPLATE, context)
    return absolute_html(html, base_url=page_url)


@dataclass(frozen=True)
class FeedItem:
    issue: Issue
    context: dict


class LatestIssuesFeed(Feed):
    def title(self) -> str:
        return _("新质生产力每日动态")

    def description(self) -> str:
        return _("新质生产力每日动态：每日政策与产业动态及评析。")

    def link(self) -> str:
        return settings.SITE_URL + reverse("archive:home")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("archive:feed")

    def items(self) -> list[FeedItem]:
        issues = with_render_data(published_issues()).order_by("-date", "series_id")[:FEED_SIZE]
        with translation.override(LANGUAGE):
            return [FeedItem(issue, issue_context(issue)) for issue in issues]

    def item_title(self, item: FeedItem) -> str:
        masthead = item.context["masthead"]
        headline = item.context["headline"]
        return f"{masthead['date']} · {headline}" if headline else f"{masthead['title']} · {masthead['date']}"

    def item_description(self, item: FeedItem) -> str:
        return item_html(item.context, page_url=self.item_link(item))

    def item_link(self, item: FeedItem) -> str:
        return settings.SITE_URL + reverse("archive:issue", kwargs={"date": item.issue.date.isoformat()})

    def item_guid(self, item: FeedItem) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: FeedItem) -> dt.datetime:
        issue = item.issue
        return issue.published_at or timezone.make_aware(dt.datetime.combine(issue.date, dt.time()))

    def item_updateddate(self, item: FeedItem) -> dt.datetime:
        return max(item.issue.updated_at, self.item_pubdate(item))

    def item_author_name(self, item: FeedItem) -> str:
        return item.context["masthead"]["publisher"]

    def item_categories(self, item: FeedItem) -> list[str]:
        return []


class LatestIssuesAtomFeed(LatestIssuesFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("archive:feed_atom")
