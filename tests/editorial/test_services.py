"""Content changes: creating issues, saving sections with optimistic locking, frozen content, ordering."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from editorial import services, workflow
from editorial.errors import (
    DuplicateIssue,
    InvalidInput,
    StaleVersion,
    TransitionForbidden,
    TransitionNotAllowed,
)
from editorial.models import Analysis, Issue, IssueEvent, IssueState, Revision, Section, Series, Topic

S = IssueState


def section_state(issue: Issue) -> list[tuple]:
    """Everything a content change could touch, to assert that a refused one touched nothing."""
    return [
        (
            s.pk,
            s.position,
            s.headline,
            s.body,
            s.analysis.body,
            s.version,
            sorted(s.topics.values_list("name", flat=True)),
            s.revisions.count(),
        )
        for s in Section.objects.filter(issue=issue).select_related("analysis").order_by("position")
    ]


# --- issue_create ----------------------------------------------------------------------------------------


def test_creating_issues_numbers_them_one_after_another(series, writer):
    first = services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer, headline=" 标题 ")
    second = services.issue_create(series=series, date=dt.date(2026, 7, 2), user=writer)

    assert (first.number, second.number) == (1, 2)
    stored = Issue.objects.get(pk=first.pk)
    assert (stored.headline, stored.state, stored.created_by, stored.version) == ("标题", S.DRAFT, writer, 1)


def test_the_next_number_follows_the_highest_of_the_series(series, writer):
    services.issue_create(series=series, date=dt.date(2026, 6, 28), user=writer, number=41)
    other = Series.objects.create(slug="other", title="另一刊物", publisher="某单位")
    services.issue_create(series=other, date=dt.date(2026, 6, 29), user=writer, number=99)

    issue = services.issue_create(series=series, date=dt.date(2026, 6, 29), user=writer)

    assert issue.number == 42


def test_it_refuses_a_second_issue_on_the_same_date(series, writer):
    services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer, headline="原有")

    with pytest.raises(DuplicateIssue) as excinfo:
        services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer, headline="重复")

    assert "2026-07-01" in excinfo.value.message
    assert excinfo.value.status == 409
    assert list(Issue.objects.values_list("headline", flat=True)) == ["原有"]


def test_it_refuses_a_number_already_taken(series, writer):
    services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer, number=7)

    with pytest.raises(DuplicateIssue):
        services.issue_create(series=series, date=dt.date(2026, 7, 2), user=writer, number=7)

    assert Issue.objects.count() == 1


def test_the_same_date_is_fine_in_another_series(series, writer):
    other = Series.objects.create(slug="other", title="另一刊物", publisher="某单位")
    services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer)

    issue = services.issue_create(series=other, date=dt.date(2026, 7, 1), user=writer)

    assert (issue.series, issue.number) == (other, 1)


@pytest.mark.parametrize("who", ["reviewer", "stranger", "inactive_admin"])
def test_it_refuses_to_create_an_issue_without_permission(who, actors, series):
    with pytest.raises(TransitionForbidden):
        services.issue_create(series=series, date=dt.date(2026, 7, 1), user=actors[who])

    assert not Issue.objects.exists()


# --- issue_update ----------------------------------------------------------------------------------------


def test_updating_an_issue_bumps_its_version(draft_issue, writer):
    services.issue_update(
        issue=draft_issue, user=writer, data={"headline": "新标题", "summary": " 新摘要 "}, version=1
    )

    stored = Issue.objects.get(pk=draft_issue.pk)
    assert (stored.headline, stored.summary, stored.version) == ("新标题", "新摘要", 2)


def test_a_stale_issue_update_is_refused_with_what_is_stored_now(draft_issue, writer, writer2):
    services.issue_update(issue=draft_issue, user=writer, data={"summary": "甲的摘要"}, version=1)

    with pytest.raises(StaleVersion) as excinfo:
        services.issue_update(issue=draft_issue, user=writer2, data={"summary": "乙的摘要"}, version=1)

    assert excinfo.value.status == 409
    assert excinfo.value.current == {
        "headline": "测试标题",
        "summary": "甲的摘要",
        "number": 1,
        "version": 2,
    }
    assert excinfo.value.submitted == {"summary": "乙的摘要"}
    stored = Issue.objects.get(pk=draft_issue.pk)
    assert (stored.summary, stored.version) == ("甲的摘要", 2)


@pytest.mark.parametrize("data", [{"state": "published"}, {"publish_at": "2026-07-01T08:00"}])
def test_issue_update_refuses_fields_outside_content(draft_issue, writer, data):
    with pytest.raises(InvalidInput):
        services.issue_update(issue=draft_issue, user=writer, data=data, version=1)

    stored = Issue.objects.get(pk=draft_issue.pk)
    assert (stored.state, stored.publish_at, stored.version) == (S.DRAFT, None, 1)


@pytest.mark.parametrize("number", [0, -3, "七", 2.5])
def test_issue_update_refuses_a_number_that_is_not_positive(draft_issue, writer, number):
    with pytest.raises(InvalidInput) as excinfo:
        services.issue_update(issue=draft_issue, user=writer, data={"number": number}, version=1)

    assert "期号" in excinfo.value.message
    assert Issue.objects.get(pk=draft_issue.pk).number == 1


def test_issue_update_refuses_a_headline_that_is_too_long(draft_issue, writer):
    with pytest.raises(InvalidInput):
        services.issue_update(issue=draft_issue, user=writer, data={"headline": "长" * 201}, version=1)

    assert Issue.objects.get(pk=draft_issue.pk).headline == "测试标题"


def test_issue_update_refuses_a_number_another_issue_has(make_issue, writer):
    make_issue(date=dt.date(2026, 7, 1))
    second = make_issue(date=dt.date(2026, 7, 2))

    with pytest.raises(DuplicateIssue):
        services.issue_update(issue=second, user=writer, data={"number": 1}, version=1)

    stored = Issue.objects.get(pk=second.pk)
    assert (stored.number, stored.version) == (2, 1)


# --- section_save ----------------------------------------------------------------------------------------


def test_saving_a_section_writes_a_revision(draft_issue, writer2):
    section = draft_issue.sections.get(position=1)

    services.section_save(
        section=section,
        user=writer2,
        data={
            "headline": " 新标题 ",
            "body": "<p>新正文</p>",
            "analysis": "<p>这表明……</p>",
            "topics": ["算力", "数据要素"],
        },
        version=1,
    )

    stored = Section.objects.get(pk=section.pk)
    assert (stored.headline, stored.body, stored.analysis.body, stored.version) == (
        "新标题",
        "<p>新正文</p>",
        "<p>这表明……</p>",
        2,
    )
    revision = stored.revisions.first()
    assert (revision.number, revision.author) == (2, writer2)
    assert revision.data == {
        "headline": "新标题",
        "body": "<p>新正文</p>",
        "analysis": "<p>这表明……</p>",
        "topics": ["数据要素", "算力"],
        "version": 2,
    }


def test_a_stale_section_save_is_refused_and_both_texts_are_kept(draft_issue, writer, writer2):
    section = draft_issue.sections.get(position=1)
    services.section_save(section=section, user=writer, data={"body": "<p>甲的版本</p>"}, version=1)
    before = section_state(draft_issue)

    with pytest.raises(StaleVersion) as excinfo:
        services.section_save(section=section, user=writer2, data={"body": "<p>乙的版本</p>"}, version=1)

    assert excinfo.value.current["body"] == "<p>甲的版本</p>"
    assert excinfo.value.current["version"] == 2
    assert excinfo.value.submitted == {"body": "<p>乙的版本</p>"}
    assert "其他人" in excinfo.value.message
    assert section_state(draft_issue) == before
    # The text that was overwritten and the one that won are both in the history.
    assert [r.data["body"] for r in Revision.objects.filter(section=section).order_by("number")] == [
        "<p>新闻1</p>",
        "<p>甲的版本</p>",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"headline": "   "}, "标题不能为空"),
        ({"headline": "长" * 201}, "标题太长"),
        ({"body": "x" * 200_001}, "正文太长"),
        ({"author": 1}, "未知字段"),
    ],
)
def test_it_refuses_bad_section_data(draft_issue, writer, data, message):
    section = draft_issue.sections.get(position=1)
    before = section_state(draft_issue)

    with pytest.raises(InvalidInput) as excinfo:
        services.section_save(section=section, user=writer, data=data, version=1)

    assert message in excinfo.value.message
    assert section_state(draft_issue) == before


def test_section_bodies_are_sanitized_on_save(draft_issue, writer):
    section = draft_issue.sections.get(position=1)

    services.section_save(
        section=section,
        user=writer,
        data={
            "body": '<p onclick="x()">正文<script>alert(1)</script></p>',
            "analysis": "<iframe></iframe>评",
        },
        version=1,
    )

    stored = Section.objects.get(pk=section.pk)
    assert (stored.body, stored.analysis.body) == ("<p>正文</p>", "评")
    assert stored.revisions.first().data["body"] == "<p>正文</p>"


# --- frozen content and who may edit --------------------------------------------------------------------


def _content_changes(issue, user):
    first = issue.sections.get(position=1)
    return {
        "issue_update": lambda: services.issue_update(
            issue=issue, user=user, data={"headline": "改"}, version=issue.version
        ),
        "section_create": lambda: services.section_create(issue=issue, user=user, headline="新条目"),
        "section_save": lambda: services.section_save(
            section=first, user=user, data={"body": "<p>改</p>"}, version=first.version
        ),
        "section_restore": lambda: services.section_restore(
            section=first, user=user, revision=first.revisions.last(), version=first.version
        ),
        "section_delete": lambda: services.section_delete(section=first, user=user),
        "sections_reorder": lambda: services.sections_reorder(
            issue=issue,
            user=user,
            order=list(issue.sections.order_by("-position").values_list("pk", flat=True)),
        ),
    }


CHANGES = [
    "issue_update",
    "section_create",
    "section_save",
    "section_restore",
    "section_delete",
    "sections_reorder",
]


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.WITHDRAWN])
@pytest.mark.parametrize("change", CHANGES)
def test_frozen_content_cannot_be_changed(state, change, issue_in, writer, admin_user):
    issue = issue_in(state)
    before = (section_state(issue), Issue.objects.values().get(pk=issue.pk))

    for user in (writer, admin_user):
        with pytest.raises(TransitionNotAllowed) as excinfo:
            _content_changes(issue, user)[change]()
        assert "冻结" in excinfo.value.message

    assert (section_state(issue), Issue.objects.values().get(pk=issue.pk)) == before


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("who", ["reviewer", "stranger", "inactive_admin"])
def test_only_writers_and_admins_edit_content(who, change, actors, draft_issue):
    before = (section_state(draft_issue), Issue.objects.values().get(pk=draft_issue.pk))

    with pytest.raises(TransitionForbidden):
        _content_changes(draft_issue, actors[who])[change]()

    assert (section_state(draft_issue), Issue.objects.values().get(pk=draft_issue.pk)) == before


def test_a_reviewer_edits_content_when_the_series_allows_it(series, draft_issue, reviewer):
    series.reviewers_may_edit = True
    series.save()
    section = draft_issue.sections.get(position=1)

    services.section_save(section=section, user=reviewer, data={"body": "<p>审核人润色</p>"}, version=1)

    stored = Section.objects.get(pk=section.pk)
    assert (stored.body, stored.revisions.first().author) == ("<p>审核人润色</p>", reviewer)


def test_a_stranger_cannot_edit_even_when_reviewers_may(series, draft_issue, stranger):
    series.reviewers_may_edit = True
    series.save()
    section = draft_issue.sections.get(position=1)

    with pytest.raises(TransitionForbidden):
        services.section_save(section=section, user=stranger, data={"body": "<p>x</p>"}, version=1)

    assert Section.objects.get(pk=section.pk).body == "<p>新闻1</p>"


def test_a_returned_issue_is_editable_again(draft_issue, writer, reviewer):
    workflow.issue_submit(issue=draft_issue, user=writer)
    workflow.issue_return(issue=draft_issue, user=reviewer, reason="请修改")
    section = draft_issue.sections.get(position=1)

    services.section_save(section=section, user=writer, data={"body": "<p>修改后</p>"}, version=1)

    assert Section.objects.get(pk=section.pk).body == "<p>修改后</p>"


# --- order, delete, restore, topics ---------------------------------------------------------------------


def headlines(issue: Issue) -> list[tuple[int, str]]:
    return list(Section.objects.filter(issue=issue).order_by("position").values_list("position", "headline"))


def test_new_sections_go_to_the_end(make_issue, writer):
    issue = make_issue(sections=2)

    section = services.section_create(issue=issue, user=writer, headline="第三条")

    assert section.position == 3
    assert Analysis.objects.get(section=section).body == ""
    assert section.revisions.count() == 1


def test_reordering_puts_sections_in_the_given_order(make_issue, writer):
    issue = make_issue(sections=3)
    ids = dict(Section.objects.filter(issue=issue).values_list("position", "pk"))

    services.sections_reorder(issue=issue, user=writer, order=[ids[3], ids[1], ids[2]])

    assert headlines(issue) == [(1, "第3条标题"), (2, "第1条标题"), (3, "第2条标题")]


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(lambda ids, other: [ids[1], ids[2]], id="missing"),
        pytest.param(lambda ids, other: [ids[1], ids[2], ids[3], ids[1]], id="repeated"),
        pytest.param(lambda ids, other: [ids[1], ids[1], ids[2]], id="repeated-instead-of-one"),
        pytest.param(lambda ids, other: [ids[1], ids[2], other], id="from-another-issue"),
        pytest.param(lambda ids, other: [], id="empty"),
    ],
)
def test_reordering_requires_a_permutation_of_the_sections(make_issue, writer, order):
    issue = make_issue(sections=3)
    other = make_issue(date=dt.date(2026, 7, 2), sections=1).sections.get().pk
    ids = dict(Section.objects.filter(issue=issue).values_list("position", "pk"))
    before = section_state(issue)

    with pytest.raises(InvalidInput) as excinfo:
        services.sections_reorder(issue=issue, user=writer, order=order(ids, other))

    assert "全部条目" in excinfo.value.message
    assert section_state(issue) == before


def test_deleting_a_section_renumbers_the_rest(make_issue, writer):
    issue = make_issue(sections=3)

    services.section_delete(section=issue.sections.get(position=2), user=writer)

    assert headlines(issue) == [(1, "第1条标题"), (2, "第3条标题")]
    assert Section.objects.get(issue=issue, position=2).numeral == "二"


def test_restoring_a_revision_is_itself_a_new_revision(draft_issue, writer, writer2):
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section,
        user=writer,
        data={
            "headline": "改过的标题",
            "body": "<p>改过的正文</p>",
            "analysis": "<p>改过</p>",
            "topics": ["算力"],
        },
        version=1,
    )
    original = section.revisions.get(number=1)

    services.section_restore(section=section, user=writer2, revision=original, version=2)

    stored = Section.objects.get(pk=section.pk)
    assert (stored.headline, stored.body, stored.analysis.body, stored.version) == (
        "第1条标题",
        "<p>新闻1</p>",
        "<p>评析1</p>",
        3,
    )
    assert list(stored.topics.values_list("name", flat=True)) == ["数据要素"]
    assert list(stored.revisions.order_by("number").values_list("number", "author__username")) == [
        (1, "writer"),
        (2, "writer"),
        (3, "writer2"),
    ]
    assert stored.revisions.get(number=2).data["body"] == "<p>改过的正文</p>"  # still recoverable


def test_it_refuses_to_restore_a_revision_of_another_section(draft_issue, writer):
    first, second = draft_issue.sections.order_by("position")
    before = section_state(draft_issue)

    with pytest.raises(InvalidInput):
        services.section_restore(section=first, user=writer, revision=second.revisions.get(), version=1)

    assert section_state(draft_issue) == before


def test_topics_are_created_from_names_and_reused(draft_issue, writer):
    section = draft_issue.sections.get(position=1)

    services.section_save(
        section=section, user=writer, data={"topics": ["数据要素", " 算力 ", "", "AI", "ai"]}, version=1
    )

    assert sorted(Section.objects.get(pk=section.pk).topics.values_list("name", flat=True)) == [
        "AI",
        "ai",
        "数据要素",
        "算力",
    ]
    assert Topic.objects.count() == 4  # 数据要素 existed already
    slugs = list(Topic.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 4
    assert Topic.objects.get(name="算力").slug == "算力"


def test_it_refuses_a_topic_name_that_is_too_long(draft_issue, writer):
    section = draft_issue.sections.get(position=1)
    before = section_state(draft_issue)

    with pytest.raises(InvalidInput):
        services.section_save(section=section, user=writer, data={"topics": ["长" * 51]}, version=1)

    assert section_state(draft_issue) == before
    assert list(Topic.objects.values_list("name", flat=True)) == ["数据要素"]


# --- real concurrency (PostgreSQL row locks) -------------------------------------------------------------


def run_at_once(*calls):
    """Run `calls` in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def hold_the_lock(monkeypatch, target, name):
    """Make the first transaction linger while holding its row lock, so the second surely waits on it."""
    original = getattr(target, name)

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, slow)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_the_same_version_at_once_keep_both_texts(draft_issue, writer, writer2, monkeypatch):
    section = draft_issue.sections.get(position=1)
    hold_the_lock(monkeypatch, services, "_write_revision")

    def save(user, body):
        return lambda: services.section_save(
            section=Section.objects.get(pk=section.pk), user=user, data={"body": body}, version=1
        )

    results = run_at_once(save(writer, "<p>甲的版本</p>"), save(writer2, "<p>乙的版本</p>"))

    winners = [r for r in results if isinstance(r, Section)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert (len(winners), len(losers)) == (1, 1), results
    stored = Section.objects.get(pk=section.pk)
    assert stored.version == 2
    assert stored.body == winners[0].body
    assert losers[0].current["body"] == stored.body
    assert {stored.body, losers[0].submitted["body"]} == {"<p>甲的版本</p>", "<p>乙的版本</p>"}
    assert list(stored.revisions.order_by("number").values_list("number", "data__body")) == [
        (1, "<p>新闻1</p>"),
        (2, stored.body),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_write_one_event(issue_in, reviewer, reviewer2, monkeypatch):
    issue = issue_in(S.IN_REVIEW)
    hold_the_lock(monkeypatch, IssueEvent.objects, "create")

    results = run_at_once(
        lambda: workflow.issue_approve(issue=Issue.objects.get(pk=issue.pk), user=reviewer),
        lambda: workflow.issue_approve(issue=Issue.objects.get(pk=issue.pk), user=reviewer2),
    )

    assert sorted(type(r).__name__ for r in results) == ["Issue", "TransitionNotAllowed"], results
    assert Issue.objects.get(pk=issue.pk).state == S.APPROVED
    assert list(IssueEvent.objects.filter(issue=issue).values_list("transition", flat=True)) == ["approve"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_publications_at_once_write_one_event(issue_in, admin_user, monkeypatch):
    issue = issue_in(S.APPROVED)
    hold_the_lock(monkeypatch, IssueEvent.objects, "create")

    results = run_at_once(
        lambda: workflow.issue_publish(issue=Issue.objects.get(pk=issue.pk), user=None),
        lambda: workflow.issue_publish(issue=Issue.objects.get(pk=issue.pk), user=admin_user),
    )

    assert sorted(type(r).__name__ for r in results) == ["Issue", "TransitionNotAllowed"], results
    stored = Issue.objects.get(pk=issue.pk)
    assert stored.state == S.PUBLISHED
    assert stored.published_at is not None
    assert list(IssueEvent.objects.filter(issue=issue).values_list("transition", flat=True)) == ["publish"]
