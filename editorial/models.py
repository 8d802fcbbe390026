"""The editorial model: a series (masthead), its dated issues, their numbered sections with analyses,
content revisions and the append-only log of workflow transitions.

State changes happen only in editorial/workflow.py; content changes only in editorial/services.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editorial.dates import BulletinDateField, BulletinDateTimeField
from editorial.fields import CleanCharField, CleanTextField, CleanURLField
from editorial.sanitize import SanitizedHTMLField

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九: the numbering of sections (一、二、…)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones]
    prefix = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return prefix + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” 不是有效的时区（例如 Asia/Shanghai）。"), params={"value": value}
        ) from None


def validate_link_list(value) -> None:
    """The former JSON of QR targets: a list of {"label": str, "url": http(s) URL}. Kept because migration 0001
    names it; the codes are SeriesQRCode rows since migration 0008."""
    if not isinstance(value, list):
        raise ValidationError(_("必须是列表。"))
    for item in value:
        if not (
            isinstance(item, dict) and isinstance(item.get("label"), str) and isinstance(item.get("url"), str)
        ):
            raise ValidationError(_("每一项都需要 label 和 url。"))
        if not item["url"].startswith(("http://", "https://")):
            raise ValidationError(
                _("二维码地址必须以 http:// 或 https:// 开头：%(url)s"), params={"url": item["url"]}
            )


def validate_block_list(value) -> None:
    """The former JSON of footer blocks: a list of {"title": str, "body": str}. Kept because migration 0001
    names it; the blocks are SeriesFooterBlock rows since migration 0008."""
    if not isinstance(value, list):
        raise ValidationError(_("必须是列表。"))
    for item in value:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("title"), str)
            and isinstance(item.get("body"), str)
        ):
            raise ValidationError(_("每一项都需要 title 和 body。"))


class Series(models.Model):
    """The bulletin as a publication: its masthead, footer and daily timetable."""

    slug = models.SlugField(_("标识"), unique=True, validators=[RegexValidator(r"^[a-z0-9-]+$")])
    title = CleanCharField(_("刊名"), max_length=200)
    publisher = CleanCharField(_("主办单位"), max_length=200)
    producers = CleanCharField(_("出品"), max_length=200, blank=True)
    website = CleanURLField(_("网站"), blank=True)
    contact_heading = CleanCharField(
        _("联系栏标题"), max_length=200, blank=True, default="联系我们，请扫描二维码"
    )
    wechat_app_id = models.CharField(
        _("公众号 AppID"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(
                r"^wx[0-9a-f]{16}$",
                _("AppID 以 wx 开头，后跟 16 位十六进制字符（公众平台 → 设置与开发 → 基本配置）。"),
            )
        ],
        help_text=_(
            "推送到微信公众号草稿箱时使用；留空则使用环境变量 WECHAT_APP_ID。AppSecret 只从环境变量读取，不在此填写。"
        ),
    )
    publish_time = models.TimeField(_("每日发布时间"), default=dt.time(8, 0))
    review_cutoff = models.TimeField(
        _("审核截止时间"),
        default=dt.time(7, 0),
        help_text=_("早于发布时间则为发布当天，否则为前一天。"),
    )
    time_zone = models.CharField(
        _("时区"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    four_eyes = models.BooleanField(
        _("四眼原则"),
        default=True,
        help_text=_(
            "开启后，自上次批准以来修改过本期内容（标题、摘要、条目或参考文献）的人不能独自批准本期。"
        ),
    )
    reviewers_may_edit = models.BooleanField(_("审核人可修改正文"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("刊物")
        verbose_name_plural = _("刊物")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def publish_at_for(self, date: dt.date) -> dt.datetime:
        """When the issue dated `date` is due, as an aware datetime."""
        return dt.datetime.combine(date, self.publish_time, tzinfo=self.zone)

    def review_cutoff_for(self, date: dt.date) -> dt.datetime:
        day = date if self.review_cutoff < self.publish_time else date - dt.timedelta(days=1)
        return dt.datetime.combine(day, self.review_cutoff, tzinfo=self.zone)


# Where the footer's QR images are stored: inside the uploads folder (xinzhi.media.UPLOADS_DIR), so the upload
# route serves them and the PDF renderer's fetcher (publishing.render.fetcher) and the WeChat push read them like
# any writer's upload. Names are random and never reused, so an old rendition keeps the image it was made with.
QR_IMAGE_FOLDER = "newsroom/qr"


def qr_image_name(instance: SeriesQRCode, filename: str) -> str:
    """newsroom/qr/<random>.<extension of `filename`>: nothing a user typed ends up in the path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"{QR_IMAGE_FOLDER}/{uuid.uuid4().hex}.{extension}"


class SeriesQRCode(models.Model):
    """One QR code of the masthead's footer: either an image (the official account's own code, which WeChat
    issues as a picture and which no URL reproduces) or a URL that a code is generated from (the website)."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="qr_codes", verbose_name=_("刊物")
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    label = CleanCharField(_("说明"), max_length=100)
    url = CleanURLField(_("网址"), blank=True, help_text=_("由网址生成二维码；上传了图片则留空。"))
    image = models.FileField(_("二维码图片"), upload_to=qr_image_name, blank=True, max_length=200)
    # SHA-256 of the stored image's bytes: part of an issue's content hash, so a new picture makes renditions stale.
    image_sha256 = models.CharField(_("图片摘要"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("二维码")
        verbose_name_plural = _("二维码")
        ordering = ["series", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(image="")) | (~models.Q(url="") & models.Q(image="")),
                name="qr_code_image_or_url",
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if bool(self.url) == bool(self.image):
            raise ValidationError(_("每个二维码要么填写网址，要么上传图片（二者选一）。"))


class SeriesFooterBlock(models.Model):
    """One paragraph of the footer's “about” part: a bold title and a plain-text body."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="footer_blocks", verbose_name=_("刊物")
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    title = CleanCharField(_("标题"), max_length=200, blank=True)
    body = CleanTextField(_("正文"))

    class Meta:
        verbose_name = _("页脚介绍")
        verbose_name_plural = _("页脚介绍")
        ordering = ["series", "position", "pk"]

    def __str__(self) -> str:
        return self.title or self.body[:20]


class Topic(models.Model):
    name = CleanCharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("标识"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IssueState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    APPROVED = "approved", _("已批准")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


EDITABLE_STATES = frozenset({IssueState.DRAFT})


class Issue(models.Model):
    """One dated bulletin (期)."""

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="issues", verbose_name=_("刊物")
    )
    date = BulletinDateField(_("日期"))
    number = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    headline = CleanCharField(_("本期标题"), max_length=200, blank=True)
    summary = CleanTextField(_("摘要"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=IssueState.choices, default=IssueState.DRAFT)
    publish_at = BulletinDateTimeField(_("计划发布时间"), null=True, blank=True)
    published_at = BulletinDateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("版本"), default=1, help_text=_("每次保存加一，用于防止覆盖他人的修改。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("期刊")
        verbose_name_plural = _("期刊")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="issue_unique_series_date"),
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=models.Q(number__isnull=False),
                name="issue_unique_series_number",
            ),
        ]
        indexes = [models.Index(fields=["state", "publish_at"], name="issue_state_publish_at")]
        permissions = [
            ("submit_issue", _("可提交审核")),
            ("review_issue", _("可批准或退回")),
            ("reopen_issue", _("可重新打开已批准的期刊")),
            ("publish_issue", _("可立即发布或调整发布时间")),
            ("correct_issue", _("可更正已发布的期刊")),
            ("withdraw_issue", _("可撤回已发布的期刊")),
        ]

    def __str__(self) -> str:
        return f"{self.series.title} {self.date:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class Section(models.Model):
    """One numbered item (条目): headline and news body; its commentary is the related Analysis."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="sections", verbose_name=_("期刊")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    headline = CleanCharField(_("标题"), max_length=200)
    body = SanitizedHTMLField(_("新闻正文"), blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="sections", verbose_name=_("主题"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("撰稿人"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("条目")
        verbose_name_plural = _("条目")
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="section_unique_issue_position")
        ]

    def __str__(self) -> str:
        return f"{self.numeral}、{self.headline}"

    @property
    def numeral(self) -> str:
        return chinese_numeral(self.position)


class Analysis(models.Model):
    """The commentary (评析) of a section: what the news means."""

    section = models.OneToOneField(
        Section, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("条目")
    )
    body = SanitizedHTMLField(_("评析正文"), blank=True)

    class Meta:
        verbose_name = _("评析")
        verbose_name_plural = _("评析")

    def __str__(self) -> str:
        return str(self.section)


class Revision(models.Model):
    """A snapshot of a section's content, written on every save (and on restore, as a new revision)."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("条目")
    )
    number = models.PositiveIntegerField(_("版本号"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作者"),
    )
    data = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("版本")
        verbose_name_plural = _("版本")
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="revision_unique_section_number")
        ]

    def __str__(self) -> str:
        return f"{self.section} #{self.number}"


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused like changes to one row. (Deleting an issue or a user still removes or unlinks
    its events: Django's deletion collector goes through the base manager, not this one.)"""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before Django opens the transaction it would run update() in.
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """A log table: rows are added, never changed or deleted one by one or in bulk (AppendOnlyQuerySet)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class IssueEvent(AppendOnlyModel):
    """One workflow transition (流程记录). Append-only: the audit log of who moved an issue and why."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events", verbose_name=_("期刊"))
    transition = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=IssueState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=IssueState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
        help_text=_("为空表示系统（定时发布、导入）。"),
    )
    comment = CleanTextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.issue} {self.transition}: {self.from_state} → {self.to_state}"


class ContentPart(models.TextChoices):
    """The parts of an issue's content a change touched (what the four-eyes refusal names).

    Content is what the issue prints (publishing/render/context.py): ISSUE covers its own printed fields
    (masthead series, date, number, headline, summary), CITATIONS includes an admin's edit of a cited Source.
    Topics are not content: no output of an issue prints them (they index the archive's topic pages), so a
    topic rename records nothing (editorial.admin.TopicAdmin)."""

    ISSUE = "issue", _("标题、摘要、期号、日期")
    SECTIONS = "sections", _("条目")
    CITATIONS = "citations", _("参考文献")


class ContentChange(AppendOnlyModel):
    """Who changed which part of an issue's content, and when (内容修改记录): one row per save, written in
    the same transaction by the service that made it (editorial.services, references.services, the admin's
    save of an issue or citation). Append-only, like IssueEvent. The four-eyes rule reads it: whoever changed
    the content since the last approval cannot approve the issue alone (editorial.workflow)."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="content_changes", verbose_name=_("期刊")
    )
    part = models.CharField(_("修改内容"), max_length=20, choices=ContentPart.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
        help_text=_("为空表示系统（导入）。"),
    )
    # A default rather than auto_now_add: the migration that introduced the table dated the rows it derived
    # from earlier revisions by those revisions.
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("内容修改记录")
        verbose_name_plural = _("内容修改记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.issue} {self.part}: {self.actor_id}"


class Correction(models.Model):
    """A public correction note, added when a published issue is corrected."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("期刊")
    )
    note = CleanTextField(_("更正说明"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("更正")
        verbose_name_plural = _("更正")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.issue}: {self.note[:30]}"


class ReviewComment(models.Model):
    """A reviewer's comment on an issue, usually attached to one section; the writer resolves it."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("期刊")
    )
    # A comment outlives the section it was about: deleting the section keeps the comment on the issue.
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
        verbose_name=_("条目"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    body = CleanTextField(_("意见"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    resolved_at = BulletinDateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解决人"),
    )

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["issue", "resolved_at"], name="reviewcomment_issue_open")]

    def __str__(self) -> str:
        return f"{self.issue}: {self.body[:30]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
