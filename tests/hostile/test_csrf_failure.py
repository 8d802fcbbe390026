"""A post without a valid CSRF token (a page left open past its session, a dropped cookie) is refused with a
403 the caller can read: JSON `{"error": message}` for the editor's fetch calls, the site's own Chinese page
telling the user to reload otherwise. Nothing is saved either way."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from editorial.models import Issue
from tests.hostile.request_support import database_snapshot

RELOAD = "请刷新页面后重试"


def test_a_json_caller_without_a_token_gets_a_json_403_and_nothing_changes(draft_issue, writer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    before = database_snapshot()

    response = client.post(
        reverse("newsroom:issue_meta_save", args=[draft_issue.pk]),
        json.dumps({"headline": "没有令牌的修改", "version": draft_issue.version}),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert RELOAD in response.json()["error"]
    assert database_snapshot() == before
    assert Issue.objects.get(pk=draft_issue.pk).headline != "没有令牌的修改"


def test_a_browser_form_without_a_token_gets_the_sites_chinese_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "someone", "password": "secret"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "安全校验失败" in body
    assert RELOAD in body
    assert body.count("<h1") == 1
    assert "CSRF verification failed" not in body  # Django's English page and its diagnosis
    assert 'class="newsroom"' in body  # the site's own shell
