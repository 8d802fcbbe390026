"""Push one issue to the WeChat official account's draft box: `push_wechat 2026-06-28 [--series SLUG] [--publish]`.

The push runs as the same Celery task as the newsroom's button (publishing.tasks.push_wechat): inline on the
embedded default, on a worker otherwise, in which case the command waits for it to finish (or reports it queued).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial.errors import EditorialError
from publishing import tasks
from publishing.management.arguments import issue_date, issue_of
from publishing.models import WeChatPush, WeChatPushResult
from publishing.wechat.push import wechat_push_request

FINISHED = (WeChatPushResult.DONE, WeChatPushResult.FAILED)


class Command(BaseCommand):
    help = _("把一期推送到微信公众号草稿箱，可选择同时发布。")

    def add_arguments(self, parser):
        parser.add_argument("date", help=_("期刊日期，格式 YYYY-MM-DD"))
        parser.add_argument("--series", help=_("刊物标识（系统中有多个刊物时必填）"))
        parser.add_argument("--publish", action="store_true", help=_("推送后发布（freepublish）"))
        parser.add_argument(
            "--wait", type=int, default=300, help=_("有任务队列时最多等待推送完成的秒数（默认 300）")
        )

    def handle(self, *args, date, series, publish, wait, **options):
        issue = issue_of(date=issue_date(date), slug=series)
        try:
            push = wechat_push_request(issue=issue, publish=publish)
        except EditorialError as error:
            raise CommandError(error.message) from None
        tasks.enqueue_wechat_push(push.pk)
        push = self._finished(push, wait=0 if settings.CELERY_TASK_ALWAYS_EAGER else wait)
        if push.result == WeChatPushResult.FAILED:
            raise CommandError(_("推送失败：%(message)s") % {"message": push.message})
        if push.result != WeChatPushResult.DONE:
            self.stdout.write(_("推送已排队（记录 %(id)s），由任务队列完成。") % {"id": push.pk})
            return
        if not push.draft_media_id:  # nothing was pushed (this version was published already)
            self.stdout.write(push.message)
            return
        self.stdout.write(
            _("%(message)s 草稿 media_id：%(media_id)s，新上传图片 %(images)s 张。")
            % {"message": push.message, "media_id": push.draft_media_id, "images": push.images_uploaded}
        )

    def _finished(self, push: WeChatPush, *, wait: int) -> WeChatPush:
        deadline = time.monotonic() + wait
        push.refresh_from_db()
        while push.result not in FINISHED and time.monotonic() < deadline:
            time.sleep(1)
            push.refresh_from_db()
        return push
