"""Helpers for the public archive tests: issues in every state, a generated archive, a clean page cache.

Assign the fixtures in a test module (`clean_cache = archive_support.clean_cache`); `clean_cache` is autouse
there, because the page cache (local memory in the first pass, Redis in the second) outlives the database
rollback between tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from editorial.models import Issue, IssueState, Section
from publishing.cache import bump_publication_version, reset_local_cache
from publishing.management.commands.generate_archive import generate
from publishing.search import index_issue

S = IssueState
HIDDEN_STATES = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.WITHDRAWN]


def expire_pages() -> None:
    """Forget every cached page: a new publication version (never a flush: in the second CI pass the cache is
    the Redis database that Celery also uses), and nothing kept in this process."""
    reset_local_cache()
    bump_publication_version()


@pytest.fixture(autouse=True)
def clean_cache():
    expire_pages()
    yield
    expire_pages()


def set_state(issue: Issue, state: str) -> Issue:
    """Put `issue` in `state` directly (the workflow has its own tests), then do what the publication receiver
    does: refresh its search entries and expire the pages."""
    published_at = timezone.now() if state in (S.PUBLISHED, S.WITHDRAWN) else None
    Issue.objects.filter(pk=issue.pk).update(state=state, published_at=published_at)
    index_issue(issue_id=issue.pk)
    bump_publication_version()
    issue.refresh_from_db()
    return issue


def mark_issue(issue: Issue, marker: str) -> Issue:
    """Give the issue and its first section words found nowhere else, to look for them on every page."""
    Issue.objects.filter(pk=issue.pk).update(headline=f"{marker}标题", summary=f"{marker}摘要。")
    Section.objects.filter(issue=issue, position=1).update(headline=f"{marker}条目")
    issue.refresh_from_db()
    return issue


@pytest.fixture
def published(make_issue):
    """A published issue of 2026-07-01 with two sections, marked 公开词."""
    return set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "公开词"), S.PUBLISHED)


@pytest.fixture
def hidden_issues(make_issue):
    """One issue in each state readers must not see, each marked with its own word (隐藏词draft …)."""
    issues = {}
    for offset, state in enumerate(HIDDEN_STATES):
        issue = make_issue(dt.date(2026, 7, 2) + dt.timedelta(days=offset))
        issue = mark_issue(issue, f"隐藏词{state}")
        if state == S.WITHDRAWN:
            set_state(issue, S.PUBLISHED)
        issues[state] = set_state(issue, state)
    return issues


ARCHIVE_END = dt.date(2026, 6, 27)


@pytest.fixture
def small_archive(db):
    """Forty published days generated from the vocabulary (240 sections), ending 2026-06-27."""
    counts = generate(days=40, end=ARCHIVE_END, seed=7, series_slug="xinzhi")
    bump_publication_version()
    return counts
