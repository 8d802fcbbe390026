"""The dashboard warns everyone in the newsroom about issues that missed their cutoff or publication."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial.models import IssueState


@pytest.fixture
def today():
    return timezone.localdate()


def test_an_issue_past_its_review_cutoff_shows_a_banner_on_the_dashboard(client, writer, make_issue, today):
    late = make_issue(date=today - dt.timedelta(days=1))  # its 07:00 cutoff is long gone, still a draft
    client.force_login(writer)

    page = client.get(reverse("newsroom:dashboard")).content.decode()

    assert f'data-test="overdue-banner" data-issue="{late.pk}"' in page
    assert "未在审核截止时间" in page
    assert reverse("newsroom:review", args=[late.pk]) in page


def test_an_approved_issue_the_tick_has_not_published_shows_a_banner(client, reviewer, make_issue, today):
    issue = make_issue(date=today)
    type(issue).objects.filter(pk=issue.pk).update(
        state=IssueState.APPROVED, publish_at=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(reviewer)

    page = client.get(reverse("newsroom:dashboard")).content.decode()

    assert f'data-issue="{issue.pk}"' in page and "发布尚未完成" in page


def test_no_banner_when_nothing_is_late(client, writer, make_issue, today):
    make_issue(date=today + dt.timedelta(days=2))
    client.force_login(writer)

    page = client.get(reverse("newsroom:dashboard")).content.decode()

    assert 'data-test="overdue-banner"' not in page
