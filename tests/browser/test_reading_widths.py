"""The public pages as readers see them on a phone (most arrive from WeChat) and on a desktop: nothing wider than
the screen, type large enough to read, lines short enough to follow; and everything works without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from editorial.models import Issue
from references.importing import import_bulletin
from tests.conftest import SAMPLE

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Measured in the page: horizontal overflow, the size of the body text, and the length of its lines.
MEASURE = """() => {
  const news = document.querySelector("#section-1 .news p");
  const style = getComputedStyle(news);
  const size = parseFloat(style.fontSize);
  const texts = [...document.querySelectorAll("main *")].filter(el =>
    [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length);
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    fontSize: size,
    lineHeight: parseFloat(style.lineHeight) / size,
    charsPerLine: news.getBoundingClientRect().width / size,
    smallest: Math.min(...texts.map(el => parseFloat(getComputedStyle(el).fontSize))),
    wide: [...document.querySelectorAll("body *")]
      .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map(el => el.tagName + "." + el.className).slice(0, 5),
  };
}"""

OVERFLOW = """() => ({
  scrollWidth: document.scrollingElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .map(el => el.tagName + "." + el.className).slice(0, 5),
})"""


@pytest.fixture
def published_sample(db) -> Issue:
    result = import_bulletin(text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    return Issue.objects.get(series__slug=result.series_slug, date=result.date)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_issue_page_fits_the_screen_and_reads_well(
    new_page, shots, browser_errors, published_sample, viewport
):
    page = new_page(**viewport)
    page.goto("/issues/2026-06-28/")
    expect(page.locator("article.section")).to_have_count(published_sample.sections.count())
    shots(page, "issue page")
    m = page.evaluate(MEASURE)
    assert m["scrollWidth"] <= m["innerWidth"], f"wider than the screen: {m['wide']}"
    assert m["fontSize"] >= 16
    assert m["smallest"] >= 12
    assert m["lineHeight"] >= 1.5
    assert 15 <= m["charsPerLine"] <= 40

    # The other pages a reader passes through fit the screen too.
    for path in ("/archive/", "/archive/2026/06/", "/search/?q=算力", "/topics/", "/sources/"):
        response = page.goto(path)
        assert response.status == 200, path
        shots(page, path)
        m = page.evaluate(OVERFLOW)
        assert m["scrollWidth"] <= m["innerWidth"], f"{path} is wider than the screen: {m['wide']}"
    browser_errors.check()


def test_the_issue_page_works_without_javascript(new_page, shots, browser_errors, published_sample):
    page = new_page(**PHONE, java_script_enabled=False)
    page.goto("/issues/2026-06-28/")
    sections = page.locator("article.section")
    expect(sections).to_have_count(published_sample.sections.count())
    expect(page.locator("#references li")).to_have_count(published_sample.citations.count())
    shots(page, "issue page without javascript")

    page.locator("nav.contents a").nth(2).click()
    expect(page).to_have_url(re.compile(r"#section-3$"))
    expect(page.locator("#section-3 .section-heading")).to_be_in_viewport()

    page.locator("#site-search-q").fill("算力")
    page.locator("#site-search-submit").click()
    expect(page.locator("#search-count")).to_contain_text("条结果")
    expect(page.locator("#search-results mark").first).to_have_text("算力")
    shots(page, "search without javascript")
    page.locator("#search-results a.search-result-link").first.click()
    expect(page).to_have_url(re.compile(r"/issues/2026-06-28/"))
    href = page.locator("#download-pdf").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    browser_errors.check()
