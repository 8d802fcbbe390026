"""The Celery tasks: thin, JSON-only, acknowledged late, idempotent, retried with backoff."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from editorial.models import IssueState
from publishing import renditions, tasks
from publishing.models import Rendition, RenditionStatus
from tests.publishing import renditions_support
from tests.publishing.renditions_support import sha256_of, stored_files
from xinzhi.celery import app as celery_app

# The shared fixtures of the rendition tests.
media = renditions_support.media
fake_renderers = renditions_support.fake_renderers

S = RenditionStatus


@pytest.fixture
def queued(make_issue, media):
    """A queued PDF rendition of a fresh issue, as the approve receiver leaves it."""
    issue = make_issue()
    return Rendition.objects.create(
        issue=issue, kind="pdf", content_hash=renditions.issue_content_hash(issue)
    )


def test_the_app_speaks_json_only_and_acknowledges_late():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1


def test_the_render_task_is_configured_for_redelivery_and_backoff():
    task = tasks.render_rendition
    assert task.acks_late and task.reject_on_worker_lost
    assert OSError in task.autoretry_for and task.max_retries == 5
    assert task.retry_backoff and task.retry_backoff_max == 600 and task.retry_jitter
    assert task.time_limit > task.soft_time_limit > 0


def test_beat_ticks_publication_every_minute_and_next_draft_hourly():
    schedule = celery_app.conf.beat_schedule
    tick = schedule["publication-tick"]
    assert tick["task"] == tasks.publication_tick.name
    assert tick["schedule"].minute == set(range(60)) and tick["options"]["expires"] < 60
    draft = schedule["next-draft"]
    assert draft["task"] == tasks.create_next_draft.name
    assert draft["schedule"].minute == {1} and draft["schedule"].hour == set(range(24))


def test_running_the_task_twice_renders_once_and_stores_one_file(queued, media, fake_renderers, eager):
    tasks.render_rendition.delay(queued.pk)
    tasks.render_rendition.delay(queued.pk)
    queued.refresh_from_db()
    assert queued.status == S.DONE and queued.attempts == 1
    assert fake_renderers.count() == 1
    files = stored_files(media)
    assert files == [media / queued.file.name]
    assert sha256_of(files[0]) == queued.sha256


def test_a_redelivered_task_finishes_the_same_rendition_over_its_leftover(queued, media, fake_renderers):
    # The first delivery claimed the row and wrote part of a file before its worker was killed.
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=1, started_at=timezone.now()
    )
    leftover = media / "renditions" / "2026-07-01" / renditions.rendition_filename(queued)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-trunc")

    result = renditions.rendition_render(rendition_id=queued.pk, token="task-1")

    assert result.status == S.DONE and result.attempts == 2 and result.claimed_by == "task-1"
    assert stored_files(media) == [leftover]
    assert leftover.read_bytes().startswith(b"%PDF-fake") and sha256_of(leftover) == result.sha256


@contextmanager
def another_worker_rendering(rendition: Rendition):
    """On PostgreSQL a live render holds the rendition's advisory lock from its own database session."""
    if connection.vendor != "postgresql":
        yield
        return
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [renditions.RENDER_LOCK_NAMESPACE, rendition.pk]
            )
        yield
    finally:
        other.close()


def test_a_second_message_leaves_a_rendition_that_another_worker_is_rendering(queued, fake_renderers):
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=1, started_at=timezone.now()
    )
    with another_worker_rendering(queued):
        assert renditions.rendition_render(rendition_id=queued.pk, token="task-2") is None
    queued.refresh_from_db()
    assert queued.status == S.RUNNING and queued.claimed_by == "task-1" and fake_renderers.count() == 0


@pytest.mark.postgres
def test_a_message_redelivered_while_its_render_is_alive_is_dropped(queued, fake_renderers):
    # A visibility timeout shorter than a render redelivers the message to a second worker: the render lock,
    # not the row, says that the first worker is still at it.
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=1, started_at=timezone.now()
    )
    with another_worker_rendering(queued):
        assert renditions.rendition_render(rendition_id=queued.pk, token="task-1") is None
    queued.refresh_from_db()
    assert queued.attempts == 1 and fake_renderers.count() == 0


@pytest.mark.postgres
def test_a_running_rendition_whose_render_lock_is_free_is_taken_over_at_once(queued, media, fake_renderers):
    # Its worker's database session ended (the worker died), whatever message comes next may finish it.
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=1, started_at=timezone.now()
    )
    result = renditions.rendition_render(rendition_id=queued.pk, token="task-2")
    assert result.status == S.DONE and result.claimed_by == "task-2" and result.attempts == 2


def test_a_rendition_whose_worker_vanished_is_taken_over_after_the_lease(queued, media, fake_renderers):
    started = timezone.now() - renditions.LEASE - dt.timedelta(minutes=1)
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=1, started_at=started
    )
    result = renditions.rendition_render(rendition_id=queued.pk, token="task-2")
    assert result.status == S.DONE and result.claimed_by == "task-2" and result.attempts == 2
    assert len(stored_files(media)) == 1


def test_a_message_that_keeps_killing_its_worker_stops_being_retried(queued, fake_renderers):
    Rendition.objects.filter(pk=queued.pk).update(
        status=S.RUNNING, claimed_by="task-1", attempts=renditions.MAX_ATTEMPTS, started_at=timezone.now()
    )
    assert renditions.rendition_render(rendition_id=queued.pk, token="task-1") is None
    queued.refresh_from_db()
    assert queued.status == S.FAILED and str(renditions.MAX_ATTEMPTS) in queued.error
    assert fake_renderers.count() == 0


def test_a_task_for_a_deleted_rendition_does_nothing(queued, fake_renderers, eager):
    pk = queued.pk
    queued.delete()
    tasks.render_rendition.delay(pk)
    assert fake_renderers.count() == 0 and not Rendition.objects.filter(pk=pk).exists()


@pytest.fixture
def worker_like():
    """`apply()` then runs the retries in-process the way a worker runs them from the queue (with eager errors
    propagated, the first retry would surface as an exception instead)."""
    saved = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = saved


def test_a_transient_error_is_retried_until_the_render_succeeds(queued, media, fake_renderers, worker_like):
    fake_renderers.fail_next["pdf"] = [OSError("磁盘暂时不可用"), TimeoutError("存储超时")]
    tasks.render_rendition.apply(args=[queued.pk])
    queued.refresh_from_db()
    assert queued.status == S.DONE and queued.attempts == 3 and queued.error == ""
    assert fake_renderers.count() == 3 and len(stored_files(media)) == 1


def test_a_transient_error_that_persists_fails_the_rendition_after_the_last_retry(
    queued, media, fake_renderers, worker_like
):
    fake_renderers.fail_always["pdf"] = OSError("存储不可用")
    result = tasks.render_rendition.apply(args=[queued.pk])
    assert result.failed() and isinstance(result.result, OSError)
    queued.refresh_from_db()
    assert queued.status == S.FAILED
    assert queued.attempts == tasks.render_rendition.max_retries + 1
    assert queued.error == "OSError: 存储不可用" and not queued.file
    assert stored_files(media) == []


def test_the_publication_tick_task_publishes_what_is_due(make_issue, admin_user, monkeypatch, eager):
    monkeypatch.setattr(renditions, "enqueue_renders", lambda ids, **kw: None)
    issue = make_issue(date=timezone.localdate() - dt.timedelta(days=1))
    issue.state = IssueState.APPROVED
    issue.publish_at = timezone.now() - dt.timedelta(hours=1)
    issue.save()
    tasks.publication_tick.delay()
    issue.refresh_from_db()
    assert issue.state == IssueState.PUBLISHED
    assert issue.events.filter(transition="publish", actor=None).count() == 1


def test_the_next_draft_task_creates_tomorrows_issue(series, settings, eager):
    settings.NEXT_DRAFT_HOUR = 0
    tasks.create_next_draft.delay()
    tomorrow = timezone.now().astimezone(series.zone).date() + dt.timedelta(days=1)
    assert list(series.issues.values_list("date", "state")) == [(tomorrow, IssueState.DRAFT)]


def test_a_starting_worker_process_warms_the_pdf_renderer_up(monkeypatch):
    from celery.signals import worker_process_init

    from publishing.render import pdf

    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("warm"))

    worker_process_init.send(sender=None)

    assert calls == ["warm"]
