"""Every stored text is cleaned at the model layer, whichever way it reaches the database, and forms report a
value that cleans to nothing as missing."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from editorial import comments, services, workflow
from editorial.errors import InvalidInput
from editorial.forms import CitationForm, CommentForm, IssueMetaForm, SectionCreateForm, SectionForm
from editorial.models import (
    Analysis,
    Correction,
    Issue,
    IssueEvent,
    IssueState,
    ReviewComment,
    Section,
    Series,
    Topic,
)
from references.models import Citation, Source, source_fingerprint

# (raw, as a multi-line text, as a single-line text)
DIRTY = {
    "vertical-tab": ("第一行\x0b第二行", "第一行\n第二行", "第一行 第二行"),
    "controls": ("数\x00据\x1b要\x7f素\x85", "数据要素", "数据要素"),
    "nonchars": ("绿\ufffe电\uffff", "绿电", "绿电"),
    "crlf-u2028": ("甲\r\n乙\u2028丙", "甲\n乙\n丙", "甲 乙 丙"),
    "bom-zwsp-shy": ("\ufeff算力\u00ad网络\u200b", "算力网络", "算力网络"),
    "indent": ("\u3000\u3000第二段\xa0", "第二段", "第二段"),
    "emoji-zwj": ("程序员👩\u200d💻", "程序员👩\u200d💻", "程序员👩\u200d💻"),
}


@pytest.fixture
def objects(series, writer, reviewer):
    """One row of every model with typed text, made through the services where they exist."""
    issue = services.issue_create(series=series, date=dt.date(2026, 7, 1), user=writer, headline="标题")
    section = services.section_create(issue=issue, user=writer, headline="条目", body="<p>新闻</p>")
    source = Source.objects.create(outlet="国家数据局", title="通知", date=dt.date(2026, 6, 27))
    return {
        Series: series,
        Issue: issue,
        Section: section,
        Analysis: Analysis.objects.get(section=section),
        Topic: Topic.objects.create(name="主题", slug="zhuti"),
        Correction: Correction.objects.create(issue=issue, note="更正", author=writer),
        ReviewComment: ReviewComment.objects.create(issue=issue, author=reviewer, body="意见"),
        Source: source,
        Citation: Citation.objects.create(issue=issue, source=source, position=1, note="用于"),
    }


# (model, field, multi-line)
PLAIN_FIELDS = [
    (Series, "title", False),
    (Series, "publisher", False),
    (Series, "producers", False),
    (Series, "contact_heading", False),
    (Issue, "headline", False),
    (Issue, "summary", True),
    (Section, "headline", False),
    (Topic, "name", False),
    (Correction, "note", True),
    (ReviewComment, "body", True),
    (Source, "outlet", False),
    (Source, "title", False),
    (Citation, "note", False),
]
FIELD_IDS = [f"{model.__name__}.{field}" for model, field, _multi in PLAIN_FIELDS]


def stored(model, pk, field):
    return model.objects.filter(pk=pk).values_list(field, flat=True).get()


@pytest.mark.parametrize(("model", "field", "multi"), PLAIN_FIELDS, ids=FIELD_IDS)
@pytest.mark.parametrize(("raw", "as_multi", "as_single"), DIRTY.values(), ids=DIRTY.keys())
def test_plain_text_is_cleaned_on_save(objects, model, field, multi, raw, as_multi, as_single):
    instance = objects[model]
    setattr(instance, field, raw)

    instance.save()

    expected = as_multi if multi else as_single
    assert stored(model, instance.pk, field) == expected
    assert getattr(instance, field) == expected  # the object in memory holds what the database holds


@pytest.mark.parametrize(("model", "field", "multi"), PLAIN_FIELDS, ids=FIELD_IDS)
def test_plain_text_is_cleaned_on_queryset_update_and_bulk_update(objects, model, field, multi):
    instance = objects[model]
    raw, as_multi, as_single = DIRTY["vertical-tab"]

    model.objects.filter(pk=instance.pk).update(**{field: raw})
    assert stored(model, instance.pk, field) == (as_multi if multi else as_single)

    setattr(instance, field, "\ufeff新\u200b值\x1b")
    model.objects.bulk_update([instance], [field])
    assert stored(model, instance.pk, field) == "新值"


def test_plain_text_is_cleaned_on_bulk_create(series):
    issues = Issue.objects.bulk_create(
        [
            Issue(
                series=series, date=dt.date(2026, 7, 1), headline="标\u200b题\x0b", summary="第一行\x0b第二行"
            )
        ]
    )

    assert Issue.objects.filter(pk=issues[0].pk).values_list("headline", "summary").get() == (
        "标题",
        "第一行\n第二行",
    )


@pytest.mark.parametrize(("raw", "as_multi", "_single"), DIRTY.values(), ids=DIRTY.keys())
def test_event_comments_are_cleaned_though_append_only(objects, writer, raw, as_multi, _single):
    issue = objects[Issue]

    event = IssueEvent.objects.create(
        issue=issue, transition="return", from_state="in_review", to_state="draft", actor=writer, comment=raw
    )

    assert stored(IssueEvent, event.pk, "comment") == as_multi


def test_masthead_footer_rows_are_cleaned(series):
    series.footer_blocks.create(position=2, title="\ufeff关于\u200b我们", body="第一行\x0b第二行\x00")
    series.qr_codes.create(position=2, label="官方\u00ad公众号", url="https://gyznswn.cn/\u200b")
    Series.objects.filter(pk=series.pk).update(producers="博雅\x0b云创")

    series.refresh_from_db()
    assert list(series.footer_blocks.filter(position=2).values_list("title", "body")) == [
        ("关于我们", "第一行\n第二行")
    ]
    assert list(series.qr_codes.filter(position=2).values_list("label", "url")) == [
        ("官方公众号", "https://gyznswn.cn/")
    ]
    assert series.producers == "博雅 云创"


def test_a_source_address_is_cleaned(objects):
    source = objects[Source]

    source.url = "\ufeffhttps://www.gov.cn/\u200bzhengce/a.html\x0b"
    source.save()

    assert stored(Source, source.pk, "url") == "https://www.gov.cn/zhengce/a.html"


def test_sources_spelled_with_invisible_characters_are_the_same_source(objects):
    plain = objects[Source]

    assert (
        source_fingerprint(
            outlet="国家\u200b数据局\x0b", title="通\u00ad知", date=dt.date(2026, 6, 27), precision="day"
        )
        == plain.fingerprint
    )


RICH = {
    "word-paste": ("<p>&nbsp;</p><p>&nbsp;</p><p>\u3000\u3000第二段</p><p><br></p>", "<p>第二段</p>"),
    "script": ("<script>alert('x')</script>", ""),
    "style": ("<style>p{color:red}</style><p>正文</p>", "<p>正文</p>"),
    "javascript-link": ('<p><a href="javascript:alert(1)">点我</a></p>', "<p>点我</p>"),
    "data-link": ('<p><a href="data:text/html,x">点我</a></p>', "<p>点我</p>"),
    "outside-img": ('<p>图<img src="https://example.com/photo.jpg"></p>', "<p>图</p>"),
    "own-img": (
        '<p><img src="/media/newsroom/2026/07/a.png" alt="图"></p>',
        '<p><img src="/media/newsroom/2026/07/a.png" alt="图"></p>',
    ),
    "br-only": ("<p><br><br></p><p>正文<br></p>", "<p>正文</p>"),
    "controls": ("<p>数\x00据\x0b要\u2028素\ufeff</p>", "<p>数据\n要\n素</p>"),
    "emoji-zwj": ("<p>👩\u200d💻</p>", "<p>👩\u200d💻</p>"),
}


@pytest.mark.parametrize("model", [Section, Analysis])
@pytest.mark.parametrize(("raw", "expected"), RICH.values(), ids=RICH.keys())
def test_rich_text_is_cleaned_on_save_and_update(objects, model, raw, expected):
    instance = objects[model]
    instance.body = raw
    instance.save()
    assert stored(model, instance.pk, "body") == expected

    model.objects.filter(pk=instance.pk).update(body=raw)
    assert stored(model, instance.pk, "body") == expected


# --- Forms and services: a value that cleans to nothing is missing ------------------------------------------

REQUIRED = "这个字段是必填项。"
INVISIBLE_ONLY = "\u200b\ufeff \u3000\x0b\u00ad"


def test_a_section_headline_of_invisible_characters_is_required(objects):
    section = objects[Section]
    form = SectionForm(data={"headline": INVISIBLE_ONLY, "version": 1})

    assert not form.is_valid()
    assert form.errors["headline"] == [REQUIRED]
    assert not SectionCreateForm(data={"headline": INVISIBLE_ONLY}).is_valid()
    assert SectionCreateForm(data={"headline": INVISIBLE_ONLY}).errors["headline"] == [REQUIRED]
    assert section.headline == "条目"


def test_a_comment_of_invisible_characters_is_required(objects):
    form = CommentForm(data={"body": INVISIBLE_ONLY}, issue=objects[Issue])

    assert not form.is_valid()
    assert form.errors["body"] == [REQUIRED]


def test_forms_give_the_cleaned_values(objects):
    meta = IssueMetaForm(data={"headline": "标\u200b题\x0b", "summary": "第一行\x0b第二行", "version": 1})
    citation = CitationForm(
        data={"outlet": "国家\u200b数据局", "title": "通\u00ad知", "url": "\ufeffhttps://www.gov.cn/"},
        issue=objects[Issue],
    )

    assert meta.is_valid(), meta.errors
    assert meta.cleaned_data["headline"] == "标题"
    assert meta.cleaned_data["summary"] == "第一行\n第二行"
    assert citation.is_valid(), citation.errors
    assert (
        citation.cleaned_data["outlet"],
        citation.cleaned_data["title"],
        citation.cleaned_data["url"],
    ) == (
        "国家数据局",
        "通知",
        "https://www.gov.cn/",
    )


def test_a_new_source_of_invisible_characters_is_refused_by_the_form(objects):
    form = CitationForm(data={"outlet": INVISIBLE_ONLY, "title": INVISIBLE_ONLY}, issue=objects[Issue])

    assert not form.is_valid()


def test_services_refuse_texts_that_clean_to_nothing(objects, writer, reviewer):
    issue = objects[Issue]

    with pytest.raises(InvalidInput):
        services.section_create(issue=issue, user=writer, headline=INVISIBLE_ONLY)
    with pytest.raises(InvalidInput):
        comments.comment_add(issue=issue, user=reviewer, body=INVISIBLE_ONLY)
    workflow.issue_submit(issue=issue, user=writer)
    with pytest.raises(InvalidInput):
        workflow.issue_return(issue=Issue.objects.get(pk=issue.pk), user=reviewer, reason=INVISIBLE_ONLY)
    assert Issue.objects.get(pk=issue.pk).state == IssueState.IN_REVIEW


def test_topics_typed_with_invisible_characters_are_the_existing_topic(objects):
    existing = objects[Topic]

    topics = services.topics_from_names(["主\u200b题", "\ufeff主题\x0b", "新\u00ad主题"])

    assert [topic.name for topic in topics] == ["主题", "主题", "新主题"]
    assert topics[0].pk == existing.pk
    assert Topic.objects.count() == 2


# --- The case of the issue: a soft return in the summary, then the feeds ------------------------------------


def test_a_summary_with_a_soft_return_is_stored_clean_and_the_feeds_stay_valid_xml(
    client, settings, make_issue
):
    from tests.publishing.archive_support import S, set_state

    settings.SITE_URL = "https://bulletin.example.org"
    issue = make_issue(dt.date(2026, 7, 1))
    services.issue_update(
        issue=issue,
        user=issue.created_by,
        data={"summary": "第一行\x0b第二行", "headline": "标题\x1b\ufffe"},
        version=issue.version,
    )
    Section.objects.filter(issue=issue, position=1).update(headline="条目\x00一", body="<p>正文\x0c</p>")
    set_state(issue, S.PUBLISHED)

    assert Issue.objects.filter(pk=issue.pk).values_list("summary", "headline").get() == (
        "第一行\n第二行",
        "标题",
    )
    for url in ("/feed/", "/feed/atom/"):
        response = client.get(url)
        assert response.status_code == 200, url
        document = ET.fromstring(response.content)
        assert "第一行" in ET.tostring(document, encoding="unicode")
