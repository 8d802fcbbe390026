"""The feeds and the sitemap stay valid XML whatever a row holds, even text written around the models (raw SQL,
as rows stored before cleaning existed), and plain text reaches a feed reader as text, never as markup."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.utils.safestring import mark_safe

from editorial.models import Section
from editorial.sanitize import absolute_html
from publishing.feeds import item_html
from tests.publishing import archive_support
from tests.publishing.archive_support import S, set_state

clean_cache = archive_support.clean_cache

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = "<img src=x onerror=alert(1)>"
# Every character XML 1.0 forbids that a database can hold (a lone surrogate cannot even be stored as UTF-8).
FORBIDDEN = "\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff"


class _Html(HTMLParser):
    """What a feed reader makes of a description: the tags it would build and the text it would show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def as_html(value: str) -> _Html:
    parser = _Html()
    parser.feed(value)
    parser.close()
    return parser


def raw_update(table: str, pk: int, **values) -> None:
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


@pytest.fixture
def dirty_published(make_issue):
    """A published issue whose every feed field holds controls and markup, written around the models."""
    issue = make_issue(dt.date(2026, 7, 1))
    raw_update(
        "editorial_issue",
        issue.pk,
        headline=f"标题{FORBIDDEN}{HOSTILE}",
        summary=f"第一行\x0b第二行{FORBIDDEN}\n{HOSTILE} & <b>粗</b>",
    )
    raw_update("editorial_series", issue.series_id, publisher=f"出版\x0b者{HOSTILE}", title="刊物\x01名")
    first = Section.objects.get(issue=issue, position=1)
    raw_update("editorial_section", first.pk, headline=f"条目\x0c{HOSTILE}")
    return set_state(issue, S.PUBLISHED)


def test_the_rss_feed_parses_and_shows_hostile_plain_text_as_text(client, dirty_published):
    response = client.get("/feed/")

    assert response.status_code == 200
    item = ET.fromstring(response.content).find("channel").find("item")
    # U+000B and U+000C are line breaks, which a one-line title turns into a space; the other controls go.
    assert item.findtext("title") == f"2026 年 7 月 1 日 · 标题 {HOSTILE}"
    description = as_html(item.findtext("description"))
    # 第一行, 第二行 (U+000B and U+000C end lines, as in the web page), the hostile line, two sections.
    assert description.tags == ["p"] * 5
    assert "".join(description.text) == (f"第一行第二行{HOSTILE} & <b>粗</b>一、条目 {HOSTILE}二、第2条标题")


def test_the_atom_feed_parses_and_its_html_summary_holds_no_markup_from_the_text(client, dirty_published):
    response = client.get("/feed/atom/")

    assert response.status_code == 200
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"2026 年 7 月 1 日 · 标题 {HOSTILE}"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    parsed = as_html(summary.text)
    assert set(parsed.tags) == {"p"}
    assert HOSTILE in "".join(parsed.text)
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == f"出版 者{HOSTILE}"


def test_the_sitemap_parses_with_dirty_topic_and_outlet_names(client, dirty_published):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE editorial_topic SET name = %s", [f"数据\x0b要素{HOSTILE}"])

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = [
        url.findtext(f"{SITEMAP}loc") for url in ET.fromstring(response.content).iter(f"{SITEMAP}url")
    ]
    assert any(loc.endswith("/issues/2026-07-01/") for loc in locations)


def test_a_description_is_the_contexts_text_escaped_in_paragraphs_with_addresses_made_absolute():
    context = {
        "summary_paragraphs": ["甲", "<i>丙</i>"],
        "sections": [{"heading": "一、A&B"}],
    }

    html = item_html(context, page_url="https://bulletin.example.org/issues/2026-07-01/")

    assert html == "<p>甲</p><p>&lt;i&gt;丙&lt;/i&gt;</p><p>一、A&amp;B</p>"


def test_the_item_html_resolves_the_pages_relative_addresses_against_the_item_page():
    """What issue 15's full text will pass through: the page's sanitized HTML, with "#ref-1" and our uploads
    absolute for a feed reader, and the allow-list applied once more."""
    page = mark_safe('<p><a href="#ref-1">注</a><img src="/media/a.png" alt="图" onerror="alert(1)"></p>')

    html = absolute_html(page, base_url="https://bulletin.example.org/issues/2026-07-01/")

    assert html == (
        '<p><a href="https://bulletin.example.org/issues/2026-07-01/#ref-1" rel="noopener noreferrer">注</a>'
        '<img src="https://bulletin.example.org/media/a.png" alt="图"></p>'
    )


def test_the_sitemap_parses_with_a_topic_slug_written_around_the_models(client, dirty_published):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE editorial_topic SET slug = %s", ["数据\x0b要素 <x>"])

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = [
        url.findtext(f"{SITEMAP}loc") for url in ET.fromstring(response.content).iter(f"{SITEMAP}url")
    ]
    assert any(loc.endswith("/issues/2026-07-01/") for loc in locations)


def test_the_topics_page_lists_no_link_for_a_slug_written_around_the_models(client, dirty_published):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE editorial_topic SET slug = %s", ["数据\x0b要素 <x>"])

    response = client.get("/topics/")

    assert response.status_code == 200
    assert "/topics/" in response.content.decode()
    assert "\x0b" not in response.content.decode()
