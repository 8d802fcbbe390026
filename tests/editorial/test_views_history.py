"""Revision history of a section: who saved when, a readable diff between any two (escaped), restore."""

from __future__ import annotations

import pytest
from django.urls import reverse

from editorial import services
from editorial.views.diff import html_to_paragraphs, inline_diff


@pytest.fixture
def section(draft_issue, writer, writer2):
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section,
        user=writer2,
        data={"body": "<p>新闻1</p><p>第二段：数据要素改革。</p>", "topics": ["数据要素", "算力"]},
        version=1,
    )
    services.section_save(
        section=section,
        user=writer,
        data={"body": "<p>新闻一</p><p>第二段：数据要素改革。</p><p>新增 &lt;script&gt; 字样</p>"},
        version=2,
    )
    return section


def test_the_history_lists_every_save_with_who_and_when(client, reviewer, section):
    client.force_login(reviewer)

    response = client.get(reverse("newsroom:section_history", args=[section.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-test="revision"') == 3
    assert "writer2" in html
    # A reviewer reads the history but has no restore buttons.
    assert 'data-test="restore-1"' not in html


def test_the_diff_between_two_revisions_marks_insertions_and_deletions(client, writer, section):
    client.force_login(writer)

    response = client.get(reverse("newsroom:section_history", args=[section.pk]), {"a": 1, "b": 3})

    html = response.content.decode()
    assert "第 1 版 → 第 3 版" in html
    assert "新闻<del>1</del><ins>一</ins>" in html
    assert "<ins>第二段：数据要素改革。</ins>" in html
    # Text that looks like markup is shown, escaped, never run.
    assert "<ins>新增 &lt;script&gt; 字样</ins>" in html
    assert "<script> 字样" not in html


def test_a_bad_revision_number_falls_back_to_the_latest_two(client, writer, section):
    client.force_login(writer)

    response = client.get(reverse("newsroom:section_history", args=[section.pk]), {"a": "x", "b": "99"})

    assert response.status_code == 200
    assert "第 2 版 → 第 3 版" in response.content.decode()


def test_restoring_writes_a_new_revision(client, writer, section):
    client.force_login(writer)

    response = client.post(reverse("newsroom:section_restore", args=[section.pk, 1]), {"version": 3})

    assert response.status_code == 303
    section.refresh_from_db()
    assert section.body == "<p>新闻1</p>"
    assert section.version == 4
    assert list(section.revisions.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]
    assert list(section.topics.values_list("name", flat=True)) == ["数据要素"]


def test_restoring_from_a_stale_page_is_refused(client, writer, section):
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:section_restore", args=[section.pk, 1]),
        {"version": 2},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["version"] == 3
    section.refresh_from_db()
    assert section.version == 3


def test_paragraphs_come_from_block_boundaries():
    assert html_to_paragraphs("<p>甲&amp;乙</p><ul><li>一</li><li>二</li></ul>第三<br>第四") == [
        "甲&乙",
        "一",
        "二",
        "第三",
        "第四",
    ]


def test_a_character_diff_escapes_both_sides():
    assert inline_diff("a<b", "a<c") == "a&lt;<del>b</del><ins>c</ins>"
