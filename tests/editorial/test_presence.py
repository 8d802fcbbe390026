"""Who has an issue open in the editor: the heartbeat records it in the cache, others see 某某 正在编辑 in the
editor and on the dashboard, never themselves; closing the page or missing heartbeats clears it."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from editorial import presence
from editorial.models import IssueState

ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def empty_cache():
    # The local-memory cache outlives each test's database.
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def beat(client: Client, issue, **data):
    return client.post(
        reverse("newsroom:presence", args=[issue.pk]),
        data=json.dumps(data),
        content_type="application/json",
        **ACCEPT_JSON,
    )


def test_a_heartbeat_shows_the_writer_to_others_but_not_to_themself(draft_issue, writer, admin_user):
    section = draft_issue.sections.get(position=1)
    mine, theirs = signed_in(writer), signed_in(admin_user)

    first = beat(mine, draft_issue, where=f"section-{section.pk}")
    second = beat(theirs, draft_issue, where="meta")

    assert first.status_code == 200 and first.json()["others"] == []
    assert second.json()["others"] == [
        {"user_id": writer.pk, "name": "writer", "where": f"section-{section.pk}"}
    ]
    assert second.json()["interval"] == 20
    assert beat(mine, draft_issue).json()["others"] == [
        {"user_id": admin_user.pk, "name": "chief", "where": "meta"}
    ]


def test_the_editor_and_the_dashboard_show_who_is_editing(draft_issue, writer, admin_user):
    section = draft_issue.sections.get(position=1)
    beat(signed_in(writer), draft_issue, where=f"section-{section.pk}")
    theirs = signed_in(admin_user)

    editor = theirs.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()
    dashboard = theirs.get(reverse("newsroom:dashboard")).content.decode()
    own_editor = signed_in(writer).get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    card = editor.split(f'data-section="{section.pk}"')[1].split('data-test="section"')[0]
    assert 'data-test="presence">writer 正在编辑</span>' in card
    assert "writer 正在编辑本期" in editor
    row = dashboard.split(f'data-issue="{draft_issue.pk}"')[1].split("</tr>")[0]
    assert "writer 正在编辑" in row
    # The writer never sees themself: every note on their own page is empty and hidden.
    assert "writer 正在编辑" not in own_editor
    assert own_editor.count('data-test="presence" hidden>') == own_editor.count('data-test="presence"') == 3


def test_leaving_the_page_clears_the_entry_with_a_beacon_style_form_post(draft_issue, writer, admin_user):
    leaving = Client(enforce_csrf_checks=True)
    leaving.force_login(writer)
    leaving.get(reverse("newsroom:editor", args=[draft_issue.pk]))
    token = leaving.cookies["csrftoken"].value
    beat(signed_in(writer), draft_issue, where="meta")
    assert beat(signed_in(admin_user), draft_issue).json()["others"]

    refused = leaving.post(reverse("newsroom:presence", args=[draft_issue.pk]), {"leave": "1"})
    left = leaving.post(
        reverse("newsroom:presence", args=[draft_issue.pk]), {"leave": "1", "csrfmiddlewaretoken": token}
    )

    assert refused.status_code == 403  # no CSRF token, no change
    assert left.status_code == 200
    assert beat(signed_in(admin_user), draft_issue).json()["others"] == []


def test_an_entry_expires_when_the_heartbeats_stop(draft_issue, writer, admin_user, monkeypatch):
    beat(signed_in(writer), draft_issue, where="meta")
    now = time.time()

    monkeypatch.setattr(time, "time", lambda: now + presence.ttl_seconds() - 5)
    assert [e["name"] for e in presence.presence_others(issue=draft_issue, user=admin_user)] == ["writer"]
    monkeypatch.setattr(time, "time", lambda: now + presence.ttl_seconds() + 1)
    assert presence.presence_others(issue=draft_issue, user=admin_user) == []
    assert beat(signed_in(admin_user), draft_issue).json()["others"] == []


def test_only_someone_who_may_edit_the_issue_now_is_recorded(
    draft_issue, issue_in, writer, reviewer, admin_user
):
    beat(signed_in(reviewer), draft_issue, where="meta")
    assert presence.presence_others(issue=draft_issue, user=admin_user) == []

    frozen = issue_in(IssueState.APPROVED, date=draft_issue.date.replace(day=2))
    assert beat(signed_in(writer), frozen, where="meta").status_code == 200
    assert presence.presence_others(issue=frozen, user=admin_user) == []


def test_an_unknown_place_counts_as_the_page_and_outsiders_are_refused(
    draft_issue, writer, admin_user, stranger
):
    beat(signed_in(writer), draft_issue, where="<script>")

    assert presence.presence_others(issue=draft_issue, user=admin_user)[0]["where"] == ""
    assert beat(Client(), draft_issue).status_code == 403
    assert beat(signed_in(stranger), draft_issue).status_code == 403
    assert signed_in(writer).get(reverse("newsroom:presence", args=[draft_issue.pk])).status_code == 405


def test_the_heartbeat_interval_comes_from_the_settings(draft_issue, writer, settings):
    settings.PRESENCE_HEARTBEAT_SECONDS = 1

    page = signed_in(writer).get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    assert 'data-interval="1"' in page
    assert beat(signed_in(writer), draft_issue).json()["interval"] == 1
