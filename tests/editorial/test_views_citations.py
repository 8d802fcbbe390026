"""The issue's 参考文献 in the editor: search sources, cite an existing one or create one inline, set the note
(用于…) and the sections it supports, remove and reorder; only while the issue is a draft."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from editorial.models import IssueState
from references.models import Citation, DatePrecision, Source, SourceKind

ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json", **ACCEPT_JSON)


@pytest.fixture
def sources(db) -> list[Source]:
    return [
        Source.objects.create(
            outlet="国家数据局",
            title="国家数据局专题研究国家数据专家咨询委员会委员意见建议",
            date=dt.date(2026, 6, 27),
        ),
        Source.objects.create(
            outlet="国家能源局", title="《非化石能源电力消费核算指南》解读", date=dt.date(2026, 6, 26)
        ),
        Source.objects.create(
            outlet="IEA", title="Energy and AI", date=dt.date(2026, 4, 1), date_precision=DatePrecision.MONTH
        ),
    ]


def test_searching_sources_by_outlet_or_title(client, writer, sources):
    client.force_login(writer)
    url = reverse("newsroom:source_search")

    by_outlet = client.get(url, {"q": "能源局"}, **ACCEPT_JSON).json()["results"]
    by_title = client.get(url, {"q": "energy ai"}, **ACCEPT_JSON).json()["results"]
    nothing = client.get(url, {"q": "不存在的机构"}, **ACCEPT_JSON).json()["results"]

    assert [r["outlet"] for r in by_outlet] == ["国家能源局"]
    assert by_title == [
        {
            "id": sources[2].pk,
            "outlet": "IEA",
            "title": "Energy and AI",
            "date": "2026-04",
            "url": "",
            "label": "IEA | Energy and AI | 2026-04",
        }
    ]
    assert nothing == []


def test_citing_an_existing_source_with_note_and_sections(client, writer, draft_issue, sources):
    first, second = draft_issue.sections.order_by("position")
    client.force_login(writer)

    response = post_json(
        client,
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {"source": sources[0].pk, "note": "用于数据要素改革分析", "sections": [first.pk, second.pk]},
    )

    assert response.status_code == 200
    citation = Citation.objects.get(issue=draft_issue)
    assert (citation.position, citation.source, citation.note) == (1, sources[0], "用于数据要素改革分析")
    assert set(citation.sections.all()) == {first, second}


def test_creating_a_source_inline_from_the_form(client, writer, draft_issue):
    first = draft_issue.sections.get(position=1)
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {
            "outlet": "国家能源局",
            "title": "可再生能源电力消纳责任权重和绿证交易衔接机制实施办法解读",
            "url": "https://www.nea.gov.cn/example",
            "date": "2026-06",
            "note": "用于绿电消费约束分析",
            "sections": [str(first.pk)],
        },
    )

    assert response.status_code == 303
    assert response["Location"].endswith("#references")
    source = Source.objects.get()
    assert (source.date, source.date_precision, source.date_display) == (
        dt.date(2026, 6, 1),
        "month",
        "2026-06",
    )
    assert source.kind == SourceKind.GOVERNMENT  # guessed from the outlet
    citation = Citation.objects.get()
    assert list(citation.sections.all()) == [first]


def test_an_inline_source_that_already_exists_is_reused(client, writer, draft_issue, sources):
    client.force_login(writer)

    post_json(
        client,
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {
            "outlet": " 国家数据局 ",
            "title": "国家数据局专题研究国家数据专家咨询委员会委员意见建议",
            "date": "2026-06-27",
        },
    )

    assert Source.objects.count() == 3
    assert Citation.objects.get().source == sources[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择已有来源"),
        ({"outlet": "国家数据局"}, "请选择已有来源"),
        ({"outlet": "国家数据局", "title": "标题", "date": "2026/06/27"}, "日期格式"),
        ({"outlet": "国家数据局", "title": "标题", "url": "javascript:alert(1)"}, "链接"),
        ({"source": 999999}, "所选来源不存在"),
    ],
)
def test_bad_citation_input_gets_a_message_and_changes_nothing(client, writer, draft_issue, data, message):
    client.force_login(writer)

    response = post_json(client, reverse("newsroom:citation_add", args=[draft_issue.pk]), data)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Citation.objects.count() == 0
    assert Source.objects.count() == 0


def test_citing_the_same_source_twice_is_refused(client, writer, draft_issue, sources):
    client.force_login(writer)
    url = reverse("newsroom:citation_add", args=[draft_issue.pk])
    post_json(client, url, {"source": sources[0].pk})

    response = post_json(client, url, {"source": sources[0].pk})

    assert response.status_code == 400
    assert "已在本期参考文献中" in response.json()["error"]
    assert Citation.objects.count() == 1


def test_a_section_of_another_issue_cannot_be_supported(client, writer, draft_issue, make_issue, sources):
    other = make_issue(date=dt.date(2026, 7, 2))
    client.force_login(writer)

    response = post_json(
        client,
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {"source": sources[0].pk, "sections": [other.sections.first().pk]},
    )

    assert response.status_code == 400
    assert Citation.objects.count() == 0


def test_updating_the_note_and_sections(client, writer, draft_issue, sources):
    first, second = draft_issue.sections.order_by("position")
    citation = Citation.objects.create(issue=draft_issue, source=sources[0], position=1, note="旧用途")
    citation.sections.set([first])
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:citation_update", args=[citation.pk]),
        {"note": "用于新用途", "sections": [second.pk]},
    )

    assert response.status_code == 303
    citation.refresh_from_db()
    assert citation.note == "用于新用途"
    assert list(citation.sections.all()) == [second]


def test_removing_a_citation_renumbers_the_rest(client, writer, draft_issue, sources):
    a, b, c = (
        Citation.objects.create(issue=draft_issue, source=source, position=n)
        for n, source in enumerate(sources, start=1)
    )
    client.force_login(writer)

    client.post(reverse("newsroom:citation_remove", args=[a.pk]))

    assert list(Citation.objects.order_by("position").values_list("pk", "position")) == [(b.pk, 1), (c.pk, 2)]


def test_reordering_citations(client, writer, draft_issue, sources):
    a, b, c = (
        Citation.objects.create(issue=draft_issue, source=source, position=n)
        for n, source in enumerate(sources, start=1)
    )
    client.force_login(writer)

    response = post_json(
        client, reverse("newsroom:citations_reorder", args=[draft_issue.pk]), {"order": [c.pk, a.pk, b.pk]}
    )

    assert response.status_code == 200
    assert list(Citation.objects.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_citations_of_an_issue_in_review_are_frozen(client, writer, issue_in, sources):
    issue = issue_in(IssueState.IN_REVIEW)
    client.force_login(writer)

    response = post_json(client, reverse("newsroom:citation_add", args=[issue.pk]), {"source": sources[0].pk})

    assert response.status_code == 409
    assert "冻结" in response.json()["error"]
    assert Citation.objects.count() == 0


def test_the_editor_lists_citations_with_their_sections(client, writer, draft_issue, sources):
    first = draft_issue.sections.get(position=1)
    citation = Citation.objects.create(issue=draft_issue, source=sources[1], position=1, note="用于能源核算")
    citation.sections.set([first])
    client.force_login(writer)

    html = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()

    assert 'data-test="citation"' in html
    assert "国家能源局 | 《非化石能源电力消费核算指南》解读 | 2026-06-26" in html
    assert 'value="用于能源核算"' in html
    assert f'value="{first.pk}" checked' in html
    assert 'data-test="source-search"' in html
