"""With real Celery workers on Redis: renders finish, survive a killed worker, and a late tick catches up.

Each test starts worker subprocesses (tests/publishing/worker_support.py) against the test database (transactional
tests, so the worker sees what the test commits).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from editorial import workflow
from editorial.models import Issue, IssueEvent, IssueState
from publishing import renditions, tasks
from publishing.models import Rendition, RenditionStatus
from tests.publishing import worker_support
from tests.publishing.renditions_support import sha256_of, stored_files
from tests.publishing.worker_support import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = RenditionStatus
queue = worker_support.queue
media = worker_support.media
start_worker = worker_support.start_worker


def renditions_of(issue: Issue) -> list[Rendition]:
    return list(Rendition.objects.filter(issue=issue).order_by("kind"))


def all_done(issue: Issue):
    rows = renditions_of(issue)
    failed = [r for r in rows if r.status == S.FAILED]
    assert not failed, [(r.kind, r.error) for r in failed]
    return len(rows) == 3 and all(r.status == S.DONE for r in rows) and rows


def approve(issue: Issue, writer, reviewer) -> Issue:
    workflow.issue_submit(issue=issue, user=writer)
    return workflow.issue_approve(issue=issue, user=reviewer)


def test_a_worker_renders_an_approved_issue_within_ten_seconds(
    start_worker, make_issue, writer, reviewer, media
):
    worker = start_worker(concurrency=2)
    issue = make_issue()

    started = time.monotonic()
    approve(issue, writer, reviewer)
    rows = wait_for(lambda: all_done(issue), timeout=10, what="the three renditions")
    elapsed = time.monotonic() - started

    assert elapsed < 10, worker.output()
    assert {r.kind for r in rows} == {"pdf", "wechat", "web"}
    for rendition in rows:
        assert rendition.attempts == 1
        assert sha256_of(media / rendition.file.name) == rendition.sha256
    assert len(stored_files(media)) == 3
    assert (media / next(r for r in rows if r.kind == "pdf").file.name).read_bytes().startswith(b"%PDF")


def test_a_render_whose_worker_is_killed_is_finished_once_by_another_worker(
    start_worker, make_issue, writer, reviewer, media
):
    doomed = start_worker(XINZHI_TEST_RENDER_DELAY="60")
    issue = make_issue()
    approve(issue, writer, reviewer)

    running = wait_for(
        lambda: Rendition.objects.filter(issue=issue, status=S.RUNNING).first(),
        timeout=20,
        what="a render to start",
    )
    doomed.kill()  # SIGKILL in the middle of the render: nothing acknowledged, nothing cleaned up
    running.refresh_from_db()
    assert running.status == S.RUNNING and running.attempts == 1

    start_worker()
    rows = wait_for(lambda: all_done(issue), timeout=60, what="the renders to complete after the kill")

    taken_over = next(r for r in rows if r.pk == running.pk)
    assert taken_over.attempts == 2 and taken_over.claimed_by == running.claimed_by  # the same message, again
    assert Rendition.objects.filter(issue=issue).count() == 3
    files = stored_files(media)
    assert sorted(files) == sorted(media / r.file.name for r in rows)
    for rendition in rows:
        assert sha256_of(media / rendition.file.name) == rendition.sha256


def test_a_tick_after_downtime_publishes_what_was_missed(
    start_worker, make_issue, writer, reviewer, monkeypatch
):
    # Approved before the downtime; their renders are beside the point here.
    monkeypatch.setattr(renditions, "enqueue_renders", lambda ids, **kw: None)
    today = timezone.localdate()
    missed = [approve(make_issue(date=today - dt.timedelta(days=n)), writer, reviewer) for n in (2, 1)]
    tomorrow = approve(make_issue(date=today + dt.timedelta(days=1)), writer, reviewer)
    assert all(issue.publish_at < timezone.now() for issue in missed)

    start_worker()  # back up after the downtime; beat sends its next tick
    tasks.publication_tick.delay()

    def published():
        states = set(Issue.objects.filter(pk__in=[i.pk for i in missed]).values_list("state", flat=True))
        return states == {IssueState.PUBLISHED}

    wait_for(published, timeout=20, what="the missed issues to be published")
    for issue in missed:
        assert IssueEvent.objects.filter(issue=issue, transition="publish", actor=None).count() == 1
    assert Issue.objects.get(pk=tomorrow.pk).state == IssueState.APPROVED
