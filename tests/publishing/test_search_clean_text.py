"""Invisible characters do not break search: the index holds the cleaned text, and queries are cleaned the
same way (publishing.search.normalize and clean_query use editorial.cleaning)."""

from __future__ import annotations

import re

import pytest

from editorial.models import Section
from publishing import search
from publishing.models import SearchEntry
from tests.publishing import archive_support
from tests.publishing.archive_support import S, set_state

clean_cache = archive_support.clean_cache
published = archive_support.published

BODY = "<p>数据中心绿\u200b电消纳比例提升，算力\u00ad网络建设加快。</p>"


def result_links(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'class="search-result-link" href="([^"]+)"', response.content.decode())


@pytest.fixture
def invisible(published):
    section = Section.objects.get(issue=published, position=2)
    section.body = BODY
    section.save()
    set_state(published, S.PUBLISHED)
    return section


def test_the_section_is_stored_and_indexed_without_the_invisible_characters(invisible):
    assert Section.objects.get(pk=invisible.pk).body == "<p>数据中心绿电消纳比例提升，算力网络建设加快。</p>"
    text = SearchEntry.objects.get(section=invisible).text
    assert "绿电" in text and "算力网络" in text


@pytest.mark.parametrize(
    "query",
    [
        "绿电",
        "算力网络",
        "绿\u200b电",
        "算力\u00ad网络",
        "\ufeff绿电",
        "算\u2060力\u200c网\u200d络",
        "绿电\x0b",
    ],
)
def test_the_words_the_reader_sees_are_found_however_the_query_was_typed(client, invisible, query):
    links = result_links(client.get("/search/", {"q": query}))

    assert links == [f"/issues/{invisible.issue.date.isoformat()}/#section-2"], query


def test_the_match_is_highlighted_in_the_snippet(client, invisible):
    page = client.get("/search/", {"q": "算力\u00ad网络"}).content.decode()

    assert "<mark>算力网络</mark>" in page


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("绿\u200b电", "绿电"),
        ("算力\u00ad网络", "算力网络"),
        ("\ufeff数据\u2060要素", "数据要素"),
        ("👩\u200d💻", "👩💻"),
        ("甲\x0b乙\x00丙", "甲乙丙"),
        ("ＡＩ 数据", "ai数据"),
    ],
)
def test_index_and_query_keys_leave_out_invisible_characters(raw, key):
    assert search.normalize(raw) == key
    assert search.clean_query(raw)[1] == key
