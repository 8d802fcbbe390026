"""Celery tasks: thin wrappers that take ids, call one service and own the retry policy.

Every task is safe to run twice: messages are acknowledged late and redelivered when a worker dies, and the
beat may tick twice at once.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from publishing import renditions, scheduling
from publishing.wechat import push as wechat
from publishing.wechat.client import WeChatError

logger = logging.getLogger(__name__)


class RenditionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Reached when retries are exhausted (or an error escaped the service): the newsroom shows the error.
        rendition_id = kwargs.get("rendition_id", args[0] if args else None)
        if rendition_id is not None:
            renditions.rendition_fail(rendition_id=rendition_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    bind=True,
    base=RenditionTask,
    name="publishing.render_rendition",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=renditions.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def render_rendition(self, rendition_id: int) -> str | None:
    rendition = renditions.rendition_render(rendition_id=rendition_id, token=self.request.id or "")
    return rendition.status if rendition is not None else None


@shared_task(name="publishing.publication_tick", acks_late=True, ignore_result=True)
def publication_tick() -> dict:
    # `now` is taken when the task runs, not when beat sent it: a late tick publishes everything due by then.
    return scheduling.publication_tick(now=timezone.now())


@shared_task(name="publishing.create_next_draft", acks_late=True, ignore_result=True)
def create_next_draft() -> list[int]:
    return [issue.pk for issue in scheduling.create_next_draft(now=timezone.now())]


EAGER_PUSH_RETRIES = 2


class WeChatPushTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted on a transient error (or an unexpected one): the newsroom shows why the push stopped.
        push_id = kwargs.get("push_id", args[0] if args else None)
        if push_id is not None:
            wechat.wechat_push_fail(push_id=push_id, error=exc)


@shared_task(
    bind=True,
    base=WeChatPushTask,
    name="publishing.push_wechat",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def push_wechat(self, push_id: int) -> str | None:
    try:
        push = wechat.wechat_push_run(push_id=push_id)
    except (WeChatError, wechat.PushBusy) as error:
        # Only transient errors get here (network, errcode -1, another push of the article holding its lock):
        # the service ends the push itself on permanent ones.
        if self.request.is_eager:
            # Eager tasks (the embedded default) have no broker to hold a retry, and Celery re-raises it: try again
            # here, at once, a few times.
            if self.request.retries >= EAGER_PUSH_RETRIES:
                raise
            return self.apply(args=(push_id,), retries=self.request.retries + 1).result
        # 2, 4, 8 … seconds, at most ten minutes.
        raise self.retry(exc=error, countdown=min(600, 2 ** (self.request.retries + 1))) from None
    return push.result if push is not None else None


def enqueue_wechat_push(push_id: int) -> None:
    """Send the push task. With eager tasks (the embedded default) it runs here, and Celery raises its last error
    instead of calling on_failure: the push row records it here, and the caller reads the row."""
    try:
        push_wechat.delay(push_id)
    except (WeChatError, wechat.PushBusy) as error:
        wechat.wechat_push_fail(push_id=push_id, error=error)
        logger.warning("WeChat push %s gave up: %s", push_id, error)
    except Exception as error:
        wechat.wechat_push_fail(push_id=push_id, error=error)
        logger.exception("WeChat push %s failed.", push_id)


@shared_task(name="publishing.poll_wechat_publications", acks_late=True, ignore_result=True)
def poll_wechat_publications() -> dict:
    return wechat.wechat_poll(now=timezone.now())


@worker_process_init.connect
def warm_up_renderer(**kwargs) -> None:
    """Cut and load the PDF fonts as each worker process starts, so the first render of the day is not the slow one."""
    from publishing.render.pdf import warm_up

    warm_up()
