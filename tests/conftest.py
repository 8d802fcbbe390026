"""Shared fixtures: a series like the sample's, users in each newsroom role, and issue builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from editorial import services
from editorial.models import Issue, Series
from editorial.roles import ADMIN, REVIEWER, WRITER
from publishing.wechat import client as client_module
from tests.publishing.wechat.fake_api import FakeWeChat
from xinzhi.celery import app as celery_app

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    # Tests make users by the hundred, and PBKDF2's million iterations cost a third of a second each. What a
    # password is hashed with is Django's business, not the tests'.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SAMPLE = FIXTURES / "2026-06-28.md"


def make_user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.org", **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def writer(db) -> User:
    return make_user("writer", WRITER)


@pytest.fixture
def writer2(db) -> User:
    return make_user("writer2", WRITER)


@pytest.fixture
def reviewer(db) -> User:
    return make_user("reviewer", REVIEWER)


@pytest.fixture
def reviewer2(db) -> User:
    return make_user("reviewer2", REVIEWER)


@pytest.fixture
def admin_user(db) -> User:
    return make_user("chief", ADMIN, is_staff=True)


@pytest.fixture
def stranger(db) -> User:
    """Signed in, but in no newsroom group."""
    return make_user("stranger")


@pytest.fixture
def series(db) -> Series:
    series = Series.objects.create(
        slug="xinzhi",
        title="新质生产力每日动态",
        publisher="中国高技术产业发展促进会新质生产力工作委员会",
        producers="博雅云创 & 中科创新驱动",
        website="https://gyznswn.cn",
    )
    series.qr_codes.create(position=1, label="工业智能算网", url="https://gyznswn.cn")
    series.footer_blocks.create(position=1, title="工业智能算网", body="专注于工业人工智能。")
    return series


@pytest.fixture
def make_issue(series, writer):
    """Build an issue with `sections` complete sections, written by `author` (default: the writer)."""

    def build(date: dt.date = dt.date(2026, 7, 1), sections: int = 2, author=None) -> Issue:
        author = author or writer
        issue = services.issue_create(
            series=series, date=date, user=author, headline="测试标题", summary="测试摘要"
        )
        for n in range(1, sections + 1):
            services.section_create(
                issue=issue,
                user=author,
                headline=f"第{n}条标题",
                body=f"<p>新闻{n}</p>",
                analysis=f"<p>评析{n}</p>",
                topics=["数据要素"],
            )
        return issue

    return build


@pytest.fixture
def draft_issue(make_issue) -> Issue:
    return make_issue()


@pytest.fixture
def eager():
    """Tasks run in-process even in the second CI pass (where REDIS_URL is set and tasks would go to Redis)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def image_server(settings):
    """A local HTTP server of outside images (tests/image_server.py); image imports may reach its host only."""
    from tests.image_server import ImageServer

    settings.IMAGE_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    with ImageServer() as server:
        yield server


@pytest.fixture
def wechat_api(settings, monkeypatch):
    """A started FakeWeChat (tests/publishing/wechat/fake_api.py). settings.WECHAT_API_BASE_URL / WECHAT_APP_ID /
    WECHAT_APP_SECRET point at it, the cache (where the access token lives) is cleared before and after, and every
    WeChatClient made during the test reads the fake's clock (so `wechat_api.advance()` ages tokens for both) and
    records its retry waits in `wechat_api.sleeps` instead of sleeping."""
    fake = FakeWeChat().start()
    settings.WECHAT_API_BASE_URL = fake.base_url
    settings.WECHAT_APP_ID = fake.app_id
    settings.WECHAT_APP_SECRET = fake.app_secret
    monkeypatch.setattr(client_module, "_clock", fake.now)
    monkeypatch.setattr(client_module, "_sleep", fake.sleeps.append)
    cache.clear()
    yield fake
    fake.stop()
    cache.clear()
