"""Render one issue from the command line: `render_issue 2026-06-28 --format pdf --output issue.pdf`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from publishing.management.arguments import issue_date, issue_of
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
        issue = issue_of(date=issue_date(date), slug=series)
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
