"""Render one issue from the command line: `render_issue 2026-06-28 --format pdf --output issue.pdf`."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial.dates import in_range, out_of_range_message
from editorial.models import Issue, Series
from publishing.render import RenderError, render_pdf, render_web, render_wechat

RENDERERS = {
    "pdf": (render_pdf, "pdf"),
    "wechat": (render_wechat, "wechat.html"),
    "web": (render_web, "html"),
}


class Command(BaseCommand):
    help = _("生成一期的 PDF、微信或网页版本。")

    def add_arguments(self, parser):
        parser.add_argument("date", help=_("期刊日期，格式 YYYY-MM-DD"))
        parser.add_argument("--format", choices=sorted(RENDERERS), default="pdf", help=_("输出格式"))
        parser.add_argument(
            "--output", help=_("输出文件；默认为当前目录下的“刊物-日期.扩展名”，“-”表示标准输出")
        )
        parser.add_argument("--series", help=_("刊物标识（系统中有多个刊物时必填）"))

    def handle(self, *args, date, format, output, series, **options):
        issue = self._issue(date=self._date(date), slug=series)
        renderer, extension = RENDERERS[format]
        started = time.perf_counter()
        try:
            result = renderer(issue)
        except RenderError as error:
            raise CommandError(_("生成失败：%(error)s") % {"error": error}) from None
        elapsed = time.perf_counter() - started
        data = result if isinstance(result, bytes) else result.encode()

        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        path = Path(output or f"{issue.series.slug}-{issue.date.isoformat()}.{extension}")
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("无法写入 %(path)s：%(error)s") % {"path": path, "error": error.strerror}
            ) from None
        self.stdout.write(
            _("已生成 %(path)s（%(size)s 字节，%(seconds).2f 秒）。")
            % {"path": path, "size": len(data), "seconds": elapsed}
        )

    def _date(self, value: str) -> dt.date:
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("日期“%(value)s”无效，请使用 YYYY-MM-DD 格式，例如 2026-06-28。") % {"value": value}
            ) from None
        if not in_range(date):
            raise CommandError(out_of_range_message())
        return date

    def _issue(self, *, date: dt.date, slug: str | None) -> Issue:
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
                _("刊物“%(series)s”没有 %(date)s 的期刊。")
                % {"series": series.title, "date": date.isoformat()}
            )
        return issue
