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
