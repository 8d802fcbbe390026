"""The issue editor: the page, autosave with the version it started from, conflicts that keep both texts,
the issue's own fields, adding, deleting and reordering sections."""

from __future__ import annotations

import json
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from editorial import services
from editorial.models import Issue, IssueState, Revision, Section

ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json", **ACCEPT_JSON)


def save_url(section) -> str:
    return reverse("newsroom:section_save", args=[section.pk])


def section_data(**changes) -> dict:
    data = {
        "headline": "第1条标题",
        "body": "<p>新闻1</p>",
        "analysis": "<p>评析1</p>",
        "topics": "数据要素",
        "version": 1,
    }
    return data | changes


@pytest.fixture
def first(draft_issue) -> Section:
    return draft_issue.sections.get(position=1)


# --- the page --------------------------------------------------------------------------------------------


def test_the_editor_shows_every_section_with_ckeditor_and_autosave(client, writer, draft_issue):
    client.force_login(writer)

    response = client.get(reverse("newsroom:editor", args=[draft_issue.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-test="section"') == 2
    assert html.count("django_ckeditor_5") >= 4  # body and analysis of each section
    assert "django_ckeditor_5/dist/bundle.js" in html
    assert "editorial/editor.js" in html
    assert html.count("data-autosave") == 3  # the issue's fields and the two sections
    assert reverse("newsroom:upload") in html
    assert html.count("<h1") == 1
    assert 'data-test="submit-issue"' in html


def test_the_move_buttons_submit_the_order_with_the_section_swapped_with_its_neighbour(
    client, writer, draft_issue
):
    client.force_login(writer)
    draft_issue.sections.create(position=3, headline="第三条")
    one, two, three = (s.pk for s in draft_issue.sections.order_by("position"))

    html = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()
    orders = dict(
        re.findall(r'<form id="(move-(?:up|down)-\d+)"[^>]*>.*?name="order" value="([\d,]+)"', html)
    )

    assert orders == {
        f"move-down-{one}": f"{two},{one},{three}",
        f"move-up-{two}": f"{two},{one},{three}",
        f"move-down-{two}": f"{one},{three},{two}",
        f"move-up-{three}": f"{one},{three},{two}",
    }
    response = client.post(
        reverse("newsroom:sections_reorder", args=[draft_issue.pk]), {"order": orders[f"move-up-{three}"]}
    )
    assert response.status_code == 303
    assert list(draft_issue.sections.order_by("position").values_list("pk", flat=True)) == [one, three, two]


def test_the_editor_is_read_only_for_a_reviewer(client, reviewer, draft_issue):
    client.force_login(reviewer)

    html = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    assert "data-autosave" not in html
    assert "django_ckeditor_5" not in html
    assert "没有修改内容的权限" in html
    assert "<p>新闻1</p>" in html


def test_the_editor_of_an_approved_issue_is_frozen(client, writer, issue_in):
    issue = issue_in(IssueState.APPROVED)
    client.force_login(writer)

    html = client.get(reverse("newsroom:editor", args=[issue.pk])).content.decode()

    assert "data-autosave" not in html
    assert "内容已冻结" in html
    assert 'data-test="submit-issue"' not in html


def test_a_returned_issue_shows_the_reason_in_the_editor(client, writer, reviewer, issue_in):
    from editorial import workflow

    issue = issue_in(IssueState.IN_REVIEW)
    workflow.issue_return(issue=issue, user=reviewer, reason="第二条缺少数据来源")
    client.force_login(writer)

    html = client.get(reverse("newsroom:editor", args=[issue.pk])).content.decode()

    assert 'data-test="return-reason"' in html
    assert "第二条缺少数据来源" in html


# --- autosave ---------------------------------------------------------------------------------------------


def test_an_autosave_stores_the_text_and_answers_the_new_version(client, writer, first):
    client.force_login(writer)

    response = post_json(
        client, save_url(first), section_data(body="<p>改写后的新闻</p>", topics="数据要素，算力、 绿电")
    )

    assert response.status_code == 200
    payload = response.json()
    assert payload["version"] == 2
    assert len(payload["saved_at_display"]) == 8  # 10:42:03
    first.refresh_from_db()
    assert first.body == "<p>改写后的新闻</p>"
    assert sorted(first.topics.values_list("name", flat=True)) == ["数据要素", "算力", "绿电"]
    assert list(first.revisions.order_by("number").values_list("number", "author__username")) == [
        (1, "writer"),
        (2, "writer"),
    ]


def test_script_in_a_saved_body_is_removed(client, writer, first):
    client.force_login(writer)

    post_json(
        client, save_url(first), section_data(body='<p onclick="x()">正文<script>alert(1)</script></p>')
    )

    first.refresh_from_db()
    assert first.body == "<p>正文</p>"


def test_a_save_from_a_stale_version_is_refused_with_both_texts(client, writer, writer2, first):
    """Two writers start from version 1; the second save is refused with 409, carrying what is stored now
    and what was refused, and after merging on top of the new version both texts are in the history."""
    one, two = Client(), Client()
    one.force_login(writer)
    two.force_login(writer2)

    first_save = post_json(one, save_url(first), section_data(body="<p>甲的版本</p>"))
    second_save = post_json(two, save_url(first), section_data(body="<p>乙的版本</p>"))

    assert first_save.status_code == 200
    assert second_save.status_code == 409
    conflict = second_save.json()
    assert "其他人已在您之后保存" in conflict["error"]
    assert conflict["current"]["body"] == "<p>甲的版本</p>"
    assert conflict["current"]["version"] == 2
    assert conflict["current"]["author"] == "writer"
    assert conflict["submitted"]["body"] == "<p>乙的版本</p>"
    first.refresh_from_db()
    assert first.body == "<p>甲的版本</p>"
    assert first.revisions.count() == 2

    # "Keep mine": save again on top of their version; theirs stays in the history.
    merged = post_json(two, save_url(first), section_data(body="<p>乙的版本</p>", version=2))

    assert merged.status_code == 200
    bodies = list(first.revisions.order_by("number").values_list("data__body", flat=True))
    assert bodies == ["<p>新闻1</p>", "<p>甲的版本</p>", "<p>乙的版本</p>"]


def test_a_form_post_from_a_stale_version_returns_to_the_editor_with_a_message(client, writer, first):
    services.section_save(section=first, user=writer, data={"body": "<p>先保存的</p>"}, version=1)
    client.force_login(writer)
    prefix = f"s{first.pk}-"

    response = client.post(
        save_url(first),
        {prefix + "headline": "标题", prefix + "body": "<p>后保存的</p>", prefix + "version": "1"},
        follow=True,
    )

    assert response.status_code == 200
    assert "其他人已在您之后保存" in response.content.decode()
    first.refresh_from_db()
    assert first.body == "<p>先保存的</p>"


def test_an_empty_headline_is_refused_with_a_message(client, writer, first):
    client.force_login(writer)

    response = post_json(client, save_url(first), section_data(headline="  "))

    assert response.status_code == 400
    assert "标题" in response.json()["error"]
    first.refresh_from_db()
    assert (first.headline, first.version) == ("第1条标题", 1)


def test_a_save_without_a_version_is_refused(client, writer, first):
    client.force_login(writer)

    response = post_json(client, save_url(first), {"headline": "新", "body": "<p>x</p>"})

    assert response.status_code == 400
    first.refresh_from_db()
    assert first.version == 1


def test_malformed_json_is_a_clear_400(client, writer, first):
    client.force_login(writer)

    response = client.post(save_url(first), data="{not json", content_type="application/json", **ACCEPT_JSON)

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_saving_into_an_issue_in_review_is_a_409(client, writer, issue_in):
    issue = issue_in(IssueState.IN_REVIEW)
    section = issue.sections.get(position=1)
    client.force_login(writer)

    response = post_json(client, save_url(section), section_data(body="<p>偷偷改</p>"))

    assert response.status_code == 409
    assert "冻结" in response.json()["error"]
    section.refresh_from_db()
    assert section.body == "<p>新闻1</p>"


def test_a_reviewer_may_edit_when_the_series_allows_it(client, reviewer, draft_issue, first):
    client.force_login(reviewer)
    assert post_json(client, save_url(first), section_data(body="<p>审核人改</p>")).status_code == 403

    draft_issue.series.reviewers_may_edit = True
    draft_issue.series.save()

    assert post_json(client, save_url(first), section_data(body="<p>审核人改</p>")).status_code == 200


# --- the issue's own fields -----------------------------------------------------------------------------


def test_the_issue_fields_autosave_and_conflict(client, writer, writer2, draft_issue):
    url = reverse("newsroom:issue_meta_save", args=[draft_issue.pk])
    one, two = Client(), Client()
    one.force_login(writer)
    two.force_login(writer2)

    ok = post_json(one, url, {"headline": "新标题", "summary": "新摘要", "number": 7, "version": 1})
    stale = post_json(two, url, {"headline": "另一个标题", "summary": "", "version": 1})

    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["current"]["headline"] == "新标题"
    assert stale.json()["submitted"]["headline"] == "另一个标题"
    draft_issue.refresh_from_db()
    assert (draft_issue.headline, draft_issue.summary, draft_issue.number) == ("新标题", "新摘要", 7)


# --- sections --------------------------------------------------------------------------------------------


def test_adding_a_section_appends_it_and_redirects_to_it(client, writer, draft_issue):
    client.force_login(writer)

    response = client.post(reverse("newsroom:section_create", args=[draft_issue.pk]), {"headline": "第三条"})

    section = draft_issue.sections.get(position=3)
    assert response.status_code == 303
    assert response["Location"].endswith(f"#section-{section.pk}")
    assert (section.headline, section.author.username) == ("第三条", "writer")


def test_adding_a_section_without_a_headline_changes_nothing(client, writer, draft_issue):
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:section_create", args=[draft_issue.pk]), {"headline": ""}, follow=True
    )

    assert "新条目标题" in response.content.decode()
    assert draft_issue.sections.count() == 2


def test_deleting_a_section_renumbers_the_rest(client, writer, draft_issue, first):
    client.force_login(writer)

    response = client.post(reverse("newsroom:section_delete", args=[first.pk]))

    assert response.status_code == 303
    assert list(draft_issue.sections.values_list("position", "headline")) == [(1, "第2条标题")]


def test_reordering_sections_from_the_move_buttons(client, writer, draft_issue):
    a, b = draft_issue.sections.order_by("position")
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:sections_reorder", args=[draft_issue.pk]), {"order": f"{b.pk},{a.pk}"}
    )

    assert response.status_code == 303
    assert list(draft_issue.sections.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]


@pytest.mark.parametrize("order", ["1,2,3", "abc", ""])
def test_a_bad_order_is_refused_and_changes_nothing(client, writer, draft_issue, order):
    before = list(draft_issue.sections.order_by("position").values_list("pk", flat=True))
    client.force_login(writer)

    response = post_json(
        client, reverse("newsroom:sections_reorder", args=[draft_issue.pk]), {"order": order}
    )

    assert response.status_code == 400
    assert response.json()["error"]
    assert list(draft_issue.sections.order_by("position").values_list("pk", flat=True)) == before


# --- creating an issue ------------------------------------------------------------------------------------


def test_a_writer_creates_an_issue_and_lands_in_its_editor(client, writer, series):
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:issue_create"), {"series": series.pk, "date": "2026-07-02", "headline": "新的一期"}
    )

    issue = Issue.objects.get(date="2026-07-02")
    assert response.status_code == 303
    assert response["Location"] == reverse("newsroom:editor", args=[issue.pk])
    assert (issue.headline, issue.created_by.username, issue.state) == (
        "新的一期",
        "writer",
        IssueState.DRAFT,
    )


def test_a_duplicate_date_is_a_message_not_an_error(client, writer, draft_issue, series):
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:issue_create"), {"series": series.pk, "date": "2026-07-01"}, follow=True
    )

    assert response.status_code == 200
    assert "2026-07-01 的期刊已经存在" in response.content.decode()
    assert Issue.objects.count() == 1


def test_an_invalid_date_shows_the_form_again(client, writer, series):
    client.force_login(writer)

    response = client.post(reverse("newsroom:issue_create"), {"series": series.pk, "date": "明天"})

    assert response.status_code == 400
    assert Issue.objects.count() == 0


# --- PostgreSQL: real row locks ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_autosaves_from_the_same_version_at_once_keep_both_texts(draft_issue, writer, writer2):
    section = draft_issue.sections.get(position=1)
    clients = []
    for user in (writer, writer2):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def save(index, body):
        try:
            barrier.wait(timeout=10)
            results[index] = post_json(clients[index], save_url(section), section_data(body=body))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(0, "<p>甲的版本</p>")),
        threading.Thread(target=save, args=(1, "<p>乙的版本</p>")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409]
    loser = next(r for r in results if r.status_code == 409).json()
    section.refresh_from_db()
    assert section.version == 2
    assert loser["current"]["body"] == section.body
    assert {section.body, loser["submitted"]["body"]} == {"<p>甲的版本</p>", "<p>乙的版本</p>"}
    assert Revision.objects.filter(section=section).count() == 2


def test_the_issue_fields_conflict_panel_promises_no_history_they_do_not_keep(client, writer, draft_issue):
    client.force_login(writer)

    html = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    # The issue's own fields keep no revisions; each section's panel may point at its history.
    assert html.count("合并结果会在对方版本之上保存；") == 1
    assert html.count("对方的版本仍留在历史版本中") == draft_issue.sections.count()
