"""With real Celery workers on Redis: a push whose worker is killed after WeChat made the draft is finished by
another worker, and the account ends up with exactly one draft of the issue."""

from __future__ import annotations

import pytest

from publishing import tasks
from publishing.models import WeChatArticle, WeChatPush, WeChatPushResult
from publishing.wechat.push import wechat_push_request
from tests.publishing import worker_support
from tests.publishing.renditions_support import submit_and_approve
from tests.publishing.worker_support import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

queue = worker_support.queue
media = worker_support.media
start_worker = worker_support.start_worker


def test_a_push_whose_worker_is_killed_after_wechat_made_the_draft_leaves_exactly_one_draft(
    wechat_api, start_worker, sample_issue, writer, reviewer, admin_user
):
    wechat_env = {
        "WECHAT_API_BASE_URL": wechat_api.base_url,
        "WECHAT_APP_ID": wechat_api.app_id,
        "WECHAT_APP_SECRET": wechat_api.app_secret,
    }
    issue = submit_and_approve(sample_issue, writer=writer, reviewer=reviewer)
    doomed = start_worker(**wechat_env)
    wechat_api.stall_next("draft/add", 120)  # WeChat makes the draft; its answer never comes

    push = wechat_push_request(issue=issue, user=admin_user)
    tasks.push_wechat.delay(push.pk)
    wait_for(lambda: len(wechat_api.drafts) == 1, timeout=60, what="WeChat to make the draft")
    doomed.kill()  # SIGKILL while the worker waits for the answer: nothing acknowledged, the lock left behind
    assert WeChatArticle.objects.get(issue=issue).pending == "draft_add"

    survivor = start_worker(**wechat_env)
    wait_for(
        lambda: WeChatPush.objects.get(pk=push.pk).result in (WeChatPushResult.DONE, WeChatPushResult.FAILED),
        timeout=90,
        what="the redelivered push to finish",
    )

    push.refresh_from_db()
    assert push.result == WeChatPushResult.DONE, (push.message, survivor.output())
    assert push.attempts == 2
    assert wechat_api.count("draft/add") == 1 and wechat_api.count("draft/update") == 1
    assert list(wechat_api.drafts) == [push.draft_media_id]
    assert WeChatArticle.objects.get(issue=issue).pending == ""
