"""Sources (来源) shared across issues, and their citations (参考文献条目) in one issue."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

from editorial.cleaning import clean_text
from editorial.dates import BulletinDateField
from editorial.fields import CleanCharField, CleanURLField
from editorial.models import Issue, Section


class SourceKind(models.TextChoices):
    GOVERNMENT = "government", _("政府机构")
    MEDIA = "media", _("媒体")
    ACADEMIC = "academic", _("学术")
    COMPANY = "company", _("企业")
    OTHER = "other", _("其他")


class DatePrecision(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")


def normalize_text(value: str) -> str:
    """Cleaned (no invisible characters), NFKC, folded case, single spaces: what two spellings of the same title
    have in common."""
    return " ".join(unicodedata.normalize("NFKC", clean_text(value)).casefold().split())


def format_date(date: dt.date | None, precision: str) -> str:
    """`2026-06-27`, or `2026-06` for a source dated only to the month, as the bulletin prints them."""
    if date is None:
        return ""
    return f"{date:%Y-%m}" if precision == DatePrecision.MONTH else date.isoformat()


def source_fingerprint(*, outlet: str, title: str, date: dt.date | None, precision: str) -> str:
    key = "\x1f".join([normalize_text(outlet), normalize_text(title), format_date(date, precision)])
    return hashlib.sha256(key.encode()).hexdigest()


class Source(models.Model):
    """A cited document. One row per document, however many issues cite it (see `fingerprint`)."""

    outlet = CleanCharField(_("发布机构"), max_length=200, db_index=True)
    title = CleanCharField(_("标题"), max_length=500)
    url = CleanURLField(_("链接"), max_length=1000, blank=True)
    date = BulletinDateField(_("日期"), null=True, blank=True)
    date_precision = models.CharField(
        _("日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    kind = models.CharField(_("类型"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    fingerprint = models.CharField(_("去重指纹"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("来源")
        verbose_name_plural = _("来源")
        ordering = ["-date", "outlet"]

    def __str__(self) -> str:
        return f"{self.outlet} | {self.title}"

    def save(self, *args, **kwargs):
        if self.date and self.date_precision == DatePrecision.MONTH:
            self.date = self.date.replace(day=1)
        self.fingerprint = source_fingerprint(
            outlet=self.outlet, title=self.title, date=self.date, precision=self.date_precision
        )
        super().save(*args, **kwargs)

    @property
    def date_display(self) -> str:
        return format_date(self.date, self.date_precision)


class Citation(models.Model):
    """A source as cited by one issue: its place in 参考文献, what it was used for, what it supports."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="citations", verbose_name=_("期刊")
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("来源")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    note = CleanCharField(_("用途"), max_length=500, blank=True, help_text=_("例如：用于数据要素改革分析。"))
    sections = models.ManyToManyField(
        Section, blank=True, related_name="citations", verbose_name=_("支持的条目")
    )

    class Meta:
        verbose_name = _("参考文献条目")
        verbose_name_plural = _("参考文献条目")
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="citation_unique_issue_position"),
            models.UniqueConstraint(fields=["issue", "source"], name="citation_unique_issue_source"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.source}"
