"""RSS, Atom and the sitemap: published issues only, absolute canonical URLs."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from tests.publishing import archive_support
from tests.publishing.archive_support import S, mark_issue, set_state

clean_cache = archive_support.clean_cache
published = archive_support.published
hidden_issues = archive_support.hidden_issues

SITE = "https://bulletin.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def test_the_rss_feed_lists_published_issues_newest_first(client, make_issue, published, hidden_issues):
    set_state(mark_issue(make_issue(dt.date(2026, 6, 30)), "前一天"), S.PUBLISHED)
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("link") == f"{SITE}/"
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        f"{SITE}/issues/2026-07-01/",
        f"{SITE}/issues/2026-06-30/",
    ]
    assert "公开词标题" in items[0].findtext("title")
    assert "公开词摘要" in items[0].findtext("description")
    assert "一、公开词条目" in items[0].findtext("description")
    assert items[0].findtext("pubDate")


def test_the_atom_feed_lists_the_same_issues(client, published, hidden_issues):
    response = client.get("/feed/atom/")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}link").get("href") == f"{SITE}/issues/2026-07-01/"
    assert entries[0].findtext(f"{ATOM}updated")
    for issue in hidden_issues.values():
        assert issue.headline not in response.content.decode()


def test_the_sitemap_lists_published_issues_months_topics_and_sources(client, published, hidden_issues):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in ET.fromstring(response.content).findall(f"{SITEMAP}url")
    }
    assert urls.get(f"{SITE}/issues/2026-07-01/", "").startswith("20")
    assert f"{SITE}/archive/2026/07/" in urls
    assert f"{SITE}/" in urls and f"{SITE}/archive/" in urls
    assert f"{SITE}/topics/%E6%95%B0%E6%8D%AE%E8%A6%81%E7%B4%A0/" in urls
    for issue in hidden_issues.values():
        assert f"{SITE}/issues/{issue.date}/" not in urls


def test_feeds_are_valid_and_empty_without_published_issues(client, hidden_issues):
    assert ET.fromstring(client.get("/feed/").content).find("channel").findall("item") == []
    assert ET.fromstring(client.get("/feed/atom/").content).findall(f"{ATOM}entry") == []
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    assert all("/issues/" not in url.findtext(f"{SITEMAP}loc") for url in sitemap.findall(f"{SITEMAP}url"))


def feed_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_support.expire_pages()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_feed_costs_the_same_queries_for_one_issue_or_many(client, make_issue, url):
    set_state(make_issue(dt.date(2026, 7, 1)), S.PUBLISHED)
    one = feed_queries(client, url)
    for day in range(2, 6):
        set_state(make_issue(dt.date(2026, 7, day), sections=3), S.PUBLISHED)

    assert feed_queries(client, url) == one


def test_an_items_description_is_the_summary_and_contents_the_issue_page_shows(client, published):
    page = client.get("/issues/2026-07-01/").content.decode()
    item = ET.fromstring(client.get("/feed/").content).find("channel").find("item")

    description = item.findtext("description")
    assert description == "<p>公开词摘要。</p><p>一、公开词条目</p><p>二、第2条标题</p>"
    assert all(text in page for text in ("公开词摘要。", "公开词条目", "第2条标题"))
