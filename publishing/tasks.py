"""Celery tasks: thin wrappers that take ids, call one service and own the retry policy.

Every task is safe to run twice: messages are acknowledged late and redelivered when a worker dies, and the
beat may tick twice at once.
"""

from __future__ import annotations

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from publishing import renditions, scheduling


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


@worker_process_init.connect
def warm_up_renderer(**kwargs) -> None:
    """Cut and load the PDF fonts as each worker process starts, so the first render of the day is not the slow one."""
    from publishing.render.pdf import warm_up

    warm_up()
