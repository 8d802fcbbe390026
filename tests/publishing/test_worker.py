"""With real Celery workers on Redis: renders finish, survive a killed worker, and a late tick catches up.

Each test starts `celery -A xinzhi worker` subprocesses against the test database (transactional tests, so the
worker sees what the test commits) on a queue of its own, so that nothing else on the Redis server is consumed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from editorial import workflow
from editorial.models import Issue, IssueEvent, IssueState
from publishing import renditions, tasks
from publishing.models import Rendition, RenditionStatus
from tests.publishing.renditions_support import sha256_of, stored_files
from xinzhi.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
S = RenditionStatus


def wait_for(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Worker:
    """A `celery worker` subprocess in its own process group, so SIGKILL takes its pool children with it."""

    def __init__(self, *, name: str, queue: str, env: dict[str, str], log: Path, concurrency: int = 1):
        self.log = log
        self.handle = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "xinzhi",
                "worker",
                "--queues",
                queue,
                "--hostname",
                f"{name}@%h",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            return " ready." in self.output()

        wait_for(ready, timeout=timeout, what="the worker to be ready")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.handle.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self.handle.close()


@pytest.fixture
def queue():
    """Tasks sent by this test go to a queue only its workers listen on."""
    assert settings.REDIS_URL, (
        "the worker tests need REDIS_URL (a Redis server) and DATABASE_URL (PostgreSQL)"
    )
    assert not celery_app.conf.task_always_eager
    name = f"xinzhi-test-{uuid.uuid4().hex[:10]}"
    conf = celery_app.conf
    saved = conf.task_default_queue
    conf.task_default_queue = name
    yield name
    conf.task_default_queue = saved
    client = redis.Redis.from_url(settings.REDIS_URL)
    leftovers = client.keys(f"{name}*")
    if leftovers:
        client.delete(*leftovers)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def start_worker(queue, media, tmp_path):
    assert connection.vendor == "postgresql", "the worker tests need DATABASE_URL to point at PostgreSQL"
    # The worker must see the test database, not the development one.
    database_url = urlparse(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url.geturl(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
        "DJANGO_DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        # Redeliver the message of a killed worker after 2 s instead of an hour.
        "CELERY_VISIBILITY_TIMEOUT": "2",
    }
    base_env.pop("XINZHI_TEST_RENDER_DELAY", None)
    workers: list[Worker] = []

    def start(*, concurrency: int = 1, **extra_env: str) -> Worker:
        name = f"{queue}-{len(workers) + 1}"
        worker = Worker(
            name=name,
            queue=queue,
            env={**base_env, **extra_env},
            log=tmp_path / f"{name}.log",
            concurrency=concurrency,
        )
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


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
