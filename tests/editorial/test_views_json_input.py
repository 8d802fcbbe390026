"""JSON bodies the newsroom's scripts never send: nested a hundred thousand levels deep, lists or objects where a
field holds text. Each gets a Chinese message and a 400, and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from editorial.models import Revision, Section

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50 + "1" + "}" * 50


@pytest.fixture
def section(draft_issue) -> Section:
    return draft_issue.sections.get(position=1)


def urls(section) -> list[str]:
    return [
        reverse("newsroom:section_save", args=[section.pk]),
        reverse("newsroom:issue_meta_save", args=[section.issue_id]),
        reverse("newsroom:presence", args=[section.issue_id]),
        reverse("newsroom:image_import"),
    ]


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array-100000-deep", "object-50-deep"])
def test_json_nested_too_deep_answers_400_with_a_message_on_every_endpoint(client, writer, section, body):
    client.force_login(writer)
    before = Section.objects.get(pk=section.pk).body

    for url in urls(section):
        response = client.post(
            url, body, content_type="application/json", headers={"Accept": "application/json"}
        )

        assert response.status_code == 400, url
        assert "请求格式错误" in response.json()["error"], url
    assert Section.objects.get(pk=section.pk).body == before


@pytest.mark.parametrize("value", [["<p>x</p>"], {"a": 1}], ids=["list", "object"])
@pytest.mark.parametrize("field", ["headline", "body", "analysis", "topics"])
def test_a_list_or_object_where_text_belongs_is_refused_and_nothing_is_stored(
    client, writer, section, field, value
):
    client.force_login(writer)
    data = {
        "headline": "条目一",
        "body": "<p>新闻</p>",
        "analysis": "",
        "topics": "",
        "version": section.version,
    }
    data[field] = value
    revisions = Revision.objects.filter(section=section).count()

    response = client.post(
        reverse("newsroom:section_save", args=[section.pk]),
        json.dumps(data),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert "应为文本或数字" in response.json()["error"]
    stored = Section.objects.get(pk=section.pk)
    assert (stored.version, Revision.objects.filter(section=section).count()) == (section.version, revisions)
    assert "['" not in stored.body and "{'" not in stored.body
