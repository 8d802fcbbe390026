"""The data migration publishing/0004_clean_stored_text cleans rows stored before text was cleaned on the way
in, re-indexes search, and changes nothing when it runs again."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial.models import (
    Correction,
    Issue,
    IssueEvent,
    ReviewComment,
    Revision,
    Section,
    Series,
    Topic,
)
from publishing import search
from publishing.models import SearchEntry
from references.models import Citation, Source, source_fingerprint
from tests.publishing.archive_support import S, set_state

MIGRATION = ("publishing", "0004_clean_stored_text")
DIRTY_BODY = (
    "<p>&nbsp;</p><p>\u3000\u3000数据中心绿\u200b电消纳比例提升，算力\u00ad网络建设加快。</p><p><br></p>"
)
CLEAN_BODY = "<p>数据中心绿电消纳比例提升，算力网络建设加快。</p>"


# The series' JSON columns this migration cleaned are rows since editorial 0008 (which moves the cleaned JSON):
# against today's schema the migration runs without them.
MOVED_COLUMNS = {"footer_blocks", "qr_targets"}


def run_migration() -> None:
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration(*MIGRATION)
    state_apps = executor.loader.project_state(MIGRATION).apps
    module = sys.modules[type(migration).__module__]
    cleaners = module._cleaners

    def present_cleaners():
        return {
            model: {name: clean for name, clean in fields.items() if name not in MOVED_COLUMNS}
            for model, fields in cleaners().items()
        }

    module._cleaners = present_cleaners
    try:
        migration.operations[0].code(state_apps, None)
    finally:
        module._cleaners = cleaners


def raw_update(table: str, pk: int, **values) -> None:
    """Write `values` as they are, past the model fields that would clean them: rows from before cleaning."""
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


def raw_value(table: str, pk: int, column: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def dirty(series, writer, reviewer, make_issue):
    """A published issue and every kind of row, then given the text that used to be stored as typed."""
    issue = make_issue(dt.date(2026, 7, 1))
    section = issue.sections.get(position=1)
    source = Source.objects.create(outlet="国家数据局", title="通知", date=dt.date(2026, 6, 27))
    citation = Citation.objects.create(issue=issue, source=source, position=1, note="用于")
    correction = Correction.objects.create(issue=issue, note="更正", author=writer)
    comment = ReviewComment.objects.create(issue=issue, author=reviewer, body="意见")
    event = IssueEvent.objects.create(issue=issue, transition="submit", to_state="in_review", comment="说明")
    revision = Revision.objects.filter(section=section).order_by("-number").first()
    dirty_topic = Topic.objects.create(name="能源", slug="nengyuan")
    section.topics.add(dirty_topic)
    set_state(issue, S.PUBLISHED)

    raw_update(
        "editorial_series",
        series.pk,
        title="新质生产力\x0b每日动态",
    )
    raw_update("editorial_issue", issue.pk, headline="本期\u200b标题\x1b", summary="第一行\x0b第二行")
    # \x01, not \x00: PostgreSQL refuses NUL in text columns, so no stored row can hold one.
    raw_update("editorial_section", section.pk, headline="绿\u200b电\x01", body=DIRTY_BODY)
    raw_update("editorial_analysis", section.analysis.pk, body="<p>&nbsp;</p><script>alert('x')</script>")
    raw_update("editorial_topic", Topic.objects.get(name="数据要素").pk, name="数据\u200b要素")
    raw_update("editorial_topic", dirty_topic.pk, name="能\u00ad源")
    raw_update("editorial_correction", correction.pk, note="更正\r\n说明\u2028")
    raw_update("editorial_reviewcomment", comment.pk, body="\ufeff意见\x7f")
    raw_update("editorial_issueevent", event.pk, comment="说明\x85\ufffe")
    raw_update(
        "editorial_revision",
        revision.pk,
        data=json.dumps({**revision.data, "headline": "绿\u200b电", "body": DIRTY_BODY}),
    )
    raw_update(
        "references_source", source.pk, outlet="国家\u200b数据局", title="通\x0b知", fingerprint="x" * 64
    )
    raw_update("references_citation", citation.pk, note="用于\x0c分析")
    return {
        "series": series,
        "issue": issue,
        "section": section,
        "source": source,
        "citation": citation,
        "correction": correction,
        "comment": comment,
        "event": event,
        "revision": revision,
    }


def test_the_migration_cleans_every_stored_text(dirty):
    run_migration()

    series = Series.objects.get(pk=dirty["series"].pk)
    assert series.title == "新质生产力 每日动态"
    issue = Issue.objects.get(pk=dirty["issue"].pk)
    assert (issue.headline, issue.summary) == ("本期标题", "第一行\n第二行")
    section = Section.objects.select_related("analysis").get(pk=dirty["section"].pk)
    assert (section.headline, section.body, section.analysis.body) == ("绿电", CLEAN_BODY, "")
    assert Correction.objects.get(pk=dirty["correction"].pk).note == "更正\n说明"
    assert ReviewComment.objects.get(pk=dirty["comment"].pk).body == "意见"
    assert IssueEvent.objects.get(pk=dirty["event"].pk).comment == "说明"
    revision = Revision.objects.get(pk=dirty["revision"].pk)
    assert (revision.data["headline"], revision.data["body"]) == ("绿电", CLEAN_BODY)
    source = Source.objects.get(pk=dirty["source"].pk)
    assert (source.outlet, source.title) == ("国家数据局", "通 知")
    assert source.fingerprint == source_fingerprint(
        outlet="国家数据局", title="通 知", date=source.date, precision=source.date_precision
    )
    assert Citation.objects.get(pk=dirty["citation"].pk).note == "用于 分析"
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["数据要素", "能源"]


def test_the_migration_rebuilds_the_search_index_from_the_cleaned_text(dirty):
    issue, section = dirty["issue"], dirty["section"]

    run_migration()

    for query in ("绿电", "算力网络", "绿\u200b电", "算力\u00ad网络"):
        _shown, normalized, _cut = search.clean_query(query)
        page = search.search(query=normalized)
        assert [(e.date, e.position) for e in page.entries][:1] == [(issue.date, section.position)], query
    entry = SearchEntry.objects.get(section=section)
    assert entry.title == "绿电"
    assert "\u200b" not in entry.text and "\u00ad" not in entry.text


def test_a_topic_spelled_with_invisible_characters_is_merged_into_the_clean_one(dirty):
    clean = Topic.objects.create(name="算力", slug="suanli")
    twin = Topic.objects.create(name="算力-twin", slug="suanli-twin")
    other = Section.objects.create(issue=dirty["issue"], position=9, headline="另一条")
    dirty["section"].topics.add(clean, twin)
    other.topics.add(twin)
    raw_update("editorial_topic", twin.pk, name="算\u200b力")

    run_migration()

    assert not Topic.objects.filter(pk=twin.pk).exists()
    assert set(Topic.objects.get(pk=clean.pk).sections.values_list("pk", flat=True)) == {
        dirty["section"].pk,
        other.pk,
    }


def test_a_source_whose_clean_spelling_exists_keeps_its_row_and_fingerprint(dirty):
    twin = Source.objects.create(outlet="国家数据局", title="通 知", date=dt.date(2026, 6, 27))

    run_migration()

    source = Source.objects.get(pk=dirty["source"].pk)
    assert (source.outlet, source.title, source.fingerprint) == ("国家数据局", "通 知", "x" * 64)
    assert Source.objects.get(pk=twin.pk).fingerprint != source.fingerprint


def test_running_the_migration_twice_changes_nothing(dirty):
    run_migration()
    columns = [
        ("editorial_issue", dirty["issue"].pk, "headline"),
        ("editorial_issue", dirty["issue"].pk, "summary"),
        ("editorial_section", dirty["section"].pk, "headline"),
        ("editorial_section", dirty["section"].pk, "body"),
        ("editorial_series", dirty["series"].pk, "title"),
        ("editorial_revision", dirty["revision"].pk, "data"),
        ("references_source", dirty["source"].pk, "fingerprint"),
    ]
    before = {key: raw_value(*key) for key in columns}
    entries = list(SearchEntry.objects.order_by("pk").values())

    run_migration()

    assert {key: raw_value(*key) for key in before} == before
    assert list(SearchEntry.objects.order_by("pk").values()) == entries  # not even rebuilt


def test_the_migration_leaves_clean_rows_and_the_index_alone(make_issue):
    issue = set_state(make_issue(dt.date(2026, 7, 2)), S.PUBLISHED)
    entries = list(SearchEntry.objects.order_by("pk").values())
    bodies = list(Section.objects.filter(issue=issue).order_by("pk").values_list("body", flat=True))

    run_migration()

    assert list(SearchEntry.objects.order_by("pk").values()) == entries
    assert list(Section.objects.filter(issue=issue).order_by("pk").values_list("body", flat=True)) == bodies
