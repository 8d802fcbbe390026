"""Celery tasks of the newsroom: thin wrappers that take ids, call one service and own the retry policy."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.utils import translation

from editorial import images, notifications
from xinzhi.login_protection import prune_login_records


@shared_task(
    name="editorial.send_transition_emails",
    acks_late=True,
    # A mail server that is down or refusing for a while: try again over about an hour. A retry after a partial
    # failure may send someone the same email twice, which beats not telling them at all.
    autoretry_for=(OSError, SMTPException),
    retry_backoff=30,
    retry_backoff_max=1200,
    retry_jitter=True,
    max_retries=6,
    ignore_result=True,
)
def send_transition_emails(
    issue_id: int, transition: str, actor_id: int | None = None, event_id: int | None = None
) -> int:
    return notifications.send_transition_emails(
        issue_id=issue_id, transition=transition, actor_id=actor_id, event_id=event_id
    )


@shared_task(
    name="editorial.import_outside_image",
    acks_late=True,
    # No retries: a writer is waiting for the answer in the editor (editorial.views.uploads.image_import), and an
    # address that failed now is reported at once; pasting it again tries again. The limits stop a stuck fetch
    # (the fetch has its own 15 s budget).
    soft_time_limit=40,
    time_limit=60,
)
def import_outside_image(url: str, language: str | None = None) -> dict:
    """{"url": stored URL} or {"error": "无法导入图片 <url>：<reason>"} in `language` (the writer's)."""
    with translation.override(language):
        try:
            return {"url": images.import_image(url=url)}
        except images.ImageImportFailed as failed:
            return {"error": str(failed)}


@shared_task(name="editorial.prune_login_records", acks_late=True, ignore_result=True)
def prune_old_login_records() -> int:
    return prune_login_records(keep_days=settings.LOGIN_RECORDS_KEEP_DAYS)
