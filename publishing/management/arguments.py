"""The arguments that commands about one issue share: a date (YYYY-MM-DD) and an optional series slug."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from editorial.dates import in_range, out_of_range_message
from editorial.models import Issue, Series


def issue_date(value: str) -> dt.date:
    """The date of `value` (YYYY-MM-DD, within editorial.dates' years); CommandError with the expected form."""
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("日期“%(value)s”无效，请使用 YYYY-MM-DD 格式，例如 2026-06-28。") % {"value": value}
        ) from None
    if not in_range(date):
        raise CommandError(out_of_range_message())
    return date


def issue_of(*, date: dt.date, slug: str | None) -> Issue:
    """The issue of the series `slug` (or of the only series) on `date`; CommandError saying what is missing."""
    if slug:
        series = Series.objects.filter(slug=slug).first()
        if series is None:
            raise CommandError(_("没有标识为“%(slug)s”的刊物。") % {"slug": slug})
    else:
        candidates = list(Series.objects.order_by("pk")[:2])
        if not candidates:
            raise CommandError(_("系统中还没有刊物。"))
        if len(candidates) > 1:
            raise CommandError(_("系统中有多个刊物，请用 --series 指定。"))
        series = candidates[0]
    issue = Issue.objects.filter(series=series, date=date).first()
    if issue is None:
        raise CommandError(
            _("刊物“%(series)s”没有 %(date)s 的期刊。") % {"series": series.title, "date": date.isoformat()}
        )
    return issue
