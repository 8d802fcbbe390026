"""The public issue page (also the reviewer's preview)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from editorial.models import Correction
from publishing.render import render_web


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict]]:
    page = _Page()
    page.feed(html)
    return page.starts


def test_the_page_is_a_complete_document_in_simplified_chinese(sample_issue):
    html = render_web(sample_issue)

    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="zh-Hans">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<title>新质生产力每日动态 · 2026 年 6 月 28 日</title>" in html
    assert "<style>" in html  # self-contained: a stored page does not depend on later static files


def test_the_page_has_exactly_one_h1(sample_issue):
    starts = parse(render_web(sample_issue))

    assert [tag for tag, _attrs in starts].count("h1") == 1


def test_without_a_headline_the_masthead_is_the_h1(sample_issue):
    html = render_web(sample_issue)

    assert (
        '<h1 class="masthead-title">新质生产力每日动态<span class="visually-hidden"> 2026 年 6 月 28 日</span></h1>'
        in html
    )


def test_with_a_headline_the_h1_is_the_headline(sample_issue):
    sample_issue.headline = "数据要素落地、算力能源协同与 AI 基础设施约束"
    sample_issue.save()

    html = render_web(sample_issue)

    assert '<h1 class="headline">数据要素落地、算力能源协同与 AI 基础设施约束</h1>' in html
    assert '<p class="masthead-title">新质生产力每日动态</p>' in html
    assert html.count("<h1") == 1


def test_the_contents_link_to_every_section_anchor(sample_issue):
    starts = parse(render_web(sample_issue))
    ids = {attrs["id"] for _tag, attrs in starts if "id" in attrs}
    nav = re.search(r'<nav class="contents".*?</nav>', render_web(sample_issue), flags=re.S)[0]

    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets == [f"section-{n}" for n in range(1, 7)] + ["references"]
    assert set(targets) <= ids
    assert "一、国家数据局专题研究专家意见，数据要素改革从试点走向政策转化" in nav


def test_sections_references_and_footer_are_on_the_page(sample_issue):
    html = render_web(sample_issue)

    assert html.count('<article class="section"') == 6
    assert html.count('<li id="ref-') == 10
    assert "联系我们，请扫描二维码" in html
    assert html.count("<svg") == 1  # the website's QR code, inline (the account's waits for its picture)
    assert '<a href="https://gyznswn.cn">gyznswn.cn</a>' in html


def test_a_correction_is_shown_before_the_content(sample_issue):
    Correction.objects.create(issue=sample_issue, note="第三条的日期已更正。")

    html = render_web(sample_issue)

    assert html.index("第三条的日期已更正。") < html.index('<section class="summary"')
