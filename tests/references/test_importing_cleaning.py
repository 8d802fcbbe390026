"""Imported text is cleaned like typed text, before the importer reads it: the structure, the limits and the
duplicate check see what will be stored, and line numbers still match what an editor shows."""

from __future__ import annotations

import pytest

from editorial.models import Issue
from references.importing import BulletinFormatError, import_bulletin, parse_bulletin
from references.models import Citation, Source
from tests.conftest import SAMPLE
from tests.corpus import forbidden_chars

DATA_PAGE = "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验国家数据局近期中央与地方数据动态。"


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_two_references_that_differ_only_by_invisible_characters_are_one_duplicate_named_by_line():
    text = sample_text().replace(
        DATA_PAGE,
        "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验。\n"
        "- 国家\u200b数据局 | 数据\u00ad动态页面\ufeff | 2026-06-27 | 再次。",
    )

    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin(text)

    assert caught.value.line == 73
    assert "第 72 行" in caught.value.message


def test_a_soft_return_or_control_inside_a_line_is_cleaned_and_the_line_numbers_hold():
    text = (
        sample_text()
        .replace("| 2026-06-25 |", "| 2026-06-31 |")
        .replace("国家数据局 6 月 27 日发布消息称", "国家\x0b数据局\x01 6 月 27 日\u2028发布消息称")
    )

    # The vertical tab and U+2028 stay inside their line, so the bad date is still reported at its line.
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin(text)

    assert caught.value.line == 79


def test_an_imported_bulletin_full_of_invisible_characters_is_stored_clean(db):
    dirty = (
        sample_text()
        .replace("今日新质生产力动态", "今日新质\u200b生产力\x0b动态\x7f")
        .replace("这表明数据要素改革", "这表明数据\u00ad要素\u2060改革")
        .replace(DATA_PAGE, DATA_PAGE.replace("数据动态页面", "数据\ufeff动态\u200b页面"))
    )

    result = import_bulletin(text=dirty)

    issue = Issue.objects.get(date=result.date)
    # The soft return joins its two pieces as a line break inside a paragraph does: Chinese runs on.
    assert issue.summary.startswith("今日新质生产力动态集中在")
    assert "这表明数据要素改革" in issue.sections.order_by("position").first().analysis.body
    assert Source.objects.filter(title="数据动态页面").exists()
    stored = [issue.headline, issue.summary]
    for section in issue.sections.select_related("analysis"):
        stored += [
            section.headline,
            section.body,
            section.analysis.body if hasattr(section, "analysis") else "",
        ]
    stored += [c.note for c in Citation.objects.filter(issue=issue)]
    stored += list(Source.objects.values_list("title", flat=True)) + list(
        Source.objects.values_list("outlet", flat=True)
    )
    assert [value for value in stored if forbidden_chars(value)] == []
