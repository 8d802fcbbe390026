"""What publishing stores: the renditions (成品) of an issue and the alerts sent about late issues.

Renditions are made by Celery tasks (publishing/tasks.py) through publishing/renditions.py; alerts by the
publication tick (publishing/scheduling.py).
"""

from __future__ import annotations

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
