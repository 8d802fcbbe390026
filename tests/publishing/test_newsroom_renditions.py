"""The newsroom's live view of renditions: status per kind, errors, and the files behind a newsroom login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from publishing.models import Rendition, RenditionStatus
from tests.publishing import renditions_support
from tests.publishing.renditions_support import submit_and_approve

media = renditions_support.media
fake_renderers = renditions_support.fake_renderers

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def approved(draft_issue, writer, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(draft_issue, writer=writer, reviewer=reviewer)
    return draft_issue


def test_a_writer_sees_every_kind_done_with_a_newsroom_link_to_its_file(client, writer, approved):
    client.force_login(writer)

    response = client.get(reverse("renditions:status", args=[approved.pk]), **JSON)

    assert response.status_code == 200
    data = response.json()
    assert data["all_done"] is True and data["any_failed"] is False
    assert {entry["kind"]: entry["status"] for entry in data["renditions"]} == {
        "pdf": "done",
        "wechat": "done",
        "web": "done",
    }
    pdf = next(entry for entry in data["renditions"] if entry["kind"] == "pdf")
    assert pdf["url"] == reverse("renditions:file", args=[pdf["id"]])
    download = client.get(pdf["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failed_render_shows_its_error(
    client, writer, draft_issue, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks
):
    fake_renderers.fail_always["wechat"] = ValueError("模板缺少二维码")
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(draft_issue, writer=writer, reviewer=reviewer)
    client.force_login(writer)

    data = client.get(reverse("renditions:status", args=[draft_issue.pk]), **JSON).json()
    page = client.get(reverse("renditions:status", args=[draft_issue.pk]))

    wechat = next(entry for entry in data["renditions"] if entry["kind"] == "wechat")
    assert wechat["status"] == "failed" and "模板缺少二维码" in wechat["error"]
    assert wechat["url"] is None and data["any_failed"] is True
    assert page.status_code == 200 and "模板缺少二维码" in page.content.decode()


def test_the_editor_of_an_approved_issue_carries_the_live_panel(client, writer, approved):
    client.force_login(writer)

    page = client.get(reverse("newsroom:editor", args=[approved.pk])).content.decode()

    assert 'data-test="renditions"' in page
    assert reverse("renditions:status", args=[approved.pk]) in page
    assert "publishing/renditions.js" in page


def test_a_draft_has_no_panel(client, writer, draft_issue):
    client.force_login(writer)

    page = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    assert 'data-test="renditions"' not in page


def test_outsiders_get_neither_status_nor_files(client, stranger, approved):
    rendition = Rendition.objects.filter(issue=approved, status=RenditionStatus.DONE).first()
    status_url = reverse("renditions:status", args=[approved.pk])
    file_url = reverse("renditions:file", args=[rendition.pk])

    assert client.get(status_url, **JSON).status_code == 403
    assert client.get(file_url).status_code == 302  # to the login page
    client.force_login(stranger)
    assert client.get(status_url, **JSON).status_code == 403
    assert client.get(file_url).status_code == 403


def test_unknown_issues_and_unfinished_renditions_are_404(client, writer, approved):
    client.force_login(writer)
    rendition = Rendition.objects.filter(issue=approved).first()
    Rendition.objects.filter(pk=rendition.pk).update(status=RenditionStatus.RUNNING)

    assert client.get(reverse("renditions:status", args=[999_999]), **JSON).status_code == 404
    assert client.get(reverse("renditions:file", args=[rendition.pk])).status_code == 404
