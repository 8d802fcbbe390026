"""The push of an approved issue to its official account: the one service behind the Celery task, the
`push_wechat` command and the newsroom's buttons.

A push (`WeChatPush` row, asked for with `wechat_push_request`) runs in the task as `wechat_push_run`:

1. render the WeChat HTML from the render context and lint it (publishing.render.wechat);
2. upload every image and QR code in it with cgi-bin/media/uploadimg and put WeChat's URL in its place (WeChat
   drops images from anywhere else); an image is uploaded once per account, remembered by the SHA-256 of the
   bytes sent (`WeChatUpload`);
3. upload the cover (the admin's, or one generated from the masthead and the headline) as permanent material;
4. create the issue's draft with cgi-bin/draft/add the first time, replace it with cgi-bin/draft/update later:
   one draft per issue (`WeChatArticle`);
5. when asked, publish it with cgi-bin/freepublish/submit; `wechat_poll` (a periodic task, and the newsroom's
   refresh button) asks cgi-bin/freepublish/get until WeChat says it succeeded or failed, and keeps the article URL.

A worker may die at any point and the task be delivered again: every step is safe to repeat. Uploads are
remembered; a draft/add or freepublish/submit is marked as pending (`WeChatArticle.pending`) before it is sent, and
a redelivered push first looks for what it may have created (cgi-bin/draft/batchget, freepublish/batchget) by the
article's original link (content_source_url, the issue's public page), which is unique per issue.

Two pushes of one article never run at once: each holds the article's lock in the shared cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from editorial.errors import InvalidInput, TransitionForbidden
from editorial.images import ImageRefused
from editorial.models import Issue, IssueState, Series
from publishing.cache import bump_publication_version
from publishing.models import (
    WeChatArticle,
    WeChatPublishStatus,
    WeChatPush,
    WeChatPushAction,
    WeChatPushResult,
    WeChatUpload,
    WeChatUploadKind,
)
from publishing.render.context import LANGUAGE, build_context
from publishing.render.errors import WeChatLintError
from publishing.render.fetcher import FetchRefused, SafeURLFetcher
from publishing.render.lint import lint_wechat_article
from publishing.render.wechat import render_wechat
from publishing.renditions import issue_content_hash
from publishing.selectors import issue_url
from publishing.wechat.article import article_fields
from publishing.wechat.client import WeChatAPIError, WeChatClient, WeChatError, WeChatNotConfigured
from publishing.wechat.cover import CROP_1_1, CROP_235_1, CoverUnavailable, cover_image
from publishing.wechat.images import site_qr_png, wechat_image

logger = logging.getLogger(__name__)

PUSHABLE_STATES = frozenset({IssueState.APPROVED, IssueState.PUBLISHED})
# How long one push may hold its article's lock: longer than the task's time limit, so a lock outlives its
# holder only when the worker died (and then at most this long).
LOCK_SECONDS = 600
# cgi-bin/draft/batchget returns at most 20 drafts a call; a draft made by a push that died minutes ago is among
# the newest, so a few pages are enough.
DRAFT_SEARCH_PAGES = 5
PAGE_SIZE = 20
# errcode of draft/update and freepublish/submit for a media_id WeChat no longer has (the draft was deleted in
# the account's own editor, or it was published and so left the draft box).
INVALID_MEDIA_ID = 40007
ARTICLE_HOSTS = frozenset({"mp.weixin.qq.com"})
# Seconds WeChat's clock may be behind ours when a publication's update_time is compared with our submit time.
PUBLISH_CLOCK_SKEW = 60
# cgi-bin/freepublish/get publish_status (WeChat's 发布能力 / 发布状态轮询接口).
PUBLISH_SUCCEEDED = 0
PUBLISH_RUNNING = 1


class PushRefused(Exception):
    """The push cannot go on as things are (content fails WeChat's limits, an image cannot be read, the issue was
    reopened); `str(error)` says what to do, in Chinese. Never retried."""


class PushBusy(Exception):
    """Another push of the same article is running; the task tries again later."""

    def __str__(self) -> str:
        return _("本期的另一次推送正在进行，请等它完成后再试。")


# --- Configuration ------------------------------------------------------------------------------------------


def wechat_app_id(series: Series) -> str:
    """The series' own AppID, or settings.WECHAT_APP_ID; "" when neither is set."""
    return series.wechat_app_id or settings.WECHAT_APP_ID


def configuration_problem(*, series: Series) -> str:
    """What an admin must set before the series can be pushed, in Chinese; "" when nothing is missing."""
    try:
        WeChatClient.from_settings(app_id=wechat_app_id(series))
    except WeChatNotConfigured as error:
        return error.message
    return ""


# --- Asking for a push --------------------------------------------------------------------------------------


def can_push(user) -> bool:
    return bool(user and user.is_active and user.has_perm("publishing.push_wechat"))


def wechat_push_request(*, issue: Issue, user=None, publish: bool = False) -> WeChatPush:
    """Record a push of `issue` (approved or published); the caller queues publishing.tasks.push_wechat with its id.

    `user` is the admin who asked (None from the command line). Raises TransitionForbidden (403) for a user
    without publishing.push_wechat, InvalidInput (400) for an issue in another state or a series with no AppID
    or no AppSecret configured (the message names the variable or field to set); nothing is written then.
    """
    if user is not None and not can_push(user):
        raise TransitionForbidden(_("只有管理员可以推送到微信公众号。"))
    if issue.state not in PUSHABLE_STATES:
        raise InvalidInput(
            _("只有已批准或已发布的期刊可以推送到微信公众号；本期状态：%(state)s。")
            % {"state": issue.get_state_display()}
        )
    problem = configuration_problem(series=issue.series)
    if problem:
        raise InvalidInput(problem)
    with transaction.atomic():
        article, _created = WeChatArticle.objects.get_or_create(
            issue=issue, app_id=wechat_app_id(issue.series)
        )
        return WeChatPush.objects.create(
            article=article,
            action=WeChatPushAction.PUBLISH if publish else WeChatPushAction.DRAFT,
            requested_by=user,
        )


# --- Running a push -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _article_lock(article: WeChatArticle, push: WeChatPush) -> Iterator[None]:
    """Hold the article's lock in the shared cache (Redis across nodes) for `push`, or raise PushBusy.

    A lock held by the same push means its worker died mid-push: the broker delivers a message again only when
    the worker that had it never acknowledged it (the visibility timeout is far above the task's time limit), so
    the redelivered push takes the lock over instead of waiting LOCK_SECONDS for it to expire."""
    key = f"wechat:push-lock:{article.pk}"
    token = f"{push.pk}:{uuid.uuid4().hex}"
    if not cache.add(key, token, timeout=LOCK_SECONDS):
        holder = cache.get(key) or ""
        if not holder.startswith(f"{push.pk}:"):
            raise PushBusy
        cache.set(key, token, timeout=LOCK_SECONDS)
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def _finish(push: WeChatPush, *, result: str, message: str, errcode: int | None = None) -> None:
    push.result = result
    push.message = message
    push.errcode = errcode
    push.finished_at = timezone.now()
    push.save(
        update_fields=[
            "result",
            "message",
            "errcode",
            "finished_at",
            "content_hash",
            "draft_media_id",
            "images_uploaded",
        ]
    )


def wechat_push_fail(*, push_id: int, error: BaseException) -> bool:
    """Mark an unfinished push failed because of `error` (the task gave up on it); False if it had finished.
    The message is the error's own for WeChat's errors and PushBusy, a general one for anything else (its
    details go to the log, not to the page)."""
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(error, WeChatError | PushBusy):
            message = str(error)
        else:
            message = _("推送意外出错（%(type)s）：请查看服务器日志后重试。") % {"type": type(error).__name__}
    return bool(
        WeChatPush.objects.filter(
            pk=push_id, result__in=[WeChatPushResult.QUEUED, WeChatPushResult.RUNNING]
        ).update(
            result=WeChatPushResult.FAILED,
            message=message,
            errcode=getattr(error, "errcode", None),
            finished_at=timezone.now(),
        )
    )


def wechat_push_run(*, push_id: int) -> WeChatPush | None:
    """Carry out the push `push_id` (see the module docstring); the row records how it ended.

    Returns the push, or None if the row is gone. A push that already finished is left alone (a redelivered
    message). Raises WeChatError with `transient` True (network, errcode -1, a busy token service) and PushBusy,
    for the task to retry; permanent WeChat errors and PushRefused end the push as failed, with the message.
    """
    push = WeChatPush.objects.select_related("article__issue__series").filter(pk=push_id).first()
    if push is None or push.result in (WeChatPushResult.DONE, WeChatPushResult.FAILED):
        return push
    # The record is written in the newsroom's language, whoever asked for the push and wherever it runs.
    with translation.override(settings.LANGUAGE_CODE), _article_lock(push.article, push):
        # Read under the lock: a push that held it may have changed the article since this row was loaded.
        article = WeChatArticle.objects.get(pk=push.article_id)
        WeChatPush.objects.filter(pk=push.pk).update(
            result=WeChatPushResult.RUNNING, attempts=push.attempts + 1
        )
        push.attempts += 1
        try:
            message = _push(push, article)
        except PushRefused as refused:
            _finish(push, result=WeChatPushResult.FAILED, message=str(refused))
        except WeChatError as error:
            if error.transient:
                push.message = error.message
                push.save(update_fields=["message", "images_uploaded", "content_hash"])
                raise
            _finish(push, result=WeChatPushResult.FAILED, message=error.message, errcode=error.errcode)
        else:
            _finish(push, result=WeChatPushResult.DONE, message=message)
    logger.info("WeChat push %s of issue %s: %s", push.pk, push.article.issue_id, push.result)
    return push


def _push(push: WeChatPush, article: WeChatArticle) -> str:
    issue = Issue.objects.select_related("series").get(pk=article.issue_id)
    if issue.state not in PUSHABLE_STATES:
        raise PushRefused(
            _("本期已不是已批准或已发布状态（%(state)s），未推送。") % {"state": issue.get_state_display()}
        )
    push.content_hash = issue_content_hash(issue)
    with translation.override(LANGUAGE):
        context = build_context(issue)
        try:
            html = render_wechat(issue, context=context)
        except WeChatLintError as error:
            raise PushRefused(
                _("微信版未通过检查：%(problems)s") % {"problems": "；".join(error.problems)}
            ) from None
    client = WeChatClient.from_settings(app_id=article.app_id)
    source_url = _source_url(issue)
    if article.pending == "submit":
        # A freepublish/submit went out and its answer never came back. Published, it is listed by
        # freepublish/batchget (and its draft is gone: saving the draft first would make a stray new one).
        found = _find_published(client, source_url, since=article.submitted_at or article.updated_at)
        if found is not None:
            _set(article, pending="", publish_content_hash=push.content_hash)
            _record_published(article, found)
            return _("本期已发布到公众号。")
        if article.draft_media_id and not _draft_exists(client, article.draft_media_id):
            # Not listed yet, but its draft has left the draft box: WeChat took it and is still publishing.
            # Submitting again could publish it twice; the poll looks for it by its link (no publish_id).
            _set(
                article,
                pending="",
                draft_media_id="",
                publish_id="",
                publish_status=WeChatPublishStatus.PUBLISHING,
                publish_content_hash=push.content_hash,
            )
            return _("发布已在进行中，稍后自动查询结果。")
        _set(article, pending="")
    if (
        push.action == WeChatPushAction.PUBLISH
        and article.publish_status in (WeChatPublishStatus.PUBLISHING, WeChatPublishStatus.PUBLISHED)
        and article.publish_content_hash == push.content_hash
    ):
        # Publishing again would send followers the same article twice (a published draft leaves the draft box,
        # so a new one would be made and published).
        return _("本期的这一版本已经提交发布，未重复发布。")

    images = _BodyImages(client=client, app_id=article.app_id, push=push)
    html = images.substituted(html)
    fields = article_fields(context)
    problems = lint_wechat_article(
        title=fields["title"], author=fields["author"], digest=fields["digest"], content=html
    )
    if problems:
        raise PushRefused(_("微信版未通过检查：%(problems)s") % {"problems": "；".join(problems)})
    payload = {
        **fields,
        "content": html,
        "content_source_url": source_url,
        "thumb_media_id": _cover_media_id(client, article, context),
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
        "pic_crop_235_1": CROP_235_1,
        "pic_crop_1_1": CROP_1_1,
    }
    created = _save_draft(client, article, payload, source_url)
    push.draft_media_id = article.draft_media_id
    article.content_hash = push.content_hash
    article.save(update_fields=["content_hash", "updated_at"])
    message = _("已在草稿箱新建本期草稿。") if created else _("已更新草稿箱中的本期草稿。")
    if push.action == WeChatPushAction.PUBLISH:
        message += " " + _submit(client, article, source_url, content_hash=push.content_hash)
    return message


def _source_url(issue: Issue) -> str:
    """The article's 阅读原文 link: the issue's public page, which also tells this issue's draft from others."""
    return settings.SITE_URL + issue_url(issue)


# An image in a WeChat render, as nh3 serializes it: the src attribute double-quoted, its text escaped.
_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")')


class _BodyImages:
    """The images of a WeChat render, uploaded (or found uploaded) and their addresses replaced by WeChat's; each
    new upload is counted on the push (`images_uploaded`, over all its attempts)."""

    def __init__(self, *, client: WeChatClient, app_id: str, push: WeChatPush):
        self.client = client
        self.app_id = app_id
        self.push = push
        self.urls: dict[str, str] = {}

    def substituted(self, html: str) -> str:
        return _IMG_SRC.sub(self._replace, html)

    def _replace(self, match: re.Match) -> str:
        src = unescape(match.group(2))
        if src not in self.urls:
            self.urls[src] = self._wechat_url(src)
        return match.group(1) + escape(self.urls[src]) + match.group(3)

    def _wechat_url(self, src: str) -> str:
        data, filename, content_type = self._prepared(src)
        digest = hashlib.sha256(data).hexdigest()
        known = WeChatUpload.objects.filter(
            app_id=self.app_id, kind=WeChatUploadKind.IMAGE, sha256=digest
        ).first()
        if known is not None:
            return known.url
        url = self.client.upload_image(data=data, filename=filename, content_type=content_type)
        WeChatUpload.objects.get_or_create(
            app_id=self.app_id, kind=WeChatUploadKind.IMAGE, sha256=digest, defaults={"url": url}
        )
        self.push.images_uploaded += 1
        return url

    def _prepared(self, src: str) -> tuple[bytes, str, str]:
        """The bytes of one of our own images (an upload, a static file, a QR code), in a form uploadimg takes.
        No request leaves the machine: the renderer's fetcher reads files, the QR code is drawn again."""
        data = site_qr_png(src)
        if data is None:
            try:
                data = SafeURLFetcher().fetch(src).read()
            except FetchRefused:
                raise PushRefused(
                    _("图片无法读取，未推送：%(src)s。请在编辑器中重新上传这张图片。") % {"src": src[:120]}
                ) from None
        try:
            return wechat_image(data=data)
        except ImageRefused as refused:
            raise PushRefused(
                _("图片 %(src)s 无法转换：%(reason)s") % {"src": src[:120], "reason": refused}
            ) from None


def issue_cover(*, article: WeChatArticle | None, context: dict) -> bytes:
    """The cover a push sends, as a JPEG: the admin's upload for this issue (stored already cut to 900×383), or
    one generated from the masthead and headline of `context`. Raises PushRefused when neither can be had."""
    if article is not None and article.cover:
        try:
            with article.cover.open("rb") as handle:
                return handle.read()
        except OSError:
            raise PushRefused(_("上传的封面图已找不到，请重新上传或改用自动生成的封面。")) from None
    masthead = context["masthead"]
    try:
        return cover_image(
            title=masthead["title"],
            headline=context["headline"],
            date=masthead["date"],
            number=masthead["number"],
        )
    except CoverUnavailable as error:
        raise PushRefused(str(error)) from None


def _cover_media_id(client: WeChatClient, article: WeChatArticle, context: dict) -> str:
    """The permanent material id of the cover (issue_cover), uploaded once per account and picture."""
    data = issue_cover(article=article, context=context)
    digest = hashlib.sha256(data).hexdigest()
    known = WeChatUpload.objects.filter(
        app_id=article.app_id, kind=WeChatUploadKind.COVER, sha256=digest
    ).first()
    if known is not None:
        return known.media_id
    media_id, url = client.add_image_material(data=data, filename="cover.jpg", content_type="image/jpeg")
    WeChatUpload.objects.get_or_create(
        app_id=article.app_id,
        kind=WeChatUploadKind.COVER,
        sha256=digest,
        defaults={"media_id": media_id, "url": url},
    )
    return media_id


def _set(article: WeChatArticle, **fields) -> None:
    for name, value in fields.items():
        setattr(article, name, value)
    article.save(update_fields=[*fields, "updated_at"])


def _save_draft(client: WeChatClient, article: WeChatArticle, payload: dict, source_url: str) -> bool:
    """Update the issue's draft, or create it; True when a new draft was made."""
    if article.pending == "draft_add":
        # A draft/add went out and its answer never came back (worker died, timeout): WeChat may have made it.
        found = _find_draft(client, source_url)
        _set(article, draft_media_id=found or article.draft_media_id, pending="")
    if article.draft_media_id:
        try:
            client.draft_update(media_id=article.draft_media_id, article=payload)
            return False
        except WeChatAPIError as error:
            if error.errcode != INVALID_MEDIA_ID:
                raise
            # Deleted in the account's editor, or published (a published draft leaves the draft box).
            _set(article, draft_media_id="")
    _set(article, pending="draft_add")
    try:
        media_id = client.draft_add(article=payload)
    except WeChatError as error:
        if not getattr(error, "ambiguous", False):
            _set(article, pending="")  # WeChat answered: no draft was made
        raise
    _set(article, draft_media_id=media_id, pending="")
    return True


def _draft_exists(client: WeChatClient, media_id: str) -> bool:
    try:
        client.draft_get(media_id=media_id)
    except WeChatAPIError as error:
        if error.errcode == INVALID_MEDIA_ID:
            return False
        raise
    return True


def _news_items(entry: dict) -> list[dict]:
    return (entry.get("content") or {}).get("news_item") or []


def _find_draft(client: WeChatClient, source_url: str) -> str:
    """The media_id of the newest draft whose article links to `source_url`, or ""."""
    for page in range(DRAFT_SEARCH_PAGES):
        answer = client.draft_batchget(offset=page * PAGE_SIZE, count=PAGE_SIZE)
        entries = answer.get("item") or []
        for entry in entries:
            if any(item.get("content_source_url") == source_url for item in _news_items(entry)):
                return entry.get("media_id", "")
        if len(entries) < PAGE_SIZE:
            break
    return ""


def _submit(client: WeChatClient, article: WeChatArticle, source_url: str, *, content_hash: str) -> str:
    """Publish the draft (freepublish/submit) unless that is already under way; the outcome's message."""
    if article.publish_status == WeChatPublishStatus.PUBLISHING:
        if article.publish_content_hash == content_hash:
            return _("发布已在进行中，稍后自动查询结果。")
        # WeChat publishes one version at a time: this one waits in the draft box.
        return _("上一版本仍在发布中；修改后的版本已存入草稿箱，待上一版本发布完成后再点“发布修改后的版本”。")
    _set(article, pending="submit", submitted_at=timezone.now())
    try:
        publish_id = client.freepublish_submit(media_id=article.draft_media_id)
    except WeChatError as error:
        if not getattr(error, "ambiguous", False):
            # WeChat answered (53503, say), or the request never left: nothing was submitted.
            _set(article, pending="")
        raise
    _set(
        article,
        publish_id=publish_id,
        publish_content_hash=content_hash,
        publish_status=WeChatPublishStatus.PUBLISHING,
        publish_error="",
        pending="",
        polled_at=None,
    )
    return _("已提交发布，发布结果将自动查询。")


def _find_published(client: WeChatClient, source_url: str, *, since) -> dict | None:
    """The article (freepublish/batchget item) linking to `source_url` that WeChat published at `since` or later
    (give or take PUBLISH_CLOCK_SKEW), or None. Every version of an issue links to the same page: the time tells
    the one just submitted from those published before it."""
    earliest = since.timestamp() - PUBLISH_CLOCK_SKEW
    for page in range(DRAFT_SEARCH_PAGES):
        answer = client.freepublish_batchget(offset=page * PAGE_SIZE, count=PAGE_SIZE)
        entries = answer.get("item") or []
        for entry in entries:
            if (entry.get("update_time") or 0) < earliest:
                continue
            for item in _news_items(entry):
                if item.get("content_source_url") == source_url:
                    return {"article_id": entry.get("article_id", ""), "article_url": item.get("url", "")}
        if len(entries) < PAGE_SIZE:
            break
    return None


def article_url_allowed(url: str) -> bool:
    """Only an https address on WeChat's article host is stored and linked from the public page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and (parts.hostname or "") in ARTICLE_HOSTS


def _record_published(article: WeChatArticle, found: dict) -> None:
    url = found.get("article_url") or ""
    _set(
        article,
        # A published draft leaves the draft box: the next push makes a new one.
        draft_media_id="",
        publish_status=WeChatPublishStatus.PUBLISHED,
        article_id=str(found.get("article_id") or "")[:128],
        article_url=url if article_url_allowed(url) else "",
        published_at=timezone.now(),
        publish_error="",
    )
    # The public issue page links the article: cached pages are made again.
    transaction.on_commit(bump_publication_version)


# --- Polling publications -----------------------------------------------------------------------------------

# cgi-bin/freepublish/get publish_status values other than 0 (success) and 1 (publishing).
PUBLISH_FAILURES = {
    2: gettext_lazy("原创声明失败：请在公众平台检查原创声明后重新发布。"),
    3: gettext_lazy("常规失败：请在公众平台查看原因后重新发布。"),
    4: gettext_lazy("平台审核不通过：请按公众平台的提示修改内容后重新推送并发布。"),
    5: gettext_lazy("发布成功后，文章已被用户删除。"),
    6: gettext_lazy("发布成功后，文章已被系统封禁。"),
}


def wechat_poll(*, now, article_ids: list[int] | None = None) -> dict[int, str]:
    """Ask cgi-bin/freepublish/get about every publication under way (or those of `article_ids`); record success
    (article id and URL) or failure (with its reason). Returns {article id: publish status} of those asked.

    One article's error (network, configuration) is logged and does not stop the others; the next poll asks again.
    """
    articles = WeChatArticle.objects.filter(publish_status=WeChatPublishStatus.PUBLISHING)
    if article_ids is not None:
        articles = articles.filter(pk__in=article_ids)
    outcome: dict[int, str] = {}
    for article in articles.select_related("issue"):
        try:
            client = WeChatClient.from_settings(app_id=article.app_id)
            if article.publish_id:
                _apply_publish_status(article, client.freepublish_get(publish_id=article.publish_id), now=now)
            else:
                _look_for_publication(client, article, now=now)
        except WeChatError as error:
            logger.warning(
                "Polling the WeChat publication of article %s failed: %s", article.pk, error.message
            )
            continue
        outcome[article.pk] = article.publish_status
    return outcome


# How long a publication whose publish_id was lost is looked for by its link before the admin is told.
LOST_PUBLICATION_HOURS = 24
LOST_PUBLICATION = gettext_lazy(
    "提交发布后没有收到微信的答复，一天内也未在已发布列表中找到本期：请在公众平台查看是否已发布，必要时重新发布。"
)


def _look_for_publication(client: WeChatClient, article: WeChatArticle, *, now) -> None:
    """A publication submitted without its answer (no publish_id): found by its link once WeChat lists it."""
    found = _find_published(
        client, settings.SITE_URL + issue_url(article.issue), since=article.submitted_at or article.updated_at
    )
    if found is not None:
        _record_published(article, found)
        _set(article, polled_at=now)
    elif now - article.updated_at > dt.timedelta(hours=LOST_PUBLICATION_HOURS):
        _set(
            article,
            publish_status=WeChatPublishStatus.FAILED,
            publish_error=str(LOST_PUBLICATION),
            polled_at=now,
        )
    else:
        WeChatArticle.objects.filter(pk=article.pk).update(polled_at=now)


def _apply_publish_status(article: WeChatArticle, answer: dict, *, now) -> None:
    status = answer.get("publish_status")
    if status == PUBLISH_RUNNING:
        _set(article, polled_at=now)
        return
    if status == PUBLISH_SUCCEEDED:
        items = (answer.get("article_detail") or {}).get("item") or []
        url = items[0].get("article_url", "") if items else ""
        _record_published(article, {"article_id": answer.get("article_id", ""), "article_url": url})
        _set(article, polled_at=now)
        return
    reason = PUBLISH_FAILURES.get(status, _("微信返回了未知的发布状态 %(status)s。") % {"status": status})
    _set(
        article,
        publish_status=WeChatPublishStatus.FAILED,
        publish_error=str(reason),
        polled_at=now,
    )
