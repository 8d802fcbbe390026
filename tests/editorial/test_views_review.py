"""Review: the issue as readers will see it, comments on sections, approve or return with a reason, reopen;
the writer sees reasons and comments, resolves them and resubmits. Previews as web page, PDF and WeChat HTML."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from editorial import comments, workflow
from editorial.models import IssueEvent, IssueState, ReviewComment
from editorial.views import issues as issue_views

ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}
S = IssueState


def post_json(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json", **ACCEPT_JSON)


@pytest.fixture
def in_review(issue_in):
    return issue_in(S.IN_REVIEW)


def test_the_review_page_shows_the_public_page_and_the_actions(client, reviewer, in_review):
    client.force_login(reviewer)

    response = client.get(reverse("newsroom:review", args=[in_review.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="{reverse("newsroom:preview_web", args=[in_review.pk])}"' in html
    assert 'data-test="approve"' in html
    assert 'data-test="return-form"' in html
    assert 'data-test="comment-form"' in html
    assert html.count("<h1") == 1


def test_the_web_preview_is_the_public_template_and_may_be_framed_by_our_pages(client, reviewer, in_review):
    client.force_login(reviewer)

    response = client.get(reverse("newsroom:preview_web", args=[in_review.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "一、第1条标题" in html
    assert "<p>新闻1</p>" in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_the_pdf_preview_is_a_pdf(client, writer, draft_issue):
    client.force_login(writer)

    response = client.get(reverse("newsroom:preview_pdf", args=[draft_issue.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="xinzhi-2026-07-01.pdf"'


def test_the_wechat_preview_and_its_download(client, writer, draft_issue):
    client.force_login(writer)
    url = reverse("newsroom:preview_wechat", args=[draft_issue.pk])

    shown = client.get(url)
    downloaded = client.get(url, {"download": "1"})

    assert shown.status_code == 200
    assert "第1条标题" in shown.content.decode()
    assert "Content-Disposition" not in shown
    assert downloaded["Content-Disposition"] == 'attachment; filename="xinzhi-2026-07-01.wechat.html"'
    assert downloaded.content == shown.content


def test_a_failing_renderer_is_a_message_not_a_500(client, writer, draft_issue, monkeypatch):
    def broken(issue, **options):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(issue_views, "render_pdf", broken)
    client.force_login(writer)

    response = client.get(reverse("newsroom:preview_pdf", args=[draft_issue.pk]))

    assert response.status_code == 503
    assert "预览生成失败：字体缺失" in response.content.decode()


def test_a_wechat_preview_of_an_issue_too_long_for_wechat_says_so(client, writer, draft_issue):
    draft_issue.sections.update(body="<p>" + "新质生产力" * 5000 + "</p>")
    client.force_login(writer)

    response = client.get(reverse("newsroom:preview_wechat", args=[draft_issue.pk]))

    assert response.status_code == 422
    assert "20,000" in response.content.decode() and "请删减" in response.content.decode()


# --- comments --------------------------------------------------------------------------------------------


def test_a_reviewer_comments_on_a_section(client, reviewer, in_review):
    first = in_review.sections.get(position=1)
    client.force_login(reviewer)

    response = client.post(
        reverse("newsroom:comment_add", args=[in_review.pk]),
        {"section": first.pk, "body": "数据口径请核对原文"},
    )

    comment = ReviewComment.objects.get()
    assert response.status_code == 303
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.section, comment.author, comment.body, comment.resolved_at) == (
        first,
        reviewer,
        "数据口径请核对原文",
        None,
    )


def test_an_empty_comment_is_refused(client, reviewer, in_review):
    client.force_login(reviewer)

    response = post_json(client, reverse("newsroom:comment_add", args=[in_review.pk]), {"body": "   "})

    assert response.status_code == 400
    assert ReviewComment.objects.count() == 0


def test_a_comment_on_a_section_of_another_issue_is_refused(client, reviewer, in_review, make_issue):
    import datetime as dt

    other = make_issue(date=dt.date(2026, 7, 3))
    client.force_login(reviewer)

    response = post_json(
        client,
        reverse("newsroom:comment_add", args=[in_review.pk]),
        {"section": other.sections.first().pk, "body": "错位的意见"},
    )

    assert response.status_code == 400
    assert ReviewComment.objects.count() == 0


def test_a_writer_cannot_comment(client, writer, in_review):
    client.force_login(writer)

    response = client.post(reverse("newsroom:comment_add", args=[in_review.pk]), {"body": "自己评自己"})

    assert response.status_code == 403
    assert "只有审核人可以添加审核意见" in response.content.decode()
    assert ReviewComment.objects.count() == 0


def test_the_writer_resolves_a_comment_after_the_return(client, writer, reviewer, in_review):
    comment = comments.comment_add(
        issue=in_review, user=reviewer, section=in_review.sections.first(), body="补充来源"
    )
    workflow.issue_return(issue=in_review, user=reviewer, reason="请处理意见")
    client.force_login(writer)
    editor = reverse("newsroom:editor", args=[in_review.pk])

    response = client.post(reverse("newsroom:comment_resolve", args=[comment.pk]), {"next": editor})

    assert response.status_code == 303
    assert response["Location"] == editor
    comment.refresh_from_db()
    assert comment.resolved_by == writer
    assert comment.resolved_at is not None


def test_resolving_redirects_only_to_this_site(client, writer, reviewer, in_review):
    comment = comments.comment_add(issue=in_review, user=reviewer, body="整期意见")
    client.force_login(writer)

    response = client.post(
        reverse("newsroom:comment_resolve", args=[comment.pk]), {"next": "https://evil.example/phish"}
    )

    assert response.status_code == 303
    assert not response["Location"].startswith("https://evil.example")


# --- transitions from the pages ---------------------------------------------------------------------------


def test_returning_without_a_reason_is_a_message_and_changes_nothing(client, reviewer, in_review):
    client.force_login(reviewer)
    review = reverse("newsroom:review", args=[in_review.pk])

    response = client.post(
        reverse("newsroom:return", args=[in_review.pk]), {"reason": " "}, HTTP_REFERER=review
    )

    assert response.status_code == 302
    assert response["Location"] == review
    page = client.get(review).content.decode()
    assert "退回时必须填写原因" in page
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW
    assert not IssueEvent.objects.filter(transition="return").exists()


def test_returning_without_a_reason_from_a_script_is_a_400(client, reviewer, in_review):
    client.force_login(reviewer)

    response = post_json(client, reverse("newsroom:return", args=[in_review.pk]), {"reason": ""})

    assert response.status_code == 400
    assert response.json() == {"error": "退回时必须填写原因。"}


def test_approving_a_draft_from_the_page_is_a_clear_message(client, reviewer, draft_issue):
    client.force_login(reviewer)

    response = client.post(reverse("newsroom:approve", args=[draft_issue.pk]), follow=True)

    assert response.status_code == 200
    assert "当前状态为“草稿”，不能执行“批准”" in response.content.decode()
    draft_issue.refresh_from_db()
    assert draft_issue.state == S.DRAFT


def test_the_four_eyes_rule_refuses_with_403_and_a_reason(client, reviewer, in_review):
    from editorial.models import ContentChange, ContentPart

    # What a section save by the reviewer records (editorial.services.content_change_record).
    ContentChange.objects.create(issue=in_review, actor=reviewer, part=ContentPart.SECTIONS)
    client.force_login(reviewer)

    html = client.get(reverse("newsroom:review", args=[in_review.pk])).content.decode()
    response = client.post(reverse("newsroom:approve", args=[in_review.pk]))

    assert "四眼原则：您对本期条目的修改尚未经他人审核" in html
    assert 'data-test="approve"' not in html  # the page does not offer what the rule refuses
    assert response.status_code == 403
    assert "四眼原则" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW


def test_reopening_needs_a_reason_and_returns_to_draft(client, reviewer, issue_in):
    issue = issue_in(S.APPROVED)
    client.force_login(reviewer)

    refused = post_json(client, reverse("newsroom:reopen", args=[issue.pk]), {"reason": ""})
    reopened = client.post(reverse("newsroom:reopen", args=[issue.pk]), {"reason": "第三条数据更新"})

    assert refused.status_code == 400
    assert reopened.status_code == 303
    issue.refresh_from_db()
    assert (issue.state, issue.publish_at) == (S.DRAFT, None)
    assert issue.events.first().comment == "第三条数据更新"


def test_the_daily_loop_from_submission_to_approval(client, writer, reviewer, admin_user, draft_issue):
    """submit -> comment -> return with a reason -> the writer sees it, resolves, resubmits -> approved."""
    from django.test import Client

    writer_client, reviewer_client = Client(), Client()
    writer_client.force_login(writer)
    reviewer_client.force_login(reviewer)
    first = draft_issue.sections.get(position=1)

    assert writer_client.post(reverse("newsroom:submit", args=[draft_issue.pk])).status_code == 303
    reviewer_client.post(
        reverse("newsroom:comment_add", args=[draft_issue.pk]),
        {"section": first.pk, "body": "请补充数据来源"},
    )
    reviewer_client.post(reverse("newsroom:return", args=[draft_issue.pk]), {"reason": "第一条缺少来源"})

    dashboard = writer_client.get(reverse("newsroom:dashboard")).content.decode()
    editor = writer_client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()
    assert "第一条缺少来源" in dashboard and "请补充数据来源" in dashboard
    assert "第一条缺少来源" in editor and "请补充数据来源" in editor

    comment = ReviewComment.objects.get()
    writer_client.post(reverse("newsroom:comment_resolve", args=[comment.pk]))
    saved = post_json(
        writer_client,
        reverse("newsroom:section_save", args=[first.pk]),
        {
            "headline": "第1条标题",
            "body": "<p>新闻1（来源：国家数据局）</p>",
            "analysis": "",
            "topics": "",
            "version": 1,
        },
    )
    assert saved.status_code == 200
    assert writer_client.post(reverse("newsroom:submit", args=[draft_issue.pk])).status_code == 303
    assert reviewer_client.post(reverse("newsroom:approve", args=[draft_issue.pk])).status_code == 303

    draft_issue.refresh_from_db()
    assert draft_issue.state == S.APPROVED
    assert list(draft_issue.events.order_by("created_at", "id").values_list("transition", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    dashboard = writer_client.get(reverse("newsroom:dashboard")).content.decode()
    assert 'data-state="approved"' in dashboard
    assert "已批准" in dashboard
