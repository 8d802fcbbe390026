"""generate_archive: a realistic, deterministic archive of published issues, with its search index."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from editorial.models import Issue, IssueState, Section
from publishing.models import SearchEntry
from references.models import Citation, Source
from tests.publishing import archive_support

clean_cache = archive_support.clean_cache


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_archive", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Section.objects.order_by("issue__date", "position").values_list(
            "issue__date", "issue__headline", "position", "headline", "body", "analysis__body"
        )
    )


def test_it_fills_published_issues_with_sections_topics_citations_and_search_entries(db):
    output = generate("--days", "10", "--seed", "3", "--end", "2026-06-27")
    assert "生成完成：10 期，60 个条目" in output
    issues = list(Issue.objects.order_by("date"))
    assert [i.date for i in issues] == [dt.date(2026, 6, 18) + dt.timedelta(days=n) for n in range(10)]
    assert all(
        i.state == IssueState.PUBLISHED and i.published_at and i.headline and i.summary for i in issues
    )
    for issue in issues:
        sections = list(issue.sections.select_related("analysis").prefetch_related("topics"))
        assert [s.position for s in sections] == [1, 2, 3, 4, 5, 6]
        assert all(s.body.startswith("<p>") and s.analysis.body.startswith("<p>") for s in sections)
        assert all(s.topics.exists() for s in sections)
        citations = Citation.objects.filter(issue=issue)
        assert 4 <= citations.count() <= 8
        assert all(c.sections.exists() for c in citations)
    assert SearchEntry.objects.count() == 70
    assert (
        Source.objects.filter(outlet="Reuters").exists()
        or Source.objects.filter(outlet="国家能源局").exists()
    )


def test_the_same_seed_gives_the_same_archive(db):
    generate("--days", "5", "--seed", "11", "--end", "2026-06-27")
    first = snapshot()
    Issue.objects.all().delete()
    Source.objects.all().delete()
    generate("--days", "5", "--seed", "11", "--end", "2026-06-27")
    assert snapshot() == first
    Issue.objects.all().delete()
    Source.objects.all().delete()
    generate("--days", "5", "--seed", "12", "--end", "2026-06-27")
    assert snapshot() != first


def test_days_that_already_have_an_issue_are_left_alone(make_issue):
    existing = make_issue(dt.date(2026, 6, 27))
    output = generate("--days", "3", "--end", "2026-06-27")
    assert "生成完成：2 期" in output
    existing.refresh_from_db()
    assert existing.state == IssueState.DRAFT and existing.headline == "测试标题"
    assert Issue.objects.filter(date=dt.date(2026, 6, 27)).count() == 1


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--years", "1", "--days", "3"],
        ["--days", "0"],
        ["--days", "3", "--end", "2026-02-30"],
        ["--days", "3", "--sections", "0"],
    ],
)
def test_bad_arguments_are_refused_with_a_message(db, args):
    with pytest.raises(CommandError):
        generate(*args)
    assert not Issue.objects.exists()


def test_reindex_rebuilds_the_search_entries_of_published_issues_only(make_issue):
    generate("--days", "3", "--end", "2026-06-27")
    make_issue(dt.date(2026, 7, 1))  # a draft: never indexed
    SearchEntry.objects.all().delete()
    output = generate("--reindex")
    assert "搜索索引已重建：21 条" in output
    assert SearchEntry.objects.count() == 21
    assert not SearchEntry.objects.filter(issue__date=dt.date(2026, 7, 1)).exists()
