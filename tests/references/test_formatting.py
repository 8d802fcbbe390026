"""The 参考文献 entry: `outlet | title | date | note`, parsed and printed back exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from references.formatting import EntryError, format_entry, format_parsed_entry, parse_date, parse_entry
from references.models import Citation, DatePrecision, Source
from tests.conftest import SAMPLE


def sample_entries() -> list[str]:
    return [line[2:] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.startswith("- ")]


def test_a_day_entry_is_parsed_into_its_four_fields():
    entry = parse_entry(
        "- 国家数据局 | 数据动态页面 | 2026-06-27 | 用于核验国家数据局近期中央与地方数据动态。"
    )
    assert (entry.outlet, entry.title, entry.date, entry.precision, entry.note) == (
        "国家数据局",
        "数据动态页面",
        dt.date(2026, 6, 27),
        DatePrecision.DAY,
        "用于核验国家数据局近期中央与地方数据动态。",
    )


def test_a_month_entry_has_month_precision_on_the_first_day():
    entry = parse_entry("国家数据局 | 高质量数据集与数据基础设施相关工作动态 | 2026-06 | 用于背景。")
    assert (entry.date, entry.precision) == (dt.date(2026, 6, 1), DatePrecision.MONTH)


@pytest.mark.parametrize("prefix", ["- ", "* ", "• ", "1. ", "10、", "[3] ", "2) "])
def test_list_bullets_and_numbers_are_not_part_of_the_outlet(prefix):
    entry = parse_entry(f"{prefix}Reuters | Power developers line up | 2026-06-22 | 用于分析。")
    assert entry.outlet == "Reuters"


def test_an_outlet_starting_with_digits_is_kept():
    assert parse_entry("36氪 | 某报道 | 2026-06-22 | 用于分析。").outlet == "36氪"


def test_full_width_bars_from_pdf_extraction_are_accepted():
    entry = parse_entry("国家能源局｜关于印发规划的通知｜2026-06-25｜用于核验。")
    assert (entry.outlet, entry.title, entry.note) == ("国家能源局", "关于印发规划的通知", "用于核验。")


def test_a_title_containing_a_bar_is_kept_whole():
    entry = parse_entry("某机构 | 标题 | 副标题 | 2026-06-22 | 用于分析。")
    assert entry.title == "标题 | 副标题"


def test_an_entry_without_a_note_is_parsed_and_printed_without_one():
    entry = parse_entry("Reuters | Power developers line up | 2026-06-22")
    assert entry.note == ""
    assert format_parsed_entry(entry) == "Reuters | Power developers line up | 2026-06-22"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("国家数据局 数据动态页面 2026-06-27", "fields"),
        ("国家数据局 | 数据动态页面", "fields"),
        ("国家数据局 | 数据动态页面 | 用于核验。", "date"),
        ("国家数据局 | 数据动态页面 | 昨天 | 用于核验。", "date"),
        (" | 数据动态页面 | 2026-06-27 | 用于核验。", "empty"),
        ("国家数据局 | 数据动态页面 | 2026-02-30 | 用于核验。", "bad_date"),
        ("国家数据局 | 数据动态页面 | 2026-13 | 用于核验。", "bad_date"),
    ],
)
def test_a_malformed_entry_says_what_is_wrong(line, code):
    with pytest.raises(EntryError) as caught:
        parse_entry(line)
    assert caught.value.code == code


def test_parse_date_accepts_day_and_month_only():
    assert parse_date("2026-6-5") == (dt.date(2026, 6, 5), DatePrecision.DAY)
    assert parse_date(" 2026-06 ") == (dt.date(2026, 6, 1), DatePrecision.MONTH)
    with pytest.raises(EntryError):
        parse_date("2026")


def test_every_sample_entry_round_trips_through_parse_and_format():
    entries = sample_entries()
    assert len(entries) == 10
    assert [format_parsed_entry(parse_entry(line)) for line in entries] == entries


def test_a_stored_citation_is_formatted_exactly_as_printed(db, draft_issue):
    for position, line in enumerate(sample_entries(), start=1):
        entry = parse_entry(line)
        source = Source.objects.create(
            outlet=entry.outlet, title=entry.title, date=entry.date, date_precision=entry.precision
        )
        Citation.objects.create(issue=draft_issue, source=source, position=position, note=entry.note)
    printed = [format_entry(c) for c in Citation.objects.select_related("source").order_by("position")]
    assert printed == sample_entries()
    assert (
        printed[-1]
        == "国家数据局 | 高质量数据集与数据基础设施相关工作动态 | 2026-06 | 用于数据基础设施和高质量数据集背景。"
    )
