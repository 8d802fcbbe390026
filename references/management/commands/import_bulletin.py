"""`manage.py import_bulletin PATH... [--series SLUG] [--publish] [--dry-run]`: load published bulletins.

Each file is imported in its own transaction; a file that cannot be read or understood is reported as
`PATH:LINE: message` and leaves nothing behind, the other files are still imported, and the command then
exits non-zero.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial.errors import EditorialError
from editorial.models import Series
from references.importing import BulletinFormatError, import_bulletin


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return _("导入已发布的简报（PDF 提取的文本或 Markdown）为期刊、条目、评析、来源和参考文献。")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help=_("简报文本文件（UTF-8）"))
        parser.add_argument("--series", metavar="SLUG", help=_("导入到哪个刊物（默认：唯一的刊物）"))
        parser.add_argument("--publish", action="store_true", help=_("作为已发布的往期导入（按其日期发布）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只显示将要导入的内容，不写入数据库"))

    def handle(self, *args, paths: list[str], series: str | None, publish: bool, dry_run: bool, **options):
        target = None
        if series:
            target = Series.objects.filter(slug=series).first()
            if target is None:
                known = ", ".join(Series.objects.order_by("slug").values_list("slug", flat=True))
                raise CommandError(
                    _("没有标识为“%(slug)s”的刊物（已有：%(known)s）。")
                    % {"slug": series, "known": known or _("无")}
                )

        failures = 0
        for path in paths:
            try:
                text = _read(path)
                result = import_bulletin(text=text, series=target, publish=publish, dry_run=dry_run)
            except BulletinFormatError as error:
                failures += 1
                self.stderr.write(f"{path}:{error.line}: {error.message}")
                continue
            except (_Unreadable, EditorialError) as error:
                failures += 1
                self.stderr.write(f"{path}: {error}")
                continue
            if dry_run:
                lines = result.plan_lines()
                self.stdout.write(f"{path}: {_('[试运行，未写入]')} {lines[0]}")
                for line in lines[1:]:
                    self.stdout.write(line)
            else:
                self.stdout.write(f"{path}: {result.summary_line()}")

        if failures:
            raise CommandError(
                _("%(failed)s 个文件未能导入（共 %(total)s 个）。")
                % {"failed": failures, "total": len(paths)}
            )


class _Unreadable(Exception):
    pass


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise _Unreadable(_("文件不存在。")) from None
    except IsADirectoryError:
        raise _Unreadable(_("这是一个目录，不是文件。")) from None
    except OSError as error:
        raise _Unreadable(_("无法读取文件：%(error)s") % {"error": error.strerror or error}) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _Unreadable(
            _("不是 UTF-8 编码的文本（第 %(line)s 行），请先转换为 UTF-8。") % {"line": line}
        ) from None
