"""Demo data for `make run`: the sample issue as published, a draft for tomorrow, and one user per role.

It lives in publishing because it is the one app allowed to use all the others (editorial, references).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from editorial import services
from editorial.models import Issue
from editorial.roles import ADMIN, REVIEWER, WRITER
from references.importing import import_bulletin

SAMPLE = Path(settings.BASE_DIR) / "tests" / "fixtures" / "2026-06-28.md"

DEMO_USERS = [
    ("writer", WRITER, "撰稿人", False),
    ("reviewer", REVIEWER, "审核人", False),
    ("admin", ADMIN, "管理员", True),
]

DRAFT_SECTIONS = [
    (
        "工业互联网标识解析体系持续扩容，制造业数据互通加快",
        "<p>工业和信息化部发布消息称，工业互联网标识解析二级节点已覆盖更多重点行业，"
        "标识注册量和解析量保持增长，面向原材料、装备制造和消费品行业的应用案例不断增加。</p>",
        "<p>这表明工业数据互通正在从“能连上”走向“能用好”。（撰稿中：补充对地方园区的启示。）</p>",
        ["工业互联网", "数据要素"],
    ),
    (
        "（待撰写）绿色算力与新型储能协同",
        "<p>（请在此撰写新闻部分，并在参考文献中注明来源。）</p>",
        "",
        ["算力", "绿电"],
    ),
]


class Command(BaseCommand):
    help = (
        "Create demo data (DJANGO_DEBUG=1 only): the sample issue as published, tomorrow's draft, demo users."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with printed passwords: it runs only with DJANGO_DEBUG=1."
            )
        with transaction.atomic():
            passwords = self._users()
            result = import_bulletin(text=SAMPLE.read_text(encoding="utf-8"), publish=True)
            draft = self._tomorrow(series=result.issue.series, writer=User.objects.get(username="writer"))
        self.stdout.write(
            f"示例期刊 {result.date} 已发布（{result.sections} 个条目，{result.citations} 条参考文献）。"
        )
        self.stdout.write(f"明日草稿 {draft.date} 已就绪。")
        self.stdout.write("演示账号（仅限开发环境）：")
        for username, _group, label, _staff in DEMO_USERS:
            self.stdout.write(f"  {label:　<4} 用户名 {username:<9} 密码 {passwords[username]}")

    def _users(self) -> dict[str, str]:
        passwords = {}
        for username, group, _label, staff in DEMO_USERS:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.is_staff = staff
            passwords[username] = secrets.token_urlsafe(9)
            user.set_password(passwords[username])
            user.save()
            user.groups.set([Group.objects.get(name=group)])
        return passwords

    def _tomorrow(self, *, series, writer: User) -> Issue:
        tomorrow = timezone.localdate(timezone.now(), series.zone) + dt.timedelta(days=1)
        existing = Issue.objects.filter(series=series, date=tomorrow).first()
        if existing is not None:
            return existing
        issue = services.issue_create(
            series=series, date=tomorrow, user=writer, headline="工业数据互通与绿色算力", summary=""
        )
        for headline, body, analysis, topics in DRAFT_SECTIONS:
            services.section_create(
                issue=issue, user=writer, headline=headline, body=body, analysis=analysis, topics=topics
            )
        return issue
