"""The dashboard each role lands on: today's and coming issues with state and the time left to the review
cutoff, sections assigned to me, issues waiting for my review, recent events, returned reasons, comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import comments, selectors, workflow
from editorial.models import IssueState

S = IssueState


@pytest.fixture
def today(settings):
    return timezone.localdate()


def test_the_dashboard_lists_today_and_coming_issues_with_state_and_countdown(
    client, writer, make_issue, today
):
    coming = make_issue(date=today + dt.timedelta(days=1))
    client.force_login(writer)

    response = client.get(reverse("newsroom:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-issue="{coming.pk}"' in html
    assert 'data-state="draft"' in html
    cutoff = coming.series.review_cutoff_for(coming.date)
    assert f'datetime="{cutoff.isoformat()}"' in html
    assert "还剩" in html


def test_a_late_issue_is_shown_red(client, writer, make_issue, today):
    # Drafted for yesterday and never approved: past its cutoff, still on the dashboard.
    make_issue(date=today - dt.timedelta(days=1))
    client.force_login(writer)

    html = client.get(reverse("newsroom:dashboard")).content.decode()

    assert 'class="countdown late"' in html
    assert "已超时" in html


def test_a_reviewer_sees_the_issues_waiting_for_review(client, reviewer, issue_in):
    issue = issue_in(S.IN_REVIEW)
    client.force_login(reviewer)

    html = client.get(reverse("newsroom:dashboard")).content.decode()

    assert 'data-test="awaiting-review"' in html
    assert reverse("newsroom:review", args=[issue.pk]) in html
    assert 'data-test="my-sections"' not in html


def test_a_writer_sees_their_sections_the_return_reason_and_open_comments(client, writer, reviewer, issue_in):
    issue = issue_in(S.IN_REVIEW)
    comments.comment_add(issue=issue, user=reviewer, section=issue.sections.first(), body="请核对数字")
    workflow.issue_return(issue=issue, user=reviewer, reason="数据来源不完整")
    client.force_login(writer)

    html = client.get(reverse("newsroom:dashboard")).content.decode()

    assert 'data-test="returned-notice"' in html
    assert "数据来源不完整" in html
    assert "请核对数字" in html
    assert "第1条标题" in html and "第2条标题" in html
    assert 'data-test="awaiting-review"' not in html


def test_recent_events_are_listed(client, reviewer, issue_in):
    issue = issue_in(S.IN_REVIEW)
    workflow.issue_approve(issue=issue, user=reviewer)
    client.force_login(reviewer)

    html = client.get(reverse("newsroom:dashboard")).content.decode()

    assert 'data-test="event"' in html
    assert "批准" in html


def test_opening_the_dashboard_changes_nothing(client, writer, draft_issue):
    client.force_login(writer)
    before = (draft_issue.version, draft_issue.events.count())

    client.get(reverse("newsroom:dashboard"))

    draft_issue.refresh_from_db()
    assert (draft_issue.version, draft_issue.events.count()) == before


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (2 * 3600 + 5 * 60 + 30, "还剩 2 小时 5 分"),
        (-35 * 60, "已超时 35 分"),
        (26 * 3600, "还剩 1 天 2 小时 0 分"),
    ],
)
def test_the_countdown_text(seconds, text):
    assert selectors.format_remaining(seconds) == text


def test_a_published_issue_races_no_cutoff(issue_in):
    issue = issue_in(S.PUBLISHED)

    cutoff = selectors.cutoff_for(
        issue, now=issue.series.review_cutoff_for(issue.date) + dt.timedelta(hours=5)
    )

    assert not cutoff.late
    assert not cutoff.applies
