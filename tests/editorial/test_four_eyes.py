"""Four-eyes over the whole issue: whoever changed its content (headline, summary, number, sections, citations)
since the last approval cannot approve it alone, in the newsroom or the admin, and is not offered the button.

Decided: changes made before the last approval were checked by that approver, so after a reopen only the
changes made since count. Comments change no content and never bar anyone. The system (imports) is nobody.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from editorial import comments, services, workflow
from editorial.errors import TransitionForbidden
from editorial.models import ContentChange, ContentPart, Issue, IssueEvent, Revision, Topic
from editorial.models import IssueState as S
from references import services as reference_services
from references.models import Citation, Source

# The issue admin's inlines (sections, events) are read-only: an empty management form for each.
INLINES = {
    f"{prefix}-{key}": "0" for prefix in ("sections", "events") for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def reviewers_edit(series):
    series.reviewers_may_edit = True
    series.save()
    return series


def submitted(issue: Issue) -> Issue:
    return workflow.issue_submit(issue=issue, user=issue.created_by)


def cite(issue: Issue, user, title: str = "数据要素市场化配置改革") -> Citation:
    source = reference_services.source_find_or_create(user=user, outlet="新华社", title=title)
    return reference_services.citation_add(issue=issue, user=user, source=source, note="用于分析")


def refused_reason(issue: Issue, user) -> str:
    """The four-eyes refusal's message, after checking that the refusal changed nothing."""
    approvals = IssueEvent.objects.filter(issue=issue, transition="approve").count()
    with pytest.raises(TransitionForbidden) as excinfo:
        workflow.issue_approve(issue=issue, user=user)
    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.state, stored.publish_at) == (S.IN_REVIEW, None)
    assert IssueEvent.objects.filter(issue=issue, transition="approve").count() == approvals
    return excinfo.value.message


def test_an_admin_who_changed_only_the_headline_and_summary_cannot_approve_alone(draft_issue, admin_user):
    services.issue_update(
        issue=draft_issue,
        user=admin_user,
        data={"headline": "管理员改的标题", "summary": "管理员改的摘要"},
        version=draft_issue.version,
    )
    submitted(draft_issue)

    reason = refused_reason(draft_issue, admin_user)

    assert (
        reason
        == "四眼原则：您对本期标题、摘要、期号、日期的修改尚未经他人审核，不能由您独自批准，请由另一位审核人批准。"
    )


def test_an_admin_who_only_added_citations_cannot_approve_alone(draft_issue, admin_user):
    cite(draft_issue, admin_user)
    submitted(draft_issue)

    assert "参考文献" in refused_reason(draft_issue, admin_user)


@pytest.mark.parametrize("change", ["update", "remove", "reorder"])
def test_every_change_to_the_citations_counts(draft_issue, writer, admin_user, change):
    first, second = cite(draft_issue, writer), cite(draft_issue, writer, title="算力网络")
    if change == "update":
        reference_services.citation_update(
            citation=first, user=admin_user, note="用于算力分析", section_ids=[]
        )
    elif change == "remove":
        reference_services.citation_remove(citation=first, user=admin_user)
    else:
        reference_services.citations_reorder(issue=draft_issue, user=admin_user, order=[second.pk, first.pk])
    submitted(draft_issue)

    assert "参考文献" in refused_reason(draft_issue, admin_user)


@pytest.mark.parametrize("change", ["reorder", "delete", "restore"])
def test_every_change_to_the_sections_counts(draft_issue, admin_user, change):
    first, second = draft_issue.sections.order_by("position")
    if change == "reorder":
        services.sections_reorder(issue=draft_issue, user=admin_user, order=[second.pk, first.pk])
    elif change == "delete":
        services.section_delete(section=second, user=admin_user)
    else:
        services.section_restore(
            section=first, user=admin_user, revision=first.revisions.get(number=1), version=first.version
        )
    submitted(draft_issue)

    assert "条目" in refused_reason(draft_issue, admin_user)


def test_the_refusal_names_every_part_the_person_changed(draft_issue, admin_user):
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section, user=admin_user, data={"body": "<p>改过</p>"}, version=section.version
    )
    cite(draft_issue, admin_user)
    services.issue_update(issue=draft_issue, user=admin_user, data={"summary": "新摘要"}, version=1)
    submitted(draft_issue)

    assert "本期标题、摘要、期号、日期、条目、参考文献的修改" in refused_reason(draft_issue, admin_user)


def test_a_reviewer_who_only_commented_may_approve(draft_issue, reviewer, writer):
    comment = comments.comment_add(issue=draft_issue, user=reviewer, body="第二条数据请核实")
    comments.comment_resolve(comment=comment, user=writer)
    submitted(draft_issue)

    workflow.issue_approve(issue=draft_issue, user=reviewer)

    assert Issue.objects.get(pk=draft_issue.pk).state == S.APPROVED
    assert not ContentChange.objects.filter(actor=reviewer).exists()


def test_after_a_reopen_only_changes_since_the_last_approval_count(
    reviewers_edit, draft_issue, reviewer, reviewer2, admin_user
):
    # The first reviewer edits, the second approves: those edits were checked.
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section, user=reviewer, data={"body": "<p>甲改</p>"}, version=section.version
    )
    submitted(draft_issue)
    workflow.issue_approve(issue=draft_issue, user=reviewer2)
    workflow.issue_reopen(issue=draft_issue, user=admin_user, reason="补充数据")
    # Now the second reviewer edits; the first one's old edit no longer counts.
    section.refresh_from_db()
    services.section_save(
        section=section, user=reviewer2, data={"body": "<p>乙改</p>"}, version=section.version
    )
    submitted(draft_issue)

    assert "条目" in refused_reason(draft_issue, reviewer2)
    workflow.issue_approve(issue=draft_issue, user=reviewer)

    assert Issue.objects.get(pk=draft_issue.pk).state == S.APPROVED
    assert list(
        IssueEvent.objects.filter(issue=draft_issue, transition="approve")
        .order_by("created_at")
        .values_list("actor__username", flat=True)
    ) == [reviewer2.username, reviewer.username]


def test_the_rule_is_off_when_the_series_turns_four_eyes_off(series, draft_issue, admin_user):
    series.four_eyes = False
    series.save()
    cite(draft_issue, admin_user)
    submitted(draft_issue)

    workflow.issue_approve(issue=draft_issue, user=admin_user)

    assert Issue.objects.get(pk=draft_issue.pk).state == S.APPROVED


def test_a_change_that_was_refused_records_nothing(draft_issue, admin_user):
    with pytest.raises(Exception):  # noqa: B017 - stale version: nothing saved, nothing recorded
        services.issue_update(issue=draft_issue, user=admin_user, data={"headline": "新"}, version=99)

    assert not ContentChange.objects.filter(actor=admin_user).exists()


# --- the newsroom offers approval only to whom the rule allows ---------------------------------------------


def test_the_review_page_shows_why_instead_of_the_approve_button(client, draft_issue, admin_user, reviewer):
    cite(draft_issue, admin_user)
    submitted(draft_issue)

    client.force_login(admin_user)
    barred = client.get(reverse("newsroom:review", args=[draft_issue.pk])).content.decode()
    client.force_login(reviewer)
    allowed = client.get(reverse("newsroom:review", args=[draft_issue.pk])).content.decode()

    assert 'data-test="approve"' not in barred
    assert "您对本期参考文献的修改尚未经他人审核" in barred
    assert 'data-test="return"' in barred  # returning it stays possible
    assert 'data-test="approve"' in allowed
    assert "四眼原则" not in allowed
    assert "approve" not in {
        t.name for t in workflow.available_transitions(issue=draft_issue, user=admin_user)
    }


# --- the admin counts as the newsroom does -----------------------------------------------------------------


def test_an_issue_headline_changed_in_the_admin_counts(client, draft_issue, admin_user, series):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:editorial_issue_change", args=[draft_issue.pk]),
        {
            "series": series.pk,
            "date": draft_issue.date.isoformat(),
            "number": draft_issue.number,
            "headline": "后台改的标题",
            "summary": draft_issue.summary,
            **INLINES,
        },
    )
    assert response.status_code == 302
    submitted(draft_issue)

    assert "标题、摘要、期号、日期" in refused_reason(draft_issue, admin_user)


def test_an_issue_date_changed_in_the_admin_counts_since_the_masthead_prints_it(
    client, draft_issue, admin_user, series
):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:editorial_issue_change", args=[draft_issue.pk]),
        {
            "series": series.pk,
            "date": "2026-07-09",
            "number": draft_issue.number,
            "headline": draft_issue.headline,
            "summary": draft_issue.summary,
            **INLINES,
        },
    )
    assert response.status_code == 302
    submitted(draft_issue)

    assert "标题、摘要、期号、日期" in refused_reason(draft_issue, admin_user)


def test_an_admin_save_that_changes_no_content_does_not_count(client, draft_issue, admin_user, series):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:editorial_issue_change", args=[draft_issue.pk]),
        {
            "series": series.pk,
            "date": draft_issue.date.isoformat(),
            "number": draft_issue.number,
            "headline": draft_issue.headline,
            "summary": draft_issue.summary,
            **INLINES,
        },
    )

    assert response.status_code == 302
    assert not ContentChange.objects.filter(actor=admin_user).exists()


def test_a_citation_changed_in_the_admin_counts(client, draft_issue, writer, admin_user):
    citation = cite(draft_issue, writer)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_citation_change", args=[citation.pk]),
        {"issue": draft_issue.pk, "source": citation.source_id, "position": 1, "note": "后台改的用途"},
    )
    assert response.status_code == 302
    submitted(draft_issue)

    assert "参考文献" in refused_reason(draft_issue, admin_user)
    assert ContentChange.objects.filter(actor=admin_user, part=ContentPart.CITATIONS).count() == 1


def source_form(source: Source, **changes) -> dict:
    """The source admin's form as it stands for `source`, with `changes`."""
    return {
        "outlet": source.outlet,
        "title": source.title,
        "url": source.url,
        "date": source.date.isoformat() if source.date else "",
        "date_precision": source.date_precision,
        "kind": source.kind,
        **changes,
    }


def citation_form(citation: Citation, **changes) -> dict:
    return {
        "issue": citation.issue_id,
        "source": citation.source_id,
        "position": citation.position,
        "note": citation.note,
        **changes,
    }


def published(issue: Issue, reviewer) -> Issue:
    submitted(issue)
    workflow.issue_approve(issue=issue, user=reviewer)
    return workflow.issue_publish(issue=issue, user=None)


def test_a_source_edited_in_the_admin_counts_for_every_draft_issue_citing_it(
    client, make_issue, writer, admin_user
):
    first, second = make_issue(), make_issue(date=dt.date(2026, 7, 2))
    source = cite(first, writer).source
    reference_services.citation_add(issue=second, user=writer, source=source, note="")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_source_change", args=[source.pk]),
        source_form(source, title="改过的标题", url="https://example.org/new"),
    )

    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).title == "改过的标题"
    changes = ContentChange.objects.filter(actor=admin_user, part=ContentPart.CITATIONS)
    assert sorted(changes.values_list("issue_id", flat=True)) == [first.pk, second.pk]
    submitted(first)
    assert "参考文献" in refused_reason(first, admin_user)


@pytest.mark.parametrize("frozen_state", [S.IN_REVIEW, S.PUBLISHED])
def test_a_source_edit_that_would_change_a_frozen_issue_is_refused_naming_it(
    client, make_issue, writer, reviewer, admin_user, frozen_state
):
    draft, frozen = make_issue(), make_issue(date=dt.date(2026, 6, 28))
    source = cite(frozen, writer).source
    reference_services.citation_add(issue=draft, user=writer, source=source, note="")
    if frozen_state == S.IN_REVIEW:
        submitted(frozen)
    else:
        published(frozen, reviewer)
    changes_before = ContentChange.objects.count()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_source_change", args=[source.pk]),
        source_form(source, title="悄悄改的标题", url="https://example.org/other"),
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "内容已冻结，因此没有保存" in body
    named = re.search(r"因此没有保存：(.*?)。", body).group(1)
    assert (
        named == f"新质生产力每日动态 2026-06-28（{S(frozen_state).label}）"
    )  # the frozen one, not the draft
    stored = Source.objects.get(pk=source.pk)
    assert (stored.title, stored.url) == (source.title, source.url)
    assert ContentChange.objects.count() == changes_before


def test_a_source_kind_is_not_printed_so_it_may_change_while_a_citing_issue_is_published(
    client, draft_issue, writer, reviewer, admin_user
):
    source = cite(draft_issue, writer).source
    published(draft_issue, reviewer)
    changes_before = ContentChange.objects.count()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_source_change", args=[source.pk]), source_form(source, kind="government")
    )

    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).kind == "government"
    assert ContentChange.objects.count() == changes_before


def test_a_source_edited_into_the_spelling_of_another_is_refused_not_a_500(
    client, draft_issue, writer, admin_user
):
    source = cite(draft_issue, writer).source
    other = cite(draft_issue, writer, title="算力网络").source
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_source_change", args=[source.pk]), source_form(source, title=other.title)
    )

    assert response.status_code == 200
    assert "已有同一来源" in response.content.decode()
    assert Source.objects.get(pk=source.pk).title == source.title


def test_deleting_a_cited_source_in_the_admin_is_refused_and_changes_nothing(
    client, draft_issue, writer, reviewer, admin_user
):
    source = cite(draft_issue, writer).source
    published(draft_issue, reviewer)
    client.force_login(admin_user)

    one = client.post(reverse("admin:references_source_delete", args=[source.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:references_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )

    assert (one.status_code, bulk.status_code) == (200, 200)
    assert Source.objects.filter(pk=source.pk).exists()
    assert Citation.objects.filter(source=source, issue=draft_issue).exists()


def test_moving_a_citation_to_another_issue_counts_for_both(client, make_issue, writer, admin_user):
    old, new = make_issue(), make_issue(date=dt.date(2026, 7, 2))
    citation = cite(old, writer)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_citation_change", args=[citation.pk]), citation_form(citation, issue=new.pk)
    )

    assert response.status_code == 302
    assert Citation.objects.get(pk=citation.pk).issue_id == new.pk
    changes = ContentChange.objects.filter(actor=admin_user, part=ContentPart.CITATIONS)
    assert sorted(changes.values_list("issue_id", flat=True)) == [old.pk, new.pk]
    submitted(old)
    assert "参考文献" in refused_reason(old, admin_user)


def test_a_citation_cannot_be_moved_into_or_out_of_a_frozen_issue(client, make_issue, writer, admin_user):
    draft, in_review = make_issue(), make_issue(date=dt.date(2026, 7, 2))
    into = cite(draft, writer)
    out_of = cite(in_review, writer, title="算力网络")
    submitted(in_review)
    changes_before = ContentChange.objects.count()
    client.force_login(admin_user)

    moved_in = client.post(
        reverse("admin:references_citation_change", args=[into.pk]), citation_form(into, issue=in_review.pk)
    )
    moved_out = client.post(
        reverse("admin:references_citation_change", args=[out_of.pk]), citation_form(out_of, issue=draft.pk)
    )

    assert moved_in.status_code == 200  # the form refuses an issue that is not editable
    assert moved_out.status_code == 403  # a frozen issue's citation is read-only
    assert Citation.objects.get(pk=into.pk).issue_id == draft.pk
    assert Citation.objects.get(pk=out_of.pk).issue_id == in_review.pk
    assert ContentChange.objects.count() == changes_before


def test_a_citation_supports_only_sections_of_its_own_issue(client, make_issue, writer, admin_user):
    old, new = make_issue(), make_issue(date=dt.date(2026, 7, 2))
    citation = cite(old, writer)
    section = old.sections.get(position=1)
    citation.sections.set([section])
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_citation_change", args=[citation.pk]),
        citation_form(citation, issue=new.pk, sections=[section.pk]),
    )

    assert response.status_code == 200
    assert "支持的条目必须属于本条所在的期刊" in response.content.decode()
    assert Citation.objects.get(pk=citation.pk).issue_id == old.pk


def test_the_citations_of_a_frozen_issue_cannot_be_deleted_in_bulk(
    client, draft_issue, writer, reviewer, admin_user
):
    citation = cite(draft_issue, writer)
    published(draft_issue, reviewer)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [citation.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_a_topic_rename_is_archive_housekeeping_not_issue_content(client, draft_issue, writer, admin_user):
    # Topics are printed on no issue (web page, PDF, WeChat article, feed): only the archive's topic pages.
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section, user=writer, data={"topics": ["数据要素"]}, version=section.version
    )
    topic = Topic.objects.get(name="数据要素")
    submitted(draft_issue)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:editorial_topic_change", args=[topic.pk]), {"name": "数据要素市场", "slug": topic.slug}
    )

    assert response.status_code == 302
    assert not ContentChange.objects.filter(actor=admin_user).exists()
    workflow.issue_approve(issue=draft_issue, user=admin_user)
    assert Issue.objects.get(pk=draft_issue.pk).state == S.APPROVED


# --- issues in flight when the rule was deployed -----------------------------------------------------------


def test_the_migration_turns_earlier_revisions_into_changes_so_in_flight_issues_stay_protected(
    reviewers_edit, draft_issue, reviewer
):
    section = draft_issue.sections.get(position=1)
    services.section_save(section=section, user=reviewer, data={"body": "<p>改</p>"}, version=section.version)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM editorial_contentchange")  # as before the table existed
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration("editorial", "0004_content_change")
    migration.operations[-1].code(
        executor.loader.project_state(("editorial", "0004_content_change")).apps, None
    )
    submitted(draft_issue)

    assert "条目" in refused_reason(draft_issue, reviewer)
    revisions = Revision.objects.filter(section__issue=draft_issue)
    assert sorted(ContentChange.objects.values_list("actor_id", "created_at")) == sorted(
        revisions.values_list("author_id", "created_at")
    )
