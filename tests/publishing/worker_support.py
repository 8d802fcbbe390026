"""Real Celery workers for the worker tests: `celery -A xinzhi worker` subprocesses against the test database, on a
queue of the test's own, so that nothing else on the Redis server is consumed. Test modules take the fixtures by
assignment (`start_worker = worker_support.start_worker`)."""

from __future__ import annotations

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

from xinzhi.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


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
