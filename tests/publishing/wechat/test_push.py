"""The push of an issue to the official account, end to end against the local fake of the WeChat API: the real
client, the push service, the Celery task (eager), the command and the newsroom's buttons."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from editorial import workflow
from editorial.models import Section
from publishing import tasks
from publishing.models import (
    WeChatArticle,
    WeChatPublishStatus,
    WeChatPush,
    WeChatPushResult,
    WeChatUpload,
    WeChatUploadKind,
)
from publishing.renditions import issue_content_hash
from publishing.wechat import push as wechat
from tests.publishing.footer_support import add_account_qr
from tests.publishing.renditions_support import submit_and_approve

IMG = re.compile(r'<img\b[^>]*\ssrc="([^"]*)"')


def png(width=320, height=200, color=(200, 30, 40), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = settings.MEDIA_ROOT / "newsroom" / "2026" / "06"
    folder.mkdir(parents=True)
    (folder / "chart.png").write_bytes(png())
    (folder / "photo.webp").write_bytes(png(640, 480, (20, 90, 160), "WEBP"))
    return folder


@pytest.fixture
def approved(sample_issue, uploads, writer, reviewer):
    """The sample, with two images of the newsroom's uploads in its first section and the account's own QR
    picture uploaded for its footer (issue 12), approved."""
    add_account_qr(sample_issue.series)
    first = sample_issue.sections.order_by("position").first()
    Section.objects.filter(pk=first.pk).update(
        body=first.body
        + '<figure class="image"><img src="/media/newsroom/2026/06/chart.png" alt="图表"></figure>'
        + '<figure class="image"><img src="/media/newsroom/2026/06/photo.webp" alt="照片"></figure>'
    )
    return submit_and_approve(sample_issue, writer=writer, reviewer=reviewer)


def run_push(issue, user=None, *, publish=False) -> WeChatPush:
    push = wechat.wechat_push_request(issue=issue, user=user, publish=publish)
    tasks.enqueue_wechat_push(push.pk)
    push.refresh_from_db()
    return push


def only_draft(fake) -> dict:
    assert len(fake.drafts) == 1, list(fake.drafts)
    (draft,) = fake.drafts.values()
    assert len(draft["news_item"]) == 1
    return draft["news_item"][0]


pytestmark = pytest.mark.usefixtures("eager")


def test_a_first_push_makes_one_draft_that_needs_no_manual_fix(wechat_api, approved, admin_user, settings):
    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.DONE, push.message
    item = only_draft(wechat_api)
    assert wechat_api.rejected == []
    # Every image and QR code was uploaded and points at WeChat's copy; nothing points at our site.
    sources = IMG.findall(item["content"])
    assert len(sources) == 4  # two images and the two QR codes of the sample's footer
    assert all(src in wechat_api.images for src in sources)
    assert settings.SITE_URL not in "".join(sources)
    assert "<svg" not in item["content"] and "data:" not in item["content"]
    # Cover, title, author, digest, original link.
    assert item["thumb_media_id"] in wechat_api.materials
    assert 0 < len(item["title"]) <= 32 and 0 < len(item["author"]) <= 16
    assert 0 < len(item["digest"]) <= 128 and item["digest"][-1] in "。！？；…"
    assert item["content_source_url"] == f"{settings.SITE_URL}/issues/2026-06-28/"
    # The record: who, what, which draft.
    article = WeChatArticle.objects.get(issue=approved)
    assert push.requested_by == admin_user and push.action == "draft"
    assert push.content_hash == issue_content_hash(approved) == article.content_hash
    assert push.draft_media_id == article.draft_media_id == next(iter(wechat_api.drafts))
    # The footer's two codes: the account's uploaded picture, read back from storage, and the website's code.
    assert push.images_uploaded == len(set(sources)) == 4
    assert push.attempts == 1 and push.finished_at is not None and article.pending == ""
    assert WeChatUpload.objects.filter(kind=WeChatUploadKind.IMAGE).count() == 4
    assert WeChatUpload.objects.filter(kind=WeChatUploadKind.COVER).count() == 1


def test_a_repush_updates_the_same_draft_and_uploads_nothing_again(wechat_api, approved, admin_user):
    first = run_push(approved, admin_user)
    uploads_before = wechat_api.count("media/uploadimg"), wechat_api.count("material/add_material")

    second = run_push(approved, admin_user)

    assert second.result == WeChatPushResult.DONE, second.message
    assert wechat_api.count("draft/add") == 1 and wechat_api.count("draft/update") == 1
    assert (wechat_api.count("media/uploadimg"), wechat_api.count("material/add_material")) == uploads_before
    assert second.draft_media_id == first.draft_media_id and second.images_uploaded == 0
    only_draft(wechat_api)


def test_a_correction_after_publication_replaces_the_draft_content(
    wechat_api, approved, admin_user, settings
):
    run_push(approved, admin_user)
    issue = workflow.issue_publish(issue=approved, user=admin_user)
    workflow.issue_correct(issue=issue, user=admin_user, note="第二条的数据来源更正为国家能源局。")

    push = run_push(issue, admin_user)

    item = only_draft(wechat_api)
    assert "第二条的数据来源更正为国家能源局。" in item["content"]
    assert (
        push.content_hash
        == issue_content_hash(issue)
        != WeChatPush.objects.earliest("created_at").content_hash
    )
    assert wechat_api.count("draft/add") == 1 and wechat_api.count("draft/update") == 1


def test_a_token_that_expires_mid_push_is_renewed_once_and_the_push_goes_on(wechat_api, approved, admin_user):
    run_push(approved, admin_user)
    wechat_api.expire_tokens()  # WeChat has expired the token the cache still holds

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.DONE, push.message
    assert wechat_api.count("stable_token") == 2
    only_draft(wechat_api)


@pytest.mark.parametrize(
    ("endpoint", "errcode", "says"),
    [
        ("stable_token", 40164, "IP"),
        ("draft/add", 48001, "权限"),
        ("draft/add", 45009, "上限"),
        ("media/uploadimg", 40113, "JPG"),
    ],
)
def test_a_permanent_error_ends_the_push_at_once_with_what_to_do(
    wechat_api, approved, admin_user, endpoint, errcode, says
):
    wechat_api.fail_next(endpoint, errcode, times=10)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.FAILED and push.errcode == errcode
    assert says in push.message and push.attempts == 1
    assert wechat_api.count(endpoint) == 1  # not tried again
    assert wechat_api.drafts == {}


def test_a_busy_wechat_is_tried_again_and_still_makes_exactly_one_draft(wechat_api, approved, admin_user):
    wechat_api.fail_next("draft/add", -1)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.DONE, push.message
    assert push.attempts == 2
    assert wechat_api.count("draft/add") == 2
    only_draft(wechat_api)


def test_a_push_whose_worker_died_after_wechat_made_the_draft_is_finished_without_a_second_draft(
    wechat_api, approved, admin_user
):
    """draft/add was carried out, but its answer never came back (the worker died, or the connection did): the
    message is delivered again and the push finds the draft it made instead of making another."""
    push = wechat.wechat_push_request(issue=approved, user=admin_user)
    wechat_api.drop_next("draft/add", after_effect=True)
    with pytest.raises(wechat.WeChatError) as lost:
        wechat.wechat_push_run(push_id=push.pk)
    assert lost.value.transient
    assert WeChatArticle.objects.get(issue=approved).pending == "draft_add"
    assert len(wechat_api.drafts) == 1

    wechat.wechat_push_run(push_id=push.pk)  # the redelivered message

    push.refresh_from_db()
    assert push.result == WeChatPushResult.DONE and push.attempts == 2
    assert wechat_api.count("draft/add") == 1 and wechat_api.count("draft/batchget") == 1
    assert push.draft_media_id == next(iter(wechat_api.drafts))
    only_draft(wechat_api)


def test_a_draft_deleted_in_the_accounts_editor_is_made_again(wechat_api, approved, admin_user):
    run_push(approved, admin_user)
    wechat_api.drafts.clear()

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.DONE, push.message
    assert wechat_api.count("draft/add") == 2
    assert WeChatArticle.objects.get(issue=approved).draft_media_id == next(iter(wechat_api.drafts))


def test_publishing_submits_the_draft_and_the_poll_keeps_the_article_url(
    wechat_api, approved, admin_user, client
):
    issue = workflow.issue_publish(issue=approved, user=admin_user)
    wechat_api.publish_polls = 1

    push = run_push(issue, admin_user, publish=True)

    assert push.result == WeChatPushResult.DONE and push.action == "publish", push.message
    article = WeChatArticle.objects.get(issue=issue)
    assert article.publish_status == WeChatPublishStatus.PUBLISHING and article.publish_id
    assert tasks.poll_wechat_publications() == {article.pk: WeChatPublishStatus.PUBLISHING}
    assert tasks.poll_wechat_publications() == {article.pk: WeChatPublishStatus.PUBLISHED}
    article.refresh_from_db()
    assert article.article_url.startswith("https://mp.weixin.qq.com/s/")
    assert article.published_at is not None
    # The public issue page links the article.
    page = client.get("/issues/2026-06-28/")
    assert page.status_code == 200
    assert f'href="{article.article_url}"' in page.content.decode()
    # Asking again changes nothing: the poll looks at publications under way only.
    assert tasks.poll_wechat_publications() == {}
    # The published draft left the draft box; publishing the same version again sends nothing to followers.
    assert article.draft_media_id == "" and wechat_api.drafts == {}
    again = run_push(issue, admin_user, publish=True)
    assert again.result == WeChatPushResult.DONE and "未重复发布" in again.message
    assert wechat_api.count("freepublish/submit") == 1 and wechat_api.drafts == {}


def test_a_publish_whose_answer_was_lost_is_not_submitted_twice(wechat_api, approved, admin_user):
    push = wechat.wechat_push_request(issue=approved, user=admin_user, publish=True)
    wechat_api.drop_next("freepublish/submit", after_effect=True)
    with pytest.raises(wechat.WeChatError):
        wechat.wechat_push_run(push_id=push.pk)
    assert WeChatArticle.objects.get(issue=approved).pending == "submit"

    wechat.wechat_push_run(push_id=push.pk)  # the redelivered message

    push.refresh_from_db()
    article = WeChatArticle.objects.get(issue=approved)
    assert push.result == WeChatPushResult.DONE, push.message
    assert wechat_api.count("freepublish/submit") == 1 and len(wechat_api.published) == 1
    assert wechat_api.drafts == {}  # no stray draft made on the way
    assert article.publish_status == WeChatPublishStatus.PUBLISHED
    assert article.article_url == wechat_api.published[0]["content"]["news_item"][0]["url"]


def test_a_publication_that_wechat_refuses_is_shown_with_its_reason(wechat_api, approved, admin_user):
    wechat_api.fail_publish(4)
    wechat_api.publish_polls = 0
    run_push(approved, admin_user, publish=True)

    wechat.wechat_poll(now=timezone.now())

    article = WeChatArticle.objects.get(issue=approved)
    assert article.publish_status == WeChatPublishStatus.FAILED
    assert "审核" in article.publish_error and article.article_url == ""


def test_an_issue_too_long_for_wechat_is_refused_before_anything_is_sent(wechat_api, approved, admin_user):
    long_body = "<p>" + "新质生产力" * 5000 + "</p>"
    Section.objects.filter(issue=approved).update(body=long_body)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.FAILED
    assert "20,000" in push.message or "20000" in push.message
    assert wechat_api.count("draft/add") == 0 and wechat_api.count("media/uploadimg") == 0


def test_an_issue_reopened_before_the_push_ran_is_not_pushed(wechat_api, approved, admin_user):
    push = wechat.wechat_push_request(issue=approved, user=admin_user)
    workflow.issue_reopen(issue=approved, user=admin_user, reason="补一条")

    wechat.wechat_push_run(push_id=push.pk)

    push.refresh_from_db()
    assert push.result == WeChatPushResult.FAILED and "草稿" in push.message
    assert wechat_api.calls == []


def test_two_pushes_of_one_issue_never_run_at_once(wechat_api, approved, admin_user):
    first = wechat.wechat_push_request(issue=approved, user=admin_user)
    second = wechat.wechat_push_request(issue=approved, user=admin_user)
    article = first.article
    cache.set(f"wechat:push-lock:{article.pk}", f"{first.pk}:running", timeout=60)

    with pytest.raises(wechat.PushBusy):
        wechat.wechat_push_run(push_id=second.pk)
    # The same push delivered again means its worker died: it takes its own lock over.
    wechat.wechat_push_run(push_id=first.pk)

    first.refresh_from_db()
    assert first.result == WeChatPushResult.DONE
    assert WeChatPush.objects.get(pk=second.pk).result == WeChatPushResult.QUEUED


# --- Configuration, permissions, the command and the newsroom ----------------------------------------------


def test_without_credentials_the_command_says_what_to_set_and_nothing_is_recorded(approved, settings):
    settings.WECHAT_APP_ID = ""
    settings.WECHAT_APP_SECRET = ""

    with pytest.raises(CommandError) as refused:
        call_command("push_wechat", "2026-06-28")

    assert "WECHAT_APP_ID" in str(refused.value) and "WECHAT_APP_SECRET" in str(refused.value)
    assert not WeChatPush.objects.exists() and not WeChatArticle.objects.exists()


def test_the_series_appid_is_used_before_the_environment_one(wechat_api, approved, settings):
    series = approved.series
    series.wechat_app_id = wechat_api.app_id
    series.save()
    settings.WECHAT_APP_ID = "wx0000000000000000"

    push = run_push(approved)

    assert push.result == WeChatPushResult.DONE, push.message
    assert push.article.app_id == wechat_api.app_id


def test_the_command_pushes_and_prints_the_draft(wechat_api, approved, capsys, admin_user, client):
    call_command("push_wechat", "2026-06-28", "--series", approved.series.slug)

    out = capsys.readouterr().out
    push = WeChatPush.objects.get()
    assert push.result == WeChatPushResult.DONE and push.requested_by is None
    assert push.draft_media_id in out
    only_draft(wechat_api)
    # The newsroom lists the command's push as the command line's.
    client.force_login(admin_user)
    page = client.get(reverse("newsroom:review", args=[approved.pk]))
    assert page.status_code == 200 and "命令行" in page.content.decode()


def test_the_command_fails_with_the_message_when_wechat_stays_busy(wechat_api, approved):
    wechat_api.fail_next("stable_token", -1, times=30)

    with pytest.raises(CommandError) as refused:
        call_command("push_wechat", "2026-06-28")

    push = WeChatPush.objects.get()
    assert push.result == WeChatPushResult.FAILED and push.errcode == -1 and push.finished_at
    assert "繁忙" in str(refused.value) and "繁忙" in push.message


def test_on_the_embedded_default_a_push_that_cannot_get_the_lock_ends_failed_not_queued(
    wechat_api, approved, admin_user
):
    holder = wechat.wechat_push_request(issue=approved, user=admin_user)
    cache.set(f"wechat:push-lock:{holder.article_id}", f"{holder.pk}:running", timeout=60)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.FAILED and "另一次推送正在进行" in push.message
    assert wechat_api.calls == []


def test_a_refused_republication_can_be_published_once_fixed_without_a_stray_draft(
    wechat_api, approved, admin_user
):
    issue = workflow.issue_publish(issue=approved, user=admin_user)
    wechat_api.publish_polls = 0
    run_push(issue, admin_user, publish=True)
    assert wechat.wechat_poll(now=timezone.now()) == {WeChatArticle.objects.get().pk: "published"}
    workflow.issue_correct(issue=issue, user=admin_user, note="数据更正。")
    wechat_api.fail_next("freepublish/submit", 53503)

    refused = run_push(issue, admin_user, publish=True)

    assert refused.result == WeChatPushResult.FAILED and refused.errcode == 53503
    assert WeChatArticle.objects.get(issue=issue).pending == ""
    assert len(wechat_api.drafts) == 1  # the corrected version waits in the draft box

    again = run_push(issue, admin_user, publish=True)

    assert again.result == WeChatPushResult.DONE, again.message
    assert wechat_api.count("draft/add") == 2 and wechat_api.count("freepublish/submit") == 3
    assert wechat_api.drafts == {} and len(wechat_api.published) == 2
    wechat.wechat_poll(now=timezone.now())
    article = WeChatArticle.objects.get(issue=issue)
    assert article.article_url == wechat_api.published[-1]["content"]["news_item"][0]["url"]


def test_a_lost_submit_whose_draft_wechat_already_took_is_not_submitted_again(
    wechat_api, approved, admin_user, settings
):
    first = run_push(approved, admin_user)
    WeChatArticle.objects.filter(issue=approved).update(pending="submit", submitted_at=timezone.now())
    taken = wechat_api.drafts.pop(first.draft_media_id)  # WeChat is publishing it: gone from the draft box

    push = run_push(approved, admin_user, publish=True)

    article = WeChatArticle.objects.get(issue=approved)
    assert push.result == WeChatPushResult.DONE and "进行中" in push.message
    assert wechat_api.count("freepublish/submit") == 0 and wechat_api.count("draft/add") == 1
    assert article.publish_status == WeChatPublishStatus.PUBLISHING and article.publish_id == ""
    assert wechat.wechat_poll(now=timezone.now()) == {article.pk: WeChatPublishStatus.PUBLISHING}
    url = "https://mp.weixin.qq.com/s/listed-later"
    wechat_api.published.append(
        {
            "article_id": "ART-later",
            "update_time": int(wechat_api.now()),
            "content": {"news_item": [{**taken["news_item"][0], "url": url}]},
        }
    )
    assert wechat.wechat_poll(now=timezone.now()) == {article.pk: WeChatPublishStatus.PUBLISHED}
    article.refresh_from_db()
    assert article.article_url == url and article.article_id == "ART-later"


def test_the_command_refuses_a_draft_issue(wechat_api, sample_issue):
    with pytest.raises(CommandError) as refused:
        call_command("push_wechat", "2026-06-28")
    assert "已批准或已发布" in str(refused.value)
    assert wechat_api.calls == []


def test_an_admin_pushes_from_the_review_page_and_sees_the_record(
    wechat_api, approved, admin_user, client, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    review = reverse("newsroom:review", args=[approved.pk])
    page = client.get(review).content.decode()
    assert 'data-test="wechat-push"' in page and "尚未推送" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("renditions:wechat_push", args=[approved.pk]))

    assert response.status_code == 303
    push = WeChatPush.objects.get()
    assert push.result == WeChatPushResult.DONE and push.requested_by == admin_user
    page = client.get(review).content.decode()
    assert "已在草稿箱" in page and 'data-test="wechat-push-row"' in page
    assert push.draft_media_id[:12] in page


def test_the_review_page_says_what_to_set_when_wechat_is_not_configured(
    approved, admin_user, client, settings
):
    settings.WECHAT_APP_SECRET = ""
    client.force_login(admin_user)

    page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()
    response = client.post(
        reverse("renditions:wechat_push", args=[approved.pk]), HTTP_ACCEPT="application/json"
    )

    assert 'data-test="wechat-problem"' in page and "WECHAT_APP_SECRET" in page
    assert response.status_code == 400 and "WECHAT_APP_SECRET" in response.json()["error"]
    assert not WeChatPush.objects.exists()


def test_only_admins_may_push(wechat_api, approved, reviewer, writer, client):
    for user in (reviewer, writer):
        client.force_login(user)
        page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()
        response = client.post(reverse("renditions:wechat_push", args=[approved.pk]))
        assert 'data-test="wechat"' not in page
        assert response.status_code == 403
    assert not WeChatPush.objects.exists() and wechat_api.calls == []


def test_an_uploaded_cover_is_cut_to_900_by_383_and_sent_on_the_next_push(
    wechat_api, approved, admin_user, client
):
    client.force_login(admin_user)
    upload = io.BytesIO(png(1600, 1200, (10, 120, 60), "JPEG"))
    upload.name = "cover.jpg"

    response = client.post(reverse("renditions:wechat_cover", args=[approved.pk]), {"cover": upload})

    assert response.status_code == 303
    article = WeChatArticle.objects.get(issue=approved)
    stored = article.cover.read()
    assert Image.open(io.BytesIO(stored)).size == (900, 383)
    preview = client.get(reverse("renditions:wechat_cover_image", args=[approved.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    run_push(approved, admin_user)
    cover = WeChatUpload.objects.get(kind=WeChatUploadKind.COVER)
    assert cover.sha256 == hashlib.sha256(stored).hexdigest()
    assert only_draft(wechat_api)["thumb_media_id"] == cover.media_id


def test_a_cover_that_is_not_an_image_is_refused_with_a_message(wechat_api, approved, admin_user, client):
    client.force_login(admin_user)
    upload = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    upload.name = "cover.svg"

    response = client.post(
        reverse("renditions:wechat_cover", args=[approved.pk]),
        {"cover": upload},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400 and response.json()["error"]
    assert not WeChatArticle.objects.filter(issue=approved).exclude(cover="").exists()


def test_secrets_and_tokens_appear_in_no_record_log_or_page(
    wechat_api, approved, admin_user, client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level("DEBUG")
    wechat_api.fail_next("draft/add", 40164)
    run_push(approved, admin_user)
    run_push(approved, admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()

    texts = [caplog.text, page, json.dumps(list(WeChatPush.objects.values()), default=str)]
    texts.append(json.dumps(list(WeChatArticle.objects.values()), default=str))
    for secret in [wechat_api.app_secret, *wechat_api.issued_tokens]:
        assert all(secret not in text for text in texts)


def test_a_push_still_running_on_a_worker_is_shown_as_such(wechat_api, approved, admin_user, client):
    wechat.wechat_push_request(issue=approved, user=admin_user)  # queued: no worker has taken it yet
    client.force_login(admin_user)

    page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()

    assert 'data-test="wechat-running"' in page and "推送进行中" in page
    assert "排队中" in page


def test_a_lost_submit_of_a_third_version_is_never_taken_for_an_earlier_publication(
    wechat_api, approved, admin_user
):
    issue = workflow.issue_publish(issue=approved, user=admin_user)
    wechat_api.publish_polls = 0
    for note in ("", "第一次更正。"):
        if note:
            workflow.issue_correct(issue=issue, user=admin_user, note=note)
        run_push(issue, admin_user, publish=True)
        wechat.wechat_poll(now=timezone.now())
    for earlier in wechat_api.published:  # published an hour ago
        earlier["update_time"] -= 3600
    workflow.issue_correct(issue=issue, user=admin_user, note="第二次更正。")
    push = wechat.wechat_push_request(issue=issue, user=admin_user, publish=True)
    wechat_api.drop_next("freepublish/submit", after_effect=False)
    with pytest.raises(wechat.WeChatError):
        wechat.wechat_push_run(push_id=push.pk)

    wechat.wechat_push_run(push_id=push.pk)  # the redelivered message
    wechat.wechat_poll(now=timezone.now())

    article = WeChatArticle.objects.get(issue=issue)
    assert len(wechat_api.published) == 3 and wechat_api.drafts == {}
    assert article.article_url == wechat_api.published[-1]["content"]["news_item"][0]["url"]
    assert "第二次更正。" in wechat_api.published[-1]["content"]["news_item"][0]["content"]


def test_a_push_that_succeeds_on_its_retry_logs_no_error(wechat_api, approved, admin_user, caplog):
    wechat_api.fail_next("draft/add", -1)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.DONE and push.attempts == 2
    assert push.images_uploaded == 4  # counted over both attempts
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


def test_a_correction_pushed_while_the_first_version_is_publishing_waits_with_a_clear_message(
    wechat_api, approved, admin_user
):
    issue = workflow.issue_publish(issue=approved, user=admin_user)
    wechat_api.publish_polls = 5
    run_push(issue, admin_user, publish=True)
    workflow.issue_correct(issue=issue, user=admin_user, note="数据更正。")

    push = run_push(issue, admin_user, publish=True)

    assert push.result == WeChatPushResult.DONE and "上一版本仍在发布中" in push.message
    assert wechat_api.count("freepublish/submit") == 1 and len(wechat_api.drafts) == 1


def test_a_refused_draft_leaves_no_pending_mark(wechat_api, approved, admin_user):
    wechat_api.fail_next("draft/add", 45166)

    push = run_push(approved, admin_user)

    assert push.result == WeChatPushResult.FAILED and push.errcode == 45166
    assert WeChatArticle.objects.get(issue=approved).pending == ""
