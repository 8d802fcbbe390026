"""Every newsroom URL, for anonymous, writer, reviewer and admin (and a signed-in user with no role), in each
issue state: the status code the server answers, and that a refusal (or any GET) changed nothing.

POSTs are made the way the pages' scripts make them (JSON, `Accept: application/json`), so refusals carry
their status: 403 forbidden, 409 illegal in this state. Browser form posts are covered in the view tests.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from editorial.models import (
    Analysis,
    Issue,
    IssueEvent,
    IssueState,
    ReviewComment,
    Revision,
    Section,
    Topic,
)
from references.models import Citation, Source

S = IssueState
STATES = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.WITHDRAWN]
ROLES = ["anonymous", "writer", "reviewer", "admin"]
WRITERS = {"writer", "admin"}
REVIEWERS = {"reviewer", "admin"}
MEMBERS = {"writer", "reviewer", "admin"}
COMMENTABLE = {S.DRAFT, S.IN_REVIEW}


@dataclass
class Ctx:
    issue: Issue
    first: Section
    second: Section
    citation: Citation
    second_citation: Citation
    other_source: Source
    comment: ReviewComment


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 16, 46)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    request: Callable[[Ctx], tuple[str, dict]]
    expect: Callable[[str, str], int]
    state_dependent: bool = True


def page(role: str, state: str, allowed: set[str] = MEMBERS) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


def change(role: str, state: str, *, roles: set[str], states: set[str]) -> int:
    if role == "anonymous" or role not in roles:
        return 403
    return 200 if state in states else 409


def content(role: str, state: str) -> int:
    return change(role, state, roles=WRITERS, states={S.DRAFT})


def js(data: dict) -> dict:
    return {"data": json.dumps(data), "content_type": "application/json"}


ENDPOINTS = [
    # Pages (GET): members read everything; only writers and admins may start a new issue.
    Endpoint("dashboard", "get", lambda c: (reverse("newsroom:dashboard"), {}), page, state_dependent=False),
    Endpoint(
        "issue_create_form",
        "get",
        lambda c: (reverse("newsroom:issue_create"), {}),
        lambda r, s: page(r, s, WRITERS),
        state_dependent=False,
    ),
    Endpoint("editor", "get", lambda c: (reverse("newsroom:editor", args=[c.issue.pk]), {}), page),
    Endpoint("review", "get", lambda c: (reverse("newsroom:review", args=[c.issue.pk]), {}), page),
    Endpoint(
        "section_history", "get", lambda c: (reverse("newsroom:section_history", args=[c.first.pk]), {}), page
    ),
    Endpoint("preview_web", "get", lambda c: (reverse("newsroom:preview_web", args=[c.issue.pk]), {}), page),
    Endpoint("preview_pdf", "get", lambda c: (reverse("newsroom:preview_pdf", args=[c.issue.pk]), {}), page),
    Endpoint(
        "preview_wechat", "get", lambda c: (reverse("newsroom:preview_wechat", args=[c.issue.pk]), {}), page
    ),
    Endpoint(
        "source_search",
        "get_json",
        lambda c: (reverse("newsroom:source_search") + "?q=国家", {}),
        lambda r, s: 403 if r == "anonymous" else 200,
        state_dependent=False,
    ),
    Endpoint(
        "jsi18n",
        "get",
        lambda c: (reverse("newsroom:jsi18n"), {}),
        lambda r, s: 200,
        state_dependent=False,
    ),
    # Changes (POST).
    Endpoint(
        "issue_create",
        "post_form",
        lambda c: (
            reverse("newsroom:issue_create"),
            {"data": {"series": c.issue.series_id, "date": "2026-08-01"}},
        ),
        lambda r, s: 302 if r == "anonymous" else (303 if r in WRITERS else 403),
        state_dependent=False,
    ),
    Endpoint(
        "issue_meta_save",
        "post",
        lambda c: (
            reverse("newsroom:issue_meta_save", args=[c.issue.pk]),
            js({"headline": "改过的本期标题", "summary": "新摘要", "version": c.issue.version}),
        ),
        content,
    ),
    Endpoint(
        "section_create",
        "post",
        lambda c: (reverse("newsroom:section_create", args=[c.issue.pk]), js({"headline": "新条目"})),
        content,
    ),
    Endpoint(
        "section_save",
        "post",
        lambda c: (
            reverse("newsroom:section_save", args=[c.first.pk]),
            js({"headline": "改过的标题", "body": "<p>改过</p>", "analysis": "", "topics": "", "version": 1}),
        ),
        content,
    ),
    Endpoint(
        "section_delete",
        "post",
        lambda c: (reverse("newsroom:section_delete", args=[c.second.pk]), js({})),
        content,
    ),
    Endpoint(
        "sections_reorder",
        "post",
        lambda c: (
            reverse("newsroom:sections_reorder", args=[c.issue.pk]),
            js({"order": [c.second.pk, c.first.pk]}),
        ),
        content,
    ),
    Endpoint(
        "section_restore",
        "post",
        lambda c: (reverse("newsroom:section_restore", args=[c.first.pk, 1]), js({"version": 1})),
        content,
    ),
    Endpoint(
        "citation_add",
        "post",
        lambda c: (
            reverse("newsroom:citation_add", args=[c.issue.pk]),
            js({"source": c.other_source.pk, "note": "用于测试", "sections": [c.first.pk]}),
        ),
        content,
    ),
    Endpoint(
        "citation_update",
        "post",
        lambda c: (
            reverse("newsroom:citation_update", args=[c.citation.pk]),
            js({"note": "用于别的", "sections": [c.second.pk]}),
        ),
        content,
    ),
    Endpoint(
        "citation_remove",
        "post",
        lambda c: (reverse("newsroom:citation_remove", args=[c.citation.pk]), js({})),
        content,
    ),
    Endpoint(
        "citations_reorder",
        "post",
        lambda c: (
            reverse("newsroom:citations_reorder", args=[c.issue.pk]),
            js({"order": [c.second_citation.pk, c.citation.pk]}),
        ),
        content,
    ),
    Endpoint(
        "comment_add",
        "post",
        lambda c: (
            reverse("newsroom:comment_add", args=[c.issue.pk]),
            js({"section": c.first.pk, "body": "第一条的数据需要核实"}),
        ),
        lambda r, s: change(r, s, roles=REVIEWERS, states=COMMENTABLE),
    ),
    Endpoint(
        "comment_resolve",
        "post",
        lambda c: (reverse("newsroom:comment_resolve", args=[c.comment.pk]), js({})),
        lambda r, s: change(r, s, roles=MEMBERS, states=COMMENTABLE),
    ),
    Endpoint(
        "submit",
        "post",
        lambda c: (reverse("newsroom:submit", args=[c.issue.pk]), js({})),
        lambda r, s: change(r, s, roles=WRITERS, states={S.DRAFT}),
    ),
    Endpoint(
        "approve",
        "post",
        lambda c: (reverse("newsroom:approve", args=[c.issue.pk]), js({})),
        lambda r, s: change(r, s, roles=REVIEWERS, states={S.IN_REVIEW}),
    ),
    Endpoint(
        "return",
        "post",
        lambda c: (reverse("newsroom:return", args=[c.issue.pk]), js({"reason": "第二条来源不清楚"})),
        lambda r, s: change(r, s, roles=REVIEWERS, states={S.IN_REVIEW}),
    ),
    Endpoint(
        "reopen",
        "post",
        lambda c: (reverse("newsroom:reopen", args=[c.issue.pk]), js({"reason": "发现数据错误"})),
        lambda r, s: change(r, s, roles=REVIEWERS, states={S.APPROVED}),
    ),
    Endpoint(
        "schedule",
        "post",
        lambda c: (reverse("newsroom:schedule", args=[c.issue.pk]), js({"publish_at": "2026-08-01T09:30"})),
        lambda r, s: change(r, s, roles={"admin"}, states={S.APPROVED}),
    ),
    Endpoint(
        "publish",
        "post",
        lambda c: (reverse("newsroom:publish", args=[c.issue.pk]), js({})),
        lambda r, s: change(r, s, roles={"admin"}, states={S.APPROVED}),
    ),
    Endpoint(
        "upload",
        "upload",
        lambda c: (reverse("newsroom:upload"), {}),
        lambda r, s: 403 if r == "anonymous" else 200,
        state_dependent=False,
    ),
]

CASES = [
    pytest.param(endpoint, role, state, id=f"{endpoint.name}-{role}-{state}")
    for endpoint in ENDPOINTS
    for role in ROLES
    for state in (STATES if endpoint.state_dependent else [S.DRAFT])
]


@pytest.fixture
def ctx(issue_in, writer, reviewer) -> Callable[[str], Ctx]:
    def build(state: str) -> Ctx:
        issue = issue_in(state)
        first, second = issue.sections.order_by("position")
        source = Source.objects.create(outlet="国家数据局", title="国家数据局专题研究专家意见")
        other = Source.objects.create(outlet="国家能源局", title="非化石能源电力消费核算指南")
        citation = Citation.objects.create(issue=issue, source=source, position=1, note="用于数据要素分析")
        citation.sections.set([first])
        third = Source.objects.create(outlet="国际能源署", title="Energy and AI")
        second_citation = Citation.objects.create(issue=issue, source=third, position=2, note="用于算力分析")
        comment = ReviewComment.objects.create(issue=issue, section=first, author=reviewer, body="请补充来源")
        return Ctx(issue, first, second, citation, second_citation, other, comment)

    return build


def snapshot(media_root: Path) -> dict:
    """Everything a newsroom request could change."""
    return {
        "issues": list(
            Issue.objects.order_by("pk").values_list(
                "pk", "state", "version", "headline", "summary", "publish_at"
            )
        ),
        "sections": list(
            Section.objects.order_by("pk").values_list("pk", "position", "version", "headline", "body")
        ),
        "analyses": list(Analysis.objects.order_by("pk").values_list("pk", "body")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "section_id", "number")),
        "events": list(IssueEvent.objects.order_by("pk").values_list("pk", "transition")),
        "citations": list(Citation.objects.order_by("pk").values_list("pk", "position", "note", "source_id")),
        "citation_sections": list(
            Citation.sections.through.objects.order_by("pk").values_list("citation_id", "section_id")
        ),
        "comments": list(ReviewComment.objects.order_by("pk").values_list("pk", "resolved_at", "body")),
        "sources": Source.objects.count(),
        "topics": Topic.objects.count(),
        "files": sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()),
    }


def call(client: Client, endpoint: Endpoint, url: str, kwargs: dict):
    if endpoint.method == "get":
        return client.get(url)
    if endpoint.method == "get_json":
        return client.get(url, HTTP_ACCEPT="application/json")
    if endpoint.method == "post_form":
        return client.post(url, **kwargs)
    if endpoint.method == "upload":
        upload = io.BytesIO(png_bytes())
        upload.name = "photo.png"
        return client.post(url, {"upload": upload})
    return client.post(url, HTTP_ACCEPT="application/json", **kwargs)


@pytest.fixture
def stub_pdf(monkeypatch):
    # The real PDF renderer is exercised in the preview tests; here only the permission answer matters.
    import publishing.render

    monkeypatch.setattr(publishing.render, "render_pdf", lambda issue, **options: b"%PDF-1.7 stub")


@pytest.mark.parametrize(("endpoint", "role", "state"), CASES)
def test_every_newsroom_url_answers_by_role_and_state(
    endpoint, role, state, ctx, writer, reviewer, admin_user, settings, tmp_path, stub_pdf
):
    settings.MEDIA_ROOT = tmp_path
    c = ctx(state)
    client = Client()
    user = {"writer": writer, "reviewer": reviewer, "admin": admin_user}.get(role)
    if user is not None:
        client.force_login(user)
    url, kwargs = endpoint.request(c)
    before = snapshot(tmp_path)

    response = call(client, endpoint, url, kwargs)

    expected = endpoint.expect(role, state)
    assert response.status_code == expected, (response.status_code, response.content[:300])
    after = snapshot(tmp_path)
    refused = expected in (302, 400, 403, 404, 405, 409)
    if refused or endpoint.method in ("get", "get_json"):
        assert after == before
    else:
        assert after != before
    if expected in (403, 409) and endpoint.method == "post":
        assert response.json()["error"]
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "endpoint", [pytest.param(e, id=e.name) for e in ENDPOINTS if e.method in ("post", "post_form", "upload")]
)
def test_a_get_on_a_changing_url_is_refused_and_changes_nothing(
    endpoint, ctx, admin_user, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    c = ctx(S.DRAFT)
    client.force_login(admin_user)
    url, _ = endpoint.request(c)
    # The issue_create URL shows its form on GET; every other changing URL refuses the method.
    return_code = 200 if endpoint.name == "issue_create" else 405
    before = snapshot(tmp_path)

    response = client.get(url)

    assert response.status_code == return_code
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("endpoint", [pytest.param(e, id=e.name) for e in ENDPOINTS if e.name != "jsi18n"])
def test_a_signed_in_user_without_a_newsroom_role_is_refused_everywhere(
    endpoint, ctx, stranger, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    c = ctx(S.DRAFT)
    client = Client()
    client.force_login(stranger)
    url, kwargs = endpoint.request(c)
    before = snapshot(tmp_path)

    response = call(client, endpoint, url, kwargs)

    assert response.status_code == 403
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("editor", [999999]),
        ("review", [999999]),
        ("section_history", [999999]),
        ("preview_web", [999999]),
    ],
)
def test_a_missing_object_is_404(name, args, writer, client):
    client.force_login(writer)
    assert client.get(reverse(f"newsroom:{name}", args=args)).status_code == 404


def test_a_post_to_a_missing_object_is_404_and_changes_nothing(ctx, writer, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = ctx(S.DRAFT)
    client.force_login(writer)
    before = snapshot(tmp_path)

    responses = [
        client.post(reverse("newsroom:section_save", args=[999999]), HTTP_ACCEPT="application/json"),
        client.post(
            reverse("newsroom:section_restore", args=[c.first.pk, 99]), HTTP_ACCEPT="application/json"
        ),
        client.post(reverse("newsroom:comment_resolve", args=[999999]), HTTP_ACCEPT="application/json"),
        client.post(reverse("newsroom:citation_remove", args=[999999]), HTTP_ACCEPT="application/json"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert snapshot(tmp_path) == before
