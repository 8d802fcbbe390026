"""A refused save answers 409 with the three-way merge of the two texts: merged when the edits do not overlap,
hunks with both texts when they do. Saving the merge on top of their version is an ordinary save."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Section

ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}
PARAGRAPH = "<p>国家数据局发布方案，推动算力网络建设。数据中心绿电消纳比例提升。</p>"


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json", **ACCEPT_JSON)


@pytest.fixture
def section(draft_issue, writer) -> Section:
    from editorial import services

    section = draft_issue.sections.get(position=1)
    return services.section_save(
        section=section, user=writer, data={"body": PARAGRAPH}, version=section.version
    )


@pytest.fixture
def two_writers(writer, admin_user):
    one, two = Client(), Client()
    one.force_login(writer)
    two.force_login(admin_user)
    return one, two


def section_data(section: Section, **changes) -> dict:
    data = {
        "headline": section.headline,
        "body": section.body,
        "analysis": section.analysis.body,
        "topics": "，".join(section.topics.values_list("name", flat=True)),
        "version": section.version,
    }
    return data | changes


def test_a_stale_save_of_another_sentence_answers_409_with_a_clean_merge(section, two_writers):
    one, two = two_writers
    url = reverse("newsroom:section_save", args=[section.pk])
    theirs = PARAGRAPH.replace("建设。", "建设，首批 8 个枢纽节点上线。")
    mine = PARAGRAPH.replace("比例提升", "比例明显提升")

    assert post_json(one, url, section_data(section, body=theirs)).status_code == 200
    refused = post_json(two, url, section_data(section, body=mine))

    assert refused.status_code == 409
    payload = refused.json()
    merge = payload["merge"]
    assert merge["clean"] is True
    assert merge["base_version"] == section.version
    assert merge["version"] == payload["current"]["version"] == section.version + 1
    body = merge["fields"]["body"]
    assert body["status"] == "merged"
    assert body["value"] == merge["values"]["body"]
    assert "首批 8 个枢纽节点上线" in body["value"] and "明显提升" in body["value"]
    assert [p["text"] for p in body["parts"] if p["origin"] == "theirs"] == ["，首批 8 个枢纽节点上线"]
    # Nothing was stored by the refused save.
    section.refresh_from_db()
    assert "明显提升" not in section.body

    # The page puts the merged values into its fields and saves them as it saves any edit: topics as one text.
    values = merge["values"] | {"topics": "，".join(merge["values"]["topics"])}
    saved = post_json(two, url, section_data(section, **values, version=merge["version"]))

    assert saved.status_code == 200
    section.refresh_from_db()
    assert "首批 8 个枢纽节点上线" in section.body and "明显提升" in section.body
    assert section.revisions.order_by("-number").first().data["body"] == section.body


def test_a_stale_save_of_the_same_words_answers_409_with_both_texts_in_a_hunk(section, two_writers):
    one, two = two_writers
    url = reverse("newsroom:section_save", args=[section.pk])

    post_json(one, url, section_data(section, body=PARAGRAPH.replace("比例提升", "比例大幅提升")))
    refused = post_json(two, url, section_data(section, body=PARAGRAPH.replace("比例提升", "比例稳步提高")))

    assert refused.status_code == 409
    merge = refused.json()["merge"]
    assert merge["clean"] is False and merge["values"] == {}
    body = merge["fields"]["body"]
    assert body["status"] == "conflict" and body["value"] is None
    (hunk,) = [part for part in body["parts"] if part["origin"] == "conflict"]
    assert "大幅" in hunk["theirs"]["text"]
    assert "稳步提高" in hunk["mine"]["text"]


def test_a_stale_save_of_the_issue_fields_merges_against_the_base_the_editor_sent(draft_issue, two_writers):
    one, two = two_writers
    url = reverse("newsroom:issue_meta_save", args=[draft_issue.pk])
    base = {"headline": "算力与数据", "summary": "第一句。第二句。", "number": draft_issue.number}
    post_json(one, url, base | {"version": draft_issue.version})
    draft_issue.refresh_from_db()
    started = draft_issue.version

    post_json(one, url, base | {"headline": "算力、数据与能源", "version": started})
    refused = post_json(
        two, url, base | {"summary": "第一句。补充的一句。第二句。", "version": started, "base": base}
    )

    assert refused.status_code == 409
    merge = refused.json()["merge"]
    assert merge["clean"] is True
    assert merge["values"]["headline"] == "算力、数据与能源"
    assert merge["values"]["summary"] == "第一句。补充的一句。第二句。"
    assert merge["version"] == started + 1


def test_a_form_post_without_javascript_still_gets_the_message_and_no_500(draft_issue, two_writers):
    one, two = two_writers
    url = reverse("newsroom:issue_meta_save", args=[draft_issue.pk])
    post_json(one, url, {"headline": "甲", "summary": "", "version": draft_issue.version})

    response = two.post(
        url, {"issue-headline": "乙", "issue-summary": "", "issue-version": draft_issue.version}
    )

    assert response.status_code == 302
    draft_issue.refresh_from_db()
    assert draft_issue.headline == "甲"
