"""An anonymous reader's way through the public archive, in a real browser: the archive by month, an issue, a
contents link, a search for a two-character word, a result, and the PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from editorial.models import Issue, IssueState
from publishing.models import Rendition, RenditionKind
from publishing.search import section_text
from references.importing import import_bulletin
from tests.conftest import SAMPLE

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORD = "绿电"


@pytest.fixture
def published_sample(db) -> Issue:
    """The sample bulletin of 2026-06-28, published as an import does it (search entries, page version)."""
    result = import_bulletin(text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    issue = Issue.objects.get(series__slug=result.series_slug, date=result.date)
    assert issue.state == IssueState.PUBLISHED
    return issue


def test_a_reader_browses_searches_and_downloads(new_page, shots, browser_errors, published_sample):
    issue = published_sample
    sections = list(issue.sections.select_related("analysis").order_by("position"))
    page = new_page(width=390, height=844)

    # --- The archive by year and month, then the month's issues. --------------------------------------
    page.goto("/archive/")
    expect(page.locator("#page-title")).to_have_text("往期目录")
    shots(page, "archive index")
    page.locator("#month-2026-06").click()
    expect(page).to_have_url(re.compile(r"/archive/2026/06/$"))
    shots(page, "archive month")
    page.locator("#issue-2026-06-28 h2 a").click()
    expect(page).to_have_url(re.compile(r"/issues/2026-06-28/$"))
    expect(page.locator(".masthead time")).to_have_text("2026 年 6 月 28 日")
    expect(page.locator("h1")).to_have_count(1)
    shots(page, "issue page")

    # --- A contents link: the fragment is in the address and its section is on screen. -----------------
    fifth = sections[4]
    link = page.locator("nav.contents a").nth(4)
    expect(link).to_contain_text(fifth.headline)
    link.click()
    expect(page).to_have_url(re.compile(r"/issues/2026-06-28/#section-5$"))
    expect(page.locator("#section-5 .section-heading")).to_be_in_viewport()
    expect(page.locator("#section-1 .section-heading")).not_to_be_in_viewport()
    shots(page, "contents link followed")

    # --- Search for a two-character word: every section containing it is found, the word highlighted. ---
    page.locator("#site-search-q").fill(WORD)
    page.locator("#site-search-submit").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=%E7%BB%BF%E7%94%B5"))
    results = page.locator("#search-results .search-result")
    expected = [s for s in sections if WORD in s.headline or WORD in section_text(s.body, s.analysis.body)]
    assert expected, "the sample mentions 绿电"
    expect(results).to_have_count(len(expected) + (WORD in issue.summary))
    expect(page.locator("#search-count")).to_contain_text(
        f"共 {len(expected) + (WORD in issue.summary)} 条结果"
    )
    hrefs = [a.get_attribute("href") for a in page.locator("#search-results a.search-result-link").all()]
    found = {href.split("#")[1] for href in hrefs if "#" in href}
    assert found == {f"section-{s.position}" for s in expected}
    marks = page.locator("#search-results mark")
    expect(marks.first).to_have_text(WORD)
    shots(page, "search results")

    # --- Open a result: the issue at the section that matched. ------------------------------------------
    target = next(s for s in expected if WORD in s.headline)
    result = page.locator(f'#search-results a.search-result-link[href$="#section-{target.position}"]')
    result.click()
    expect(page).to_have_url(re.compile(rf"/issues/2026-06-28/#section-{target.position}$"))
    expect(page.locator(f"#section-{target.position} .section-heading")).to_be_in_viewport()
    expect(page.locator(f"#section-{target.position}")).to_contain_text(WORD)
    shots(page, "search result opened")

    # --- Download the PDF: rendered on first request, a real PDF file. ----------------------------------
    page.locator("#download-pdf").scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download_info:
        page.locator("#download-pdf").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith("2026-06-28.pdf")
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    assert data.startswith(b"%PDF-")
    assert len(data) > 10_000
    rendition = Rendition.objects.get(issue=issue, kind=RenditionKind.PDF)
    with rendition.file.open("rb") as stored:
        assert stored.read() == data
    shots(page, "after the download")
    browser_errors.check()
