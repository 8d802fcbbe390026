"""The page cache follows publication: publishing, correcting, withdrawing and importing an issue (and saving a
published one in the admin) show at once on the cached pages and in search."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache

from editorial import workflow
from editorial.models import Issue, Section
from publishing import cache as page_cache
from publishing.models import SearchEntry
from references.importing import import_bulletin
from tests.conftest import SAMPLE
from tests.publishing import archive_support, renditions_support
from tests.publishing.archive_support import S, mark_issue, set_state

clean_cache = archive_support.clean_cache
media = renditions_support.media
fake_renderers = renditions_support.fake_renderers


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the workflow schedules after commit (the issue_transitioned receivers) as it would in production."""

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


@pytest.fixture
def rendered(media, eager, fake_renderers):
    """Approving and publishing request renditions: render them with the fake renderers."""
    return fake_renderers


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_publishing_an_issue_shows_it_on_the_cached_pages(
    client, make_issue, writer, reviewer, admin_user, on_commit, rendered
):
    set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "旧一期"), S.PUBLISHED)
    assert "旧一期标题" in page(client, "/")
    assert "“新一期”：共 0 条结果" in page(client, "/search/?q=新一期")
    issue = mark_issue(make_issue(dt.date(2026, 7, 2)), "新一期")
    on_commit(workflow.issue_submit, issue=issue, user=writer)
    on_commit(workflow.issue_approve, issue=issue, user=reviewer)
    assert "新一期标题" not in page(client, "/")
    on_commit(workflow.issue_publish, issue=issue, user=admin_user)
    assert "新一期标题" in page(client, "/")
    assert 'href="/issues/2026-07-02/"' in page(client, "/archive/2026/07/")
    assert "“新一期”：共 2 条结果" in page(client, "/search/?q=新一期")
    assert "/issues/2026-07-02/" in page(client, "/feed/")


def test_correcting_an_issue_updates_its_page_and_search(client, make_issue, admin_user, on_commit, rendered):
    issue = set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "更正前"), S.PUBLISHED)
    assert "更正前条目" in page(client, "/issues/2026-07-01/")
    etag = client.get("/issues/2026-07-01/")["ETag"]

    def change(locked: Issue) -> None:
        Section.objects.filter(issue=locked, position=1).update(headline="更正后条目")

    on_commit(
        workflow.issue_correct, issue=issue, user=admin_user, note="第一条标题有误，已更正。", changes=change
    )
    corrected = page(client, "/issues/2026-07-01/")
    assert "更正后条目" in corrected and "更正前条目" not in corrected
    assert "第一条标题有误，已更正。" in corrected
    assert client.get("/issues/2026-07-01/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert "“更正后”：共 1 条结果" in page(client, "/search/?q=更正后")
    assert "“更正前条目”：共 0 条结果" in page(client, "/search/?q=更正前条目")


def test_withdrawing_an_issue_removes_it_everywhere_at_once(client, make_issue, admin_user, on_commit):
    set_state(mark_issue(make_issue(dt.date(2026, 6, 30)), "留下"), S.PUBLISHED)
    issue = set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "撤回"), S.PUBLISHED)
    for path in ("/", "/issues/2026-07-01/", "/archive/", "/sitemap.xml", "/feed/", "/search/?q=撤回"):
        page(client, path)
    on_commit(workflow.issue_withdraw, issue=issue, user=admin_user, reason="内容有误")
    assert client.get("/issues/2026-07-01/").status_code == 404
    home = page(client, "/")
    assert "留下标题" in home and "撤回标题" not in home
    assert "/issues/2026-07-01/" not in page(client, "/sitemap.xml")
    assert "/issues/2026-07-01/" not in page(client, "/feed/")
    assert "“撤回”：共 0 条结果" in page(client, "/search/?q=撤回")
    assert not SearchEntry.objects.filter(issue=issue).exists()


def test_importing_a_published_bulletin_shows_it_at_once(
    client, settings, series, make_issue, on_commit, rendered
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    set_state(mark_issue(make_issue(dt.date(2026, 6, 1)), "较早"), S.PUBLISHED)
    assert "较早标题" in page(client, "/")
    on_commit(import_bulletin, text=SAMPLE.read_text(encoding="utf-8"), series=series, publish=True)
    home = page(client, "/")
    assert (
        "2026 年 6 月 28 日" in home
        and 'rel="canonical" href="http://127.0.0.1:8000/issues/2026-06-28/"' in home
    )
    assert 'id="previous-issue" rel="prev" href="/issues/2026-06-01/"' in home
    assert "“数据产权即服务”：共" in page(client, "/search/?q=数据产权即服务")
    assert "共 0 条结果" not in page(client, "/search/?q=数据产权即服务")


def test_saving_a_published_issue_outside_the_workflow_expires_the_pages_once_committed(
    client, make_issue, django_capture_on_commit_callbacks
):
    issue = set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "原来"), S.PUBLISHED)
    assert "原来标题" in page(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        issue.headline = "管理后台改过的标题"
        issue.save()
        # Not before the commit: a reader now would cache the old page under the new version.
        assert "原来标题" in page(client, "/")
    assert "管理后台改过的标题" in page(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        issue.delete()
    assert "还没有已发布的期刊" in page(client, "/")


def test_a_draft_transition_leaves_the_cache_alone(client, make_issue, writer, on_commit):
    set_state(make_issue(dt.date(2026, 7, 1)), S.PUBLISHED)
    page(client, "/")
    version = page_cache.publication_version()
    draft = make_issue(dt.date(2026, 7, 2))
    on_commit(workflow.issue_submit, issue=draft, user=writer)
    assert page_cache.publication_version() == version


def test_a_lost_cache_version_starts_a_new_one_instead_of_reusing_old_pages(client, make_issue):
    set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "第一版"), S.PUBLISHED)
    assert "第一版标题" in page(client, "/")
    cache.delete(page_cache.VERSION_KEY)  # Redis restarted, say
    page_cache.reset_local_cache()  # and this is a process that starts afterwards
    Issue.objects.filter(date=dt.date(2026, 7, 1)).update(headline="第二版标题")
    assert "第二版标题" in page(client, "/")


def test_a_change_made_by_another_process_shows_here_within_the_recheck_interval(
    client, make_issue, monkeypatch
):
    set_state(mark_issue(make_issue(dt.date(2026, 7, 1)), "第一版"), S.PUBLISHED)
    assert "第一版标题" in page(client, "/")
    Issue.objects.filter(date=dt.date(2026, 7, 1)).update(headline="第二版标题")
    # Another process bumps the version in the shared cache; this one has read it a moment ago.
    cache.set(page_cache.VERSION_KEY, page_cache.publication_version() + 1, timeout=None)
    assert "第一版标题" in page(client, "/")
    later = time.monotonic() + page_cache.VERSION_RECHECK + 0.1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "第二版标题" in page(client, "/")


def test_the_pages_kept_in_process_memory_are_bounded():
    local = page_cache._Recent(250, lambda entry: len(entry["body"]))
    for n in range(5):
        local.put(f"page-{n}", {"version": 1, "body": b"x" * 100})
    assert list(local.entries) == ["page-3", "page-4"]
    assert local.size == 200
    assert local.get("page-4", 1) is not None and local.get("page-4", 2) is None
    local.put("page-4", {"version": 2, "body": b"y" * 50})
    assert local.size == 150 and local.get("page-4", 2)["body"] == b"y" * 50
