"""The `wechat_api` fixture: a FakeWeChat (fake_api.py) started for one test, with the settings pointing at it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from publishing.wechat import client as client_module
from tests.publishing.wechat.fake_api import FakeWeChat


@pytest.fixture
def wechat_api(settings, monkeypatch):
    """A started FakeWeChat. settings.WECHAT_API_BASE_URL / WECHAT_APP_ID / WECHAT_APP_SECRET point at it, the
    cache (where the access token lives) is cleared before and after, and every WeChatClient made during the test
    reads the fake's clock (so `wechat_api.advance()` ages tokens for both) and records its retry waits in
    `wechat_api.sleeps` instead of sleeping."""
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
