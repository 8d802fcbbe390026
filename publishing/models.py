"""What publishing stores: the renditions (成品) of an issue, the alerts sent about late issues, the search
index, and the issue's WeChat article with its push log.

Renditions are made by Celery tasks (publishing/tasks.py) through publishing/renditions.py; alerts by the
publication tick (publishing/scheduling.py); WeChat articles by publishing/wechat/push.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from editorial.models import Issue


class RenditionKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    WECHAT = "wechat", _("微信公众号 HTML")
    WEB = "web", _("网页 HTML")


class RenditionStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def rendition_upload_to(instance: Rendition, filename: str) -> str:
    return f"renditions/{instance.issue.date:%Y-%m-%d}/{filename}"


def rendition_storage():
    """The storage of rendition files: settings.STORAGES["renditions"], private (never served by URL)."""
    return storages["renditions"]


class Rendition(models.Model):
    """One output of an issue made from one version of its approved content (`content_hash`).

    There is at most one row per (issue, kind, content hash): rendering the same content again reuses the row,
    so a redelivered task finishes the same rendition instead of making a second file.
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("期刊")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=RenditionKind.choices)
    content_hash = models.CharField(
        _("内容指纹"), max_length=64, db_index=True, help_text=_("生成时所依据的已批准内容的哈希值。")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RenditionStatus.choices, default=RenditionStatus.QUEUED
    )
    stale = models.BooleanField(
        _("已过期"), default=False, help_text=_("期刊内容在生成后已被重新打开或更正。")
    )
    file = models.FileField(
        _("文件"), upload_to=rendition_upload_to, storage=rendition_storage, max_length=300, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    duration = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    claimed_by = models.CharField(
        _("任务标识"), max_length=255, blank=True, help_text=_("正在或最后一次生成此成品的任务。")
    )
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成品")
        verbose_name_plural = _("成品")
        ordering = ["-created_at", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "kind", "content_hash"], name="rendition_unique_issue_kind_content"
            )
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="rendition_status_enqueued")]

    def __str__(self) -> str:
        return f"{self.issue} {self.get_kind_display()} ({self.get_status_display()})"


class AlertKind(models.TextChoices):
    MISSED_CUTOFF = "missed_cutoff", _("未在审核截止时间前批准")


class Alert(models.Model):
    """An alert sent about an issue. One per (issue, kind): the unique constraint is what makes it once."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("期刊"))
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    deadline = models.DateTimeField(_("截止时间"))
    recipients = models.JSONField(_("收件人"), default=list, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["issue", "kind"], name="alert_unique_issue_kind")]

    def __str__(self) -> str:
        return f"{self.issue}: {self.get_kind_display()}"


class SearchEntry(models.Model):
    """One searchable document of the public archive: a published section (headline, news and analysis), or a
    published issue's headline and summary (`position` 0). Kept in line with the issues by publishing.search;
    on PostgreSQL the migration adds a generated bigram `tsvector` column with a GIN index (see search.py)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+", verbose_name=_("期刊"))
    section = models.OneToOneField(
        "editorial.Section",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("条目"),
    )
    date = models.DateField(_("日期"))
    position = models.PositiveSmallIntegerField(_("序号"), help_text=_("0 表示本期标题与摘要。"))
    title = models.CharField(_("标题"), max_length=300, blank=True)
    text = models.TextField(_("检索文本"), help_text=_("规范化后的标题与正文：NFKC、小写、去空白。"))
    head = models.PositiveSmallIntegerField(_("标题长度"), default=0)

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引条目")
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="searchentry_unique_issue_position")
        ]
        indexes = [models.Index(fields=["date"], name="searchentry_date")]

    def __str__(self) -> str:
        return f"{self.date} #{self.position} {self.title[:30]}"


def wechat_cover_upload_to(instance: WeChatArticle, filename: str) -> str:
    # The name is ours, not the uploader's (editorial.images.store_image does the same for the newsroom's images).
    return f"wechat-covers/{instance.issue.date:%Y-%m-%d}-{instance.issue_id}.jpg"


class WeChatPublishStatus(models.TextChoices):
    NONE = "", _("未发布")
    PUBLISHING = "publishing", _("发布中")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("发布失败")


class WeChatArticle(models.Model):
    """An issue in one official account (AppID): its one draft in the 草稿箱 and, once published, its article.

    One row per (issue, app_id), and so one draft per issue: a re-push updates `draft_media_id` in place
    (cgi-bin/draft/update). `pending` records a call that creates something at WeChat (draft/add,
    freepublish/submit) before it is made, so that a push redelivered after its worker died looks for what
    that call may have created instead of creating it twice.
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="wechat_articles", verbose_name=_("期刊")
    )
    app_id = models.CharField(_("公众号 AppID"), max_length=18)
    draft_media_id = models.CharField(_("草稿 media_id"), max_length=128, blank=True)
    content_hash = models.CharField(_("内容指纹"), max_length=64, blank=True, help_text=_("最近推送的内容。"))
    pending = models.CharField(
        _("未确认的操作"),
        max_length=20,
        blank=True,
        help_text=_("已发出但未收到微信答复的创建操作（draft_add 或 submit），重试时先查找其结果。"),
    )
    cover = models.ImageField(
        _("封面图"),
        upload_to=wechat_cover_upload_to,
        max_length=200,
        blank=True,
        help_text=_("留空则由刊头和本期标题自动生成（900×383）。"),
    )
    publish_id = models.CharField(_("发布任务 publish_id"), max_length=128, blank=True)
    submitted_at = models.DateTimeField(
        _("提交发布时间"), null=True, blank=True, help_text=_("最近一次 freepublish/submit 的时间。")
    )
    publish_content_hash = models.CharField(
        _("发布的内容指纹"), max_length=64, blank=True, help_text=_("最近一次提交发布的内容。")
    )
    publish_status = models.CharField(
        _("发布状态"), max_length=12, choices=WeChatPublishStatus.choices, blank=True, default=""
    )
    publish_error = models.TextField(_("发布错误"), blank=True)
    article_id = models.CharField(_("文章 article_id"), max_length=128, blank=True)
    article_url = models.URLField(_("文章链接"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("发布完成时间"), null=True, blank=True)
    polled_at = models.DateTimeField(_("最近查询时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微信文章")
        verbose_name_plural = _("微信文章")
        ordering = ["-issue__date"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "app_id"], name="wechatarticle_unique_issue_app")
        ]
        indexes = [models.Index(fields=["publish_status"], name="wechatarticle_publish_status")]
        permissions = [("push_wechat", _("可以推送和发布到微信公众号"))]

    def __str__(self) -> str:
        return f"{self.issue} ({self.app_id})"


class WeChatPushAction(models.TextChoices):
    DRAFT = "draft", _("推送到草稿箱")
    PUBLISH = "publish", _("推送并发布")


class WeChatPushResult(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("成功")
    FAILED = "failed", _("失败")


class WeChatPush(models.Model):
    """One push of an issue to WeChat, asked for by someone (the command or the newsroom's button): who, when,
    the content it sent (hash), the draft it made or updated, and how it ended. The newsroom shows these rows."""

    article = models.ForeignKey(
        WeChatArticle, on_delete=models.CASCADE, related_name="pushes", verbose_name=_("微信文章")
    )
    action = models.CharField(_("操作"), max_length=10, choices=WeChatPushAction.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    result = models.CharField(
        _("结果"), max_length=10, choices=WeChatPushResult.choices, default=WeChatPushResult.QUEUED
    )
    content_hash = models.CharField(_("内容指纹"), max_length=64, blank=True)
    draft_media_id = models.CharField(_("草稿 media_id"), max_length=128, blank=True)
    images_uploaded = models.PositiveSmallIntegerField(_("新上传图片数"), default=0)
    errcode = models.IntegerField(_("微信错误码"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("微信推送记录")
        verbose_name_plural = _("微信推送记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article.issue} {self.get_action_display()} ({self.get_result_display()})"


class WeChatUploadKind(models.TextChoices):
    IMAGE = "image", _("正文图片（uploadimg）")
    COVER = "cover", _("封面（永久素材）")


class WeChatUpload(models.Model):
    """An image already uploaded to an account, by the SHA-256 of the bytes sent: a re-push sends it again only
    if the bytes changed. Body images keep WeChat's URL (cgi-bin/media/uploadimg); covers their permanent
    material's media_id (cgi-bin/material/add_material)."""

    app_id = models.CharField(_("公众号 AppID"), max_length=18)
    kind = models.CharField(_("类型"), max_length=10, choices=WeChatUploadKind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    url = models.URLField(_("微信图片地址"), max_length=1000, blank=True)
    media_id = models.CharField(_("media_id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("微信已上传图片")
        verbose_name_plural = _("微信已上传图片")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "kind", "sha256"], name="wechatupload_unique_content")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"
