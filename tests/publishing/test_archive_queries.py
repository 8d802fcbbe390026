"""Query counts of the public pages, pinned: a cached page makes none, an uncached one a fixed number whatever
the size of the issue or of the archive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from publishing import search
from references.models import Citation, Source
from tests.publishing import archive_support
from tests.publishing.archive_support import S, expire_pages, set_state

clean_cache = archive_support.clean_cache

ISSUE_PAGE_QUERIES = 10  # the issue, the render context (6), the previous and next issues, its WeChat article


def add_citations(issue, n: int) -> None:
    for position in range(1, n + 1):
        source = Source.objects.create(outlet="国家能源局", title=f"文件{issue.date}-{position}")
        citation = Citation.objects.create(issue=issue, source=source, position=position, note="用于分析。")
        citation.sections.add(*issue.sections.all())


@pytest.mark.parametrize(("sections", "citations"), [(1, 0), (6, 9), (12, 20)])
def test_an_uncached_issue_page_makes_the_same_few_queries_whatever_its_size(
    client, make_issue, django_assert_num_queries, sections, citations
):
    issue = make_issue(dt.date(2026, 7, 1), sections=sections)
    add_citations(issue, citations)
    set_state(make_issue(dt.date(2026, 6, 30)), S.PUBLISHED)
    set_state(issue, S.PUBLISHED)
    expire_pages()
    with django_assert_num_queries(ISSUE_PAGE_QUERIES):
        response = client.get("/issues/2026-07-01/")
    assert response.status_code == 200
    assert response.content.decode().count('class="section"') == sections


def test_a_cached_issue_page_makes_no_query(client, make_issue, django_assert_num_queries):
    set_state(make_issue(dt.date(2026, 7, 1), sections=6), S.PUBLISHED)
    first = client.get("/issues/2026-07-01/")
    client.get("/")
    with django_assert_num_queries(0):
        again = client.get("/issues/2026-07-01/")
        latest = client.get("/")
        conditional = client.get("/issues/2026-07-01/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert latest.status_code == 200 and "测试标题" in latest.content.decode()
    assert conditional.status_code == 304


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/archive/", 1),
        ("/archive/2026/07/", 2),
        ("/topics/", 1),
        ("/topics/数据要素/", 4),
        # The issues, their sections, citations, corrections and the footer's QR codes and blocks: the render
        # context the pages print.
        ("/feed/", 6),
    ],
)
def test_other_pages_make_a_fixed_number_of_queries_and_none_once_cached(
    client, make_issue, django_assert_num_queries, path, queries
):
    for day in range(1, 8):
        set_state(make_issue(dt.date(2026, 7, day), sections=3), S.PUBLISHED)
    expire_pages()
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


def test_a_search_reads_the_matches_of_a_word_once_then_only_the_rows_it_shows(
    client, make_issue, django_assert_num_queries
):
    for day in range(1, 8):
        set_state(make_issue(dt.date(2026, 7, day), sections=3), S.PUBLISHED)
    expire_pages()
    # Topic choices, the matches, their scores (fewer than RANK_LIMIT: ranked), then the page's entries with their
    # issues and section texts. PostgreSQL reads matches and scores each in a transaction of its own (a savepoint
    # here) with its planner settings (search._index_rows).
    first = 4 + (6 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(first):
        assert client.get("/search/", {"q": "标题"}).status_code == 200
    # Another date range, another page: the same matches, and only the rows shown are read.
    with django_assert_num_queries(1):
        narrowed = client.get("/search/", {"q": "标题", "start": "2026-07-03", "end": "2026-07-05"})
    assert narrowed.status_code == 200
    assert "共 12 条结果" in narrowed.content.decode()
    with django_assert_num_queries(1):
        assert client.get("/search/", {"q": "标题", "page": "2"}).status_code == 200
    # A publication change expires them with the pages.
    set_state(make_issue(dt.date(2026, 7, 8), sections=3), S.PUBLISHED)
    with django_assert_num_queries(first):
        assert "共 32 条结果" in client.get("/search/", {"q": "标题"}).content.decode()


def test_scores_are_read_once_and_only_when_a_ranking_needs_them(
    client, make_issue, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(search, "RANK_LIMIT", 10)
    for day in range(1, 8):
        set_state(make_issue(dt.date(2026, 7, day), sections=3), S.PUBLISHED)
    expire_pages()
    # Each read of the index costs PostgreSQL a savepoint and its planner settings (search._index_rows).
    index_read = 1 + (3 if connection.vendor == "postgresql" else 0)
    # 28 matches, more than RANK_LIMIT: newest first, no scores. Topic choices, the matches, the rows shown.
    with django_assert_num_queries(1 + index_read + 1):
        assert "超过 10 条结果" in client.get("/search/", {"q": "标题"}).content.decode()
    # Narrowed to 8 matches, they are ranked: the scores are read, once.
    with django_assert_num_queries(index_read + 1):
        narrowed = client.get("/search/", {"q": "标题", "start": "2026-07-06"})
    assert "共 8 条结果" in narrowed.content.decode()
    with django_assert_num_queries(1):
        assert "共 4 条结果" in client.get("/search/", {"q": "标题", "start": "2026-07-07"}).content.decode()
