"""Search of the public archive: exact to the character (checked against a plain substring scan of a generated
archive), ranked, highlighted safely, filtered, paginated, and blind to everything unpublished."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import random
import re

import pytest
from django.db import connection
from django.utils.html import strip_tags

from editorial.models import Issue, IssueState, Section, Topic
from publishing import search
from publishing.search import normalize
from tests.publishing import archive_support
from tests.publishing.archive_support import S, mark_issue, set_state

clean_cache = archive_support.clean_cache
published = archive_support.published
small_archive = archive_support.small_archive


def plain(value: str) -> str:
    return htmllib.unescape(strip_tags(value))


def substring_scan(query: str) -> set[tuple[dt.date, int]]:
    """(date, position) of every published section and issue (position 0: headline and summary) with a field
    containing `query`, found the slow way: every field of every row, through Python's `in`."""
    wanted = normalize(query)
    found = set()
    for issue in Issue.objects.filter(state=IssueState.PUBLISHED).prefetch_related("sections__analysis"):
        if any(wanted in normalize(field) for field in (issue.headline, issue.summary)):
            found.add((issue.date, 0))
        for section in issue.sections.all():
            analysis = getattr(section, "analysis", None)
            fields = (section.headline, plain(section.body), plain(analysis.body if analysis else ""))
            if any(wanted in normalize(field) for field in fields):
                found.add((issue.date, section.position))
    return found


def every_result(query: str, **filters) -> list[tuple[dt.date, int]]:
    found, number = [], 1
    while True:
        page = search.search(query=normalize(query), page=number, per_page=50, **filters)
        found += [(entry.date, entry.position) for entry in page.entries]
        if not page.has_next:
            return found
        number += 1


def results_html(response) -> str:
    assert response.status_code == 200
    match = re.search(
        r'<ol class="result-list" id="search-results">.*?</ol>', response.content.decode(), re.S
    )
    return match.group(0) if match else ""


# --- Exactness against a substring scan --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["绿电", "算力", "数据要素", "电", "国家能源局", "协同推进", "AI", "ai", "6 月", "200MW", "新质生产力"],
)
def test_search_finds_exactly_what_a_substring_scan_finds(small_archive, query):
    expected = substring_scan(query)
    assert expected, f"the generated archive should contain {query}"
    results = every_result(query)
    assert len(results) == len(set(results))
    assert set(results) == expected


def test_random_pieces_of_the_archive_are_all_found_where_they_occur(small_archive):
    rng = random.Random(5)
    sections = list(Section.objects.select_related("analysis").order_by("pk"))
    for _ in range(25):
        section = rng.choice(sections)
        text = normalize(plain(section.analysis.body if rng.random() < 0.5 else section.body))
        length = rng.randint(2, 6)
        start = rng.randrange(0, len(text) - length)
        query = text[start : start + length]
        results = set(every_result(query))
        assert results == substring_scan(query), query
        assert (section.issue.date, section.position) in results, query


def test_two_character_words_are_found_through_the_page_too(client, small_archive):
    expected = substring_scan("算力")
    response = client.get("/search/", {"q": "算力"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"“算力”：共 {len(expected)} 条结果" in page
    links = re.findall(
        r'class="search-result-link" href="/issues/(\d{4}-\d{2}-\d{2})/(?:#section-(\d+))?"', page
    )
    assert len(links) == min(20, len(expected))
    for day, position in links:
        assert (dt.date.fromisoformat(day), int(position or 0)) in expected


def test_result_links_are_the_archive_urls():
    from django.urls import reverse

    url = search.result_url(dt.date(2026, 6, 28), 3)
    assert url == reverse("archive:issue", kwargs={"date": "2026-06-28"}) + "#section-3"
    assert search.result_url(dt.date(2026, 6, 28), 0) == "/issues/2026-06-28/"


def test_spacing_case_and_full_width_characters_do_not_matter(published):
    Section.objects.filter(issue=published, position=2).update(body="<p>AI 数据中心在 6 月 27 日投运。</p>")
    set_state(published, S.PUBLISHED)
    for query in ("ai数据中心", "ＡＩ 数据中心", "6月27日", "AI 数据 中心"):
        assert every_result(query) == [(published.date, 2)], query


def test_a_query_never_matches_across_the_headline_and_the_text(published):
    Section.objects.filter(issue=published, position=2).update(
        headline="标题结尾甲", body="<p>乙正文开头</p>"
    )
    set_state(published, S.PUBLISHED)
    assert every_result("甲乙") == []
    assert every_result("尾甲") == [(published.date, 2)]


# --- Ranking, highlighting, snippets ------------------------------------------------------------------


def test_results_are_ranked_by_headline_and_frequency_then_date(make_issue):
    older = make_issue(dt.date(2026, 5, 1), sections=3)
    newer = make_issue(dt.date(2026, 5, 2), sections=1)
    sections = {s.position: s for s in older.sections.all()}
    Section.objects.filter(pk=sections[1].pk).update(body="<p>提到氢能一次。</p>")
    Section.objects.filter(pk=sections[2].pk).update(body="<p>氢能、氢能，还是氢能。</p>")
    Section.objects.filter(pk=sections[3].pk).update(headline="氢能产业规划发布")
    Section.objects.filter(issue=newer).update(body="<p>也提到氢能一次。</p>")
    set_state(older, S.PUBLISHED)
    set_state(newer, S.PUBLISHED)
    assert every_result("氢能") == [
        (older.date, 3),  # in the headline
        (older.date, 2),  # three times
        (newer.date, 1),  # once, newer
        (older.date, 1),  # once, older
    ]


def test_matches_are_highlighted_in_escaped_snippets(client, published):
    Section.objects.filter(issue=published, position=2).update(
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt; 注意氢能安全，氢能储运是关键。</p>"
    )
    set_state(published, S.PUBLISHED)
    results = results_html(client.get("/search/", {"q": "script"}))
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in results
    assert "<script" not in results
    results = results_html(client.get("/search/", {"q": "氢能"}))
    assert results.count("<mark>氢能</mark>") == 2


def test_matches_are_highlighted_whatever_their_spacing_case_or_width():
    assert search.highlight("采用 AI 数据中心", normalize("ai数据")) == "采用 <mark>AI 数据</mark>中心"
    assert search.highlight("采用ＡＩ技术", normalize("ai")) == "采用<mark>ＡＩ</mark>技术"
    assert search.highlight("a<b>c", normalize("<b>")) == "a<mark>&lt;b&gt;</mark>c"


def test_a_long_text_is_cut_around_the_first_match():
    text = "开头" * 100 + "关键句在这里" + "结尾" * 100
    cut = search.snippet(text, normalize("关键"))
    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>关键</mark>句在这里" in cut
    assert len(strip_tags(cut)) <= search.SNIPPET_LENGTH + 2


# --- Filters and pages --------------------------------------------------------------------------------


def test_results_can_be_filtered_by_date_range_and_topic(client, small_archive):
    everything = every_result("数据")
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 10)
    in_range = every_result("数据", date_from=start, date_to=end)
    assert in_range and set(in_range) == {r for r in everything if start <= r[0] <= end}
    topic = Topic.objects.get(name="算力")
    tagged = {
        (s.issue.date, s.position)
        for s in Section.objects.filter(topics=topic).select_related("issue")
        if normalize("数据") in search.normalize(s.headline + plain(s.body) + plain(s.analysis.body))
    }
    on_topic = set(every_result("数据", topic=topic))
    assert on_topic and on_topic == tagged & set(everything)
    both = set(every_result("数据", topic=topic, date_from=start, date_to=end))
    assert both == {r for r in on_topic if start <= r[0] <= end}
    page = client.get(
        "/search/", {"q": "数据", "start": "2026-06-01", "end": "2026-06-10", "topic": topic.slug}
    )
    for day in re.findall(r'href="/issues/(\d{4}-\d{2}-\d{2})/', results_html(page)):
        assert "2026-06-01" <= day <= "2026-06-10"
    assert f'<option value="{topic.slug}" selected>{topic.name}</option>' in page.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "数据", "start": "2026-02-30"}, "起始日期"),
        ({"q": "数据", "end": "not-a-date"}, "截止日期"),
        ({"q": "数据", "start": "2026-06-10", "end": "2026-06-01"}, "截止日期不能早于起始日期"),
        ({"q": "数据", "topic": "没有这个主题"}, "没有这个主题"),
    ],
)
def test_bad_filters_are_explained_and_ignored(client, published, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_results_are_paginated(client, small_archive):
    total = len(substring_scan("协同推进"))
    assert total > 40
    first = client.get("/search/", {"q": "协同推进"}).content.decode()
    second = client.get("/search/", {"q": "协同推进", "page": "2"}).content.decode()
    assert 'id="page-next"' in first and "page=2" in first
    assert 'id="page-previous"' in second
    assert set(re.findall(r'href="(/issues/[^"]+)"', results_html_text(first))).isdisjoint(
        re.findall(r'href="(/issues/[^"]+)"', results_html_text(second))
    )
    beyond = (total // 20) + 3
    assert client.get("/search/", {"q": "协同推进", "page": str(beyond)}).status_code == 404
    for odd in ("abc", "²", "-1", "0", "9" * 40):
        assert client.get("/search/", {"q": "协同推进", "page": odd}).status_code == 200


def results_html_text(page: str) -> str:
    return re.search(r'<ol class="result-list" id="search-results">.*?</ol>', page, re.S).group(0)


def test_a_word_found_everywhere_is_listed_newest_first_and_still_complete(
    client, small_archive, monkeypatch
):
    monkeypatch.setattr(search, "RANK_LIMIT", 30)
    expected = substring_scan("协同推进")
    results = every_result("协同推进")
    assert set(results) == expected
    assert [r[0] for r in results] == sorted((r[0] for r in results), reverse=True)
    page = client.get("/search/", {"q": "协同推进"}).content.decode()
    assert "超过 30 条结果" in page and "按日期从新到旧排列" in page
    assert 'id="page-next"' in page


# --- Safety and visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "，。！？、；：",
        "!!!???",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "'\\''",
        "a:*",
        "& | ! <->",
        "\x00",
        "😀🚀",
        "长" * 10_000,
    ],
)
def test_any_query_is_answered_safely(client, published, query):
    response = client.get("/search/", {"q": query, "page": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_very_long_query_is_cut_and_the_reader_told(client, published):
    page = client.get("/search/", {"q": "公开词" * 100}).content.decode()
    assert "关键词过长" in page


def test_an_empty_query_asks_for_a_word(client, published):
    assert "请输入要搜索的词语" in client.get("/search/", {"q": "  "}).content.decode()
    assert client.get("/search/").status_code == 200


def test_withdrawn_issues_vanish_from_search_even_before_their_entries_are_removed(client, published):
    assert every_result("公开词") == [(published.date, 0), (published.date, 1)]
    # As if the receiver that removes the entries had failed: the state alone must hide the issue.
    Issue.objects.filter(pk=published.pk).update(state=IssueState.WITHDRAWN)
    assert every_result("公开词") == []


@pytest.mark.parametrize("state", [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.WITHDRAWN])
def test_only_published_issues_are_indexed(make_issue, state):
    issue = mark_issue(make_issue(dt.date(2026, 8, 1)), "索引词")
    set_state(issue, state)
    from publishing.models import SearchEntry

    assert not SearchEntry.objects.filter(issue=issue).exists()
    set_state(issue, S.PUBLISHED)
    assert SearchEntry.objects.filter(issue=issue).count() == 3


def test_rebuilding_the_index_gives_the_same_results(small_archive):
    before = every_result("绿电")
    assert search.rebuild_index() == small_archive["entries"]
    assert every_result("绿电") == before


@pytest.mark.postgres
def test_on_postgresql_every_entry_carries_its_bigrams_in_an_indexed_column(published):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT publishing_bigrams(%s)::text", ["绿电算力"])
        assert cursor.fetchone()[0] == "'力' '电算' '算力' '绿电'"
        cursor.execute(
            "SELECT bigrams @@ %s::tsquery FROM publishing_searchentry WHERE issue_id = %s AND position = 1",
            [search.bigram_tsquery(normalize("公开词条目")), published.pk],
        )
        assert cursor.fetchone()[0] is True
        # The planner prefers a scan for a table this small; what matters is that the index can answer the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM publishing_searchentry WHERE bigrams @@ %s::tsquery",
            [search.bigram_tsquery(normalize("公开词"))],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "publishing_searchentry_bigrams" in plan


def test_topic_names_are_escaped_in_the_filter(client, published):
    published.sections.first().topics.add(Topic.objects.create(name="<b>粗体</b>", slug="bold-topic"))
    page = client.get("/search/", {"q": "公开词", "topic": "bold-topic"}).content.decode()
    assert '<option value="bold-topic" selected>&lt;b&gt;粗体&lt;/b&gt;</option>' in page
    assert "<b>粗体</b>" not in page


def test_the_matches_of_a_word_are_newest_first_with_their_dates_and_sections(small_archive):
    from publishing.models import SearchEntry

    found = search.find_matches(normalize("绿电"))
    rows = {
        pk: (date, section) for pk, date, section in SearchEntry.objects.values_list("pk", "date", "section")
    }
    assert len(found) == len(substring_scan("绿电"))
    assert [-day for day in found.days] == [rows[pk][0].toordinal() for pk in found.ids]
    assert list(found.sections) == [rows[pk][1] or 0 for pk in found.ids]
    assert list(found.days) == sorted(found.days)


def test_the_topic_filter_offers_only_topics_of_published_sections(client, published, make_issue):
    """A topic typed in a draft is not public: the search form must not list it before its section is published."""
    published.sections.first().topics.add(Topic.objects.create(name="公开主题", slug="public-topic"))
    draft = make_issue(dt.date(2026, 7, 5))
    draft.sections.first().topics.add(Topic.objects.create(name="未公开的草稿主题", slug="draft-only"))

    page = client.get("/search/").content.decode()

    assert '<option value="public-topic">公开主题</option>' in page
    assert "未公开的草稿主题" not in page
