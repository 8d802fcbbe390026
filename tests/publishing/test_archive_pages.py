"""The public archive's pages: what anonymous readers see, and what they never see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from editorial.models import Topic
from publishing.models import Rendition, RenditionKind, RenditionStatus
from publishing.renditions import issue_content_hash, rendition_render
from publishing.selectors import outlet_slug
from tests.publishing import archive_support, renditions_support
from tests.publishing.archive_support import HIDDEN_STATES, S, mark_issue, set_state

clean_cache = archive_support.clean_cache
published = archive_support.published
hidden_issues = archive_support.hidden_issues
media = renditions_support.media
fake_renderers = renditions_support.fake_renderers


def html(response) -> str:
    return response.content.decode()


def search_results(response) -> str:
    """The result list of a search page (the query itself is echoed elsewhere on the page)."""
    assert response.status_code == 200
    found = re.search(r'<ol class="result-list" id="search-results">.*?</ol>', html(response), re.S)
    return found.group(0) if found else ""


@pytest.fixture
def sample_published(sample_issue):
    """The sample bulletin, published, with the headline of the printed issue and a topic on two sections."""
    sample_issue.headline = "数据要素落地、算力能源协同与 AI 基础设施约束"
    sample_issue.save(update_fields=["headline"])
    Topic.objects.create(name="绿电", slug="绿电").sections.add(
        *sample_issue.sections.filter(position__in=[3, 5])
    )
    return set_state(sample_issue, S.PUBLISHED)


# --- The issue page -----------------------------------------------------------------------------------


def test_the_issue_page_shows_the_whole_issue_with_contents_references_and_downloads(
    client, sample_published
):
    response = client.get("/issues/2026-06-28/")
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "数据要素落地、算力能源协同与 AI 基础设施约束" in page
    assert "新质生产力每日动态" in page and "2026 年 6 月 28 日" in page
    for n in range(1, 7):
        assert f'href="#section-{n}"' in page and f'id="section-{n}"' in page
    assert "国家数据局专题研究专家意见" in page
    assert "参考文献" in page and "Power developers line up as data centers surge in US" in page
    assert 'id="download-pdf" href="/issues/2026-06-28/pdf/"' in page
    assert 'id="download-wechat" href="/issues/2026-06-28/wechat/"' in page
    assert 'id="site-search"' in page and 'action="/search/"' in page


def test_the_issue_page_has_canonical_url_opengraph_and_twitter_meta(client, settings, sample_published):
    settings.SITE_URL = "https://bulletin.example.org"
    page = html(client.get("/issues/2026-06-28/"))
    assert '<link rel="canonical" href="https://bulletin.example.org/issues/2026-06-28/">' in page
    assert '<meta property="og:url" content="https://bulletin.example.org/issues/2026-06-28/">' in page
    assert '<meta property="og:title" content="数据要素落地、算力能源协同与 AI 基础设施约束">' in page
    assert re.search(r'<meta property="og:description" content="今日新质生产力动态集中在[^"]+">', page)
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta name="twitter:title" content="数据要素落地、算力能源协同与 AI 基础设施约束">' in page
    assert 'type="application/rss+xml"' in page


def test_the_issue_page_links_the_previous_and_next_published_issues(client, make_issue, published):
    before = set_state(mark_issue(make_issue(dt.date(2026, 6, 20)), "前一期"), S.PUBLISHED)
    set_state(make_issue(dt.date(2026, 6, 25)), S.DRAFT)  # between, but not published
    after = set_state(mark_issue(make_issue(dt.date(2026, 7, 9)), "后一期"), S.PUBLISHED)
    page = html(client.get("/issues/2026-07-01/"))
    assert f'id="previous-issue" rel="prev" href="/issues/{before.date}/"' in page
    assert f'id="next-issue" rel="next" href="/issues/{after.date}/"' in page
    first = html(client.get(f"/issues/{before.date}/"))
    assert 'id="previous-issue"' not in first
    assert 'id="next-issue" rel="next" href="/issues/2026-07-01/"' in first


def test_the_issue_page_stays_under_60_kilobytes_of_html_and_css(client, sample_published):
    response = client.get("/issues/2026-06-28/")
    # Styles are inline: the page is all a reader downloads besides nothing else.
    assert '<link rel="stylesheet"' not in html(response)
    assert len(response.content) <= 60 * 1024


def test_the_page_has_a_print_stylesheet_and_system_fonts_only(client, sample_published):
    page = html(client.get("/issues/2026-06-28/"))
    assert "@media print" in page
    assert "@font-face" not in page and "fonts.googleapis" not in page


def test_the_home_page_is_the_latest_published_issue(client, settings, make_issue, published, hidden_issues):
    set_state(mark_issue(make_issue(dt.date(2026, 6, 1)), "更早"), S.PUBLISHED)
    response = client.get("/")
    assert response.status_code == 200
    page = html(response)
    assert "公开词标题" in page
    assert f'<link rel="canonical" href="{settings.SITE_URL}/issues/2026-07-01/">' in page
    for issue in hidden_issues.values():
        assert issue.headline not in page


def test_the_home_page_without_any_published_issue_says_so(client, hidden_issues):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有已发布的期刊" in html(response)


# --- Visibility -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_an_unpublished_issue_is_invisible_on_every_page(client, state, published, hidden_issues):
    issue = hidden_issues[state]
    day = issue.date.isoformat()
    marker = f"隐藏词{state}"
    for path in (f"/issues/{day}/", f"/issues/{day}/pdf/", f"/issues/{day}/wechat/"):
        assert client.get(path).status_code == 404, path
    pages = [
        "/",
        "/archive/",
        "/archive/2026/07/",
        "/topics/",
        "/topics/数据要素/",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert marker not in html(response), path
        assert f"/issues/{day}/" not in html(response), path
    for query in (marker, "隐藏词", "条目", "标题"):
        results = search_results(client.get("/search/", {"q": query}))
        assert marker not in results and f"/issues/{day}/" not in results, query
    assert "“隐藏词”：共 0 条结果" in html(client.get("/search/", {"q": "隐藏词"}))
    assert "公开词标题" in html(client.get("/archive/2026/07/"))


def test_a_month_with_only_unpublished_issues_is_a_404(client, hidden_issues):
    assert client.get("/archive/2026/07/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/issues/2026-02-30/",
        "/issues/2026-13-01/",
        "/issues/2026-00-10/",
        "/issues/0000-01-01/",
        "/issues/2026-6-1/",
        "/issues/2026-07-01x/",
        "/issues/2099-01-01/",
        "/issues/2026-02-30/pdf/",
        "/issues/2026-02-31/wechat/",
        "/archive/2026/13/",
        "/archive/2026/00/",
        "/archive/0000/01/",
        "/archive/2026/1/",
        "/archive/2030/01/",
        "/topics/没有这个主题/",
        "/topics/%3Cscript%3E/",
        "/sources/没有这个来源/",
        "/issues/",
    ],
)
def test_unknown_and_malformed_urls_are_404_never_500(client, published, path):
    assert client.get(path).status_code == 404


def test_only_get_and_head_are_allowed(client, published):
    assert client.post("/issues/2026-07-01/").status_code in (403, 405)
    assert client.head("/issues/2026-07-01/").status_code == 200


# --- The archive, topics and sources ---------------------------------------------------------------------


def test_the_archive_lists_published_issues_by_year_and_month(client, make_issue, published, hidden_issues):
    set_state(make_issue(dt.date(2025, 12, 31)), S.PUBLISHED)
    page = html(client.get("/archive/"))
    assert page.count("<h1") == 1
    assert 'id="year-2026"' in page and 'id="year-2025"' in page
    assert 'href="/archive/2026/07/"' in page and 'href="/archive/2025/12/"' in page
    month = html(client.get("/archive/2026/07/"))
    assert 'href="/issues/2026-07-01/"' in month
    assert 'href="/issues/2026-07-01/#section-1">一、公开词条目</a>' in month
    for issue in hidden_issues.values():
        assert f"/issues/{issue.date}/" not in month
    assert client.get("/archive/2026/").status_code == 302


def test_a_topic_page_lists_its_sections_newest_first_with_a_monthly_chart(client, make_issue, published):
    older = set_state(make_issue(dt.date(2026, 3, 5)), S.PUBLISHED)
    response = client.get("/topics/数据要素/")
    assert response.status_code == 200
    page = html(response)
    assert page.index('href="/issues/2026-07-01/#section-1"') < page.index(
        f'href="/issues/{older.date}/#section-1"'
    )
    chart = re.search(r'<svg id="topic-chart".*?</svg>', page, re.S).group(0)
    assert chart.count("<rect") == 2  # March and July; April to June are empty months
    assert "2026 年 7 月：2 条" in chart and "2026 年 4 月：0 条" not in chart
    assert "<script" not in page


def test_the_topic_index_lists_topics_in_published_issues_only(client, make_issue, published):
    issue = make_issue(dt.date(2026, 8, 1))
    issue.sections.first().topics.add(Topic.objects.create(name="草稿主题", slug="草稿主题"))
    page = html(client.get("/topics/"))
    assert (
        'href="/topics/%E6%95%B0%E6%8D%AE%E8%A6%81%E7%B4%A0/"' in page or 'href="/topics/数据要素/"' in page
    )
    assert "草稿主题" not in page
    assert client.get("/topics/草稿主题/").status_code == 404


def test_a_source_page_lists_everything_citing_an_outlet(client, sample_published):
    response = client.get("/sources/国家能源局/")
    assert response.status_code == 200
    page = html(response)
    assert "关于印发《新型能源体系建设“十五五”规划》的通知" in page
    assert 'href="/issues/2026-06-28/#references"' in page
    assert "Power developers" not in page
    reuters = html(client.get("/sources/reuters/"))
    assert "Power developers line up as data centers surge in US" in reuters
    index = html(client.get("/sources/"))
    assert 'href="/sources/reuters/"' in index


def test_outlet_names_become_readable_slugs():
    assert outlet_slug("国家能源局") == "国家能源局"
    assert outlet_slug("Reuters") == "reuters"
    assert outlet_slug("Financial Times") == "financial-times"
    assert outlet_slug("21世纪经济报道") == "21世纪经济报道"


# --- Downloads ------------------------------------------------------------------------------------------


def test_the_pdf_of_an_issue_never_rendered_is_rendered_once_and_then_reused(
    client, media, fake_renderers, published
):
    first = client.get("/issues/2026-07-01/pdf/")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"]
    assert b"".join(first.streaming_content).startswith(b"%PDF-fake")
    second = client.get("/issues/2026-07-01/pdf/")
    assert b"".join(second.streaming_content).startswith(b"%PDF-fake")
    assert fake_renderers.count("pdf") == 1
    rendition = Rendition.objects.get(issue=published, kind=RenditionKind.PDF)
    assert rendition.status == RenditionStatus.DONE
    assert rendition.content_hash == issue_content_hash(published)


def test_an_existing_rendition_of_the_current_content_is_served_without_rendering(
    client, media, fake_renderers, published
):
    rendition = Rendition.objects.create(
        issue=published, kind=RenditionKind.WECHAT, content_hash=issue_content_hash(published)
    )
    rendition_render(rendition_id=rendition.pk)
    assert fake_renderers.count("wechat") == 1
    response = client.get("/issues/2026-07-01/wechat/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"".join(response.streaming_content).startswith(b"<p>wechat:")
    assert fake_renderers.count("wechat") == 1


def test_a_download_being_rendered_elsewhere_asks_the_reader_to_come_back(
    client, media, fake_renderers, published
):
    from django.utils import timezone

    Rendition.objects.create(
        issue=published,
        kind=RenditionKind.PDF,
        content_hash=issue_content_hash(published),
        status=RenditionStatus.RUNNING,
        started_at=timezone.now(),
        claimed_by="another-worker",
    )
    response = client.get("/issues/2026-07-01/pdf/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "正在生成" in html(response)
    assert fake_renderers.count() == 0


def test_a_render_that_just_failed_is_not_retried_for_every_reader(client, media, fake_renderers, published):
    fake_renderers.fail_always["pdf"] = ValueError("broken template")
    assert client.get("/issues/2026-07-01/pdf/").status_code == 503
    assert client.get("/issues/2026-07-01/pdf/").status_code == 503
    assert fake_renderers.count("pdf") == 1
    assert Rendition.objects.get(issue=published, kind=RenditionKind.PDF).status == RenditionStatus.FAILED


def test_a_storage_error_while_rendering_asks_the_reader_to_come_back(
    client, media, fake_renderers, published
):
    fake_renderers.fail_next["pdf"] = [OSError("disk full")]
    response = client.get("/issues/2026-07-01/pdf/")
    assert response.status_code == 503
    assert Rendition.objects.get(issue=published, kind=RenditionKind.PDF).status == RenditionStatus.QUEUED
    second = client.get("/issues/2026-07-01/pdf/")
    assert second.status_code == 200
    assert b"".join(second.streaming_content).startswith(b"%PDF-fake")


def test_a_rendition_whose_file_is_gone_is_not_an_error(client, media, fake_renderers, published):
    assert client.get("/issues/2026-07-01/pdf/").status_code == 200
    rendition = Rendition.objects.get(issue=published, kind=RenditionKind.PDF)
    rendition.file.storage.delete(rendition.file.name)
    assert client.get("/issues/2026-07-01/pdf/").status_code == 503


# --- HTTP caching ---------------------------------------------------------------------------------------


def test_pages_answer_conditional_requests_with_304(client, published):
    response = client.get("/issues/2026-07-01/")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    assert client.get("/issues/2026-07-01/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/issues/2026-07-01/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get("/issues/2026-07-01/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_benchmark_ceiling_is_not_routed_without_its_variable(client):
    assert client.get("/bench/ceiling/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/archive/",
        "/archive/2026/07/",
        "/topics/",
        "/topics/数据要素/",
        "/search/",
        "/search/?q=公开词",
        "/nowhere/",
    ],
)
def test_every_page_has_one_h1_and_the_site_navigation(client, published, path):
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == (404 if path == "/nowhere/" else 200)
    assert page.count("<h1") == 1
    links = {
        'id="nav-home" href="/"',
        'id="nav-archive" href="/archive/"',
        'id="nav-topics" href="/topics/"',
        'id="nav-sources" href="/sources/"',
        'action="/search/"',
        'id="feed-rss" href="/feed/"',
        'id="feed-atom" href="/feed/atom/"',
        'type="application/rss+xml" title="新质生产力每日动态 RSS" href="/feed/"',
    }
    assert {link for link in links if link not in page} == set()


def test_reverse_names_are_stable_for_other_apps():
    assert reverse("archive:issue", kwargs={"date": "2026-06-28"}) == "/issues/2026-06-28/"
    assert reverse("archive:issue_pdf", kwargs={"date": "2026-06-28"}) == "/issues/2026-06-28/pdf/"
    assert reverse("archive:search") == "/search/"


def test_the_chart_of_ten_years_has_a_bar_per_month_and_a_label_per_year():
    from publishing.charts import monthly_bars

    months = []
    for n in range(120):
        year, month = divmod(6 + n, 12)
        months.append((dt.date(2016 + year, month + 1, 1), n % 7))
    svg = monthly_bars(months, title="“绿电”<每月>", chart_id="c")
    assert svg.startswith('<svg id="c"') and svg.endswith("</svg>")
    assert svg.count("<rect") == sum(1 for _, count in months if count)
    labels = re.findall(r'class="chart-label">(\d{4})</text>', svg)
    assert labels == [str(year) for year in range(2017, 2027)]
    assert "&lt;每月&gt;" in svg and "<每月>" not in svg
