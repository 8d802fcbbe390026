"""The newsroom's daily journey in a real browser: a writer drafts tomorrow's issue in CKEditor 5 and submits it,
a reviewer comments and returns it with a reason, the writer fixes it and resubmits, a second reviewer approves.

Each person has their own browser context (their own cookies), as on their own machines. The database is checked
at each step: what the page says must be what was stored.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import services, workflow
from editorial.models import Issue, IssueState, ReviewComment
from references.models import Citation, Source
from tests.browser.conftest import SAVED, accept_dialogs, sign_in, type_into_editor

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEWS = "国家数据局发布数据要素市场化配置改革实施方案，明确数据产权登记和流通交易规则。"
ANALYSIS = "这表明数据要素正在从政策倡导走向制度落地。"
FIX = "方案同时提出建设全国一体化数据市场。"
COMMENT = "请补充方案发布的具体日期和文号。"
REASON = "第一条缺少发布日期，请补充后重新提交。"


@pytest.fixture
def tomorrow_draft(series, writer) -> Issue:
    """Tomorrow's issue as the morning finds it: a draft with one section, headline only, written by the writer."""
    issue = services.issue_create(
        series=series,
        date=timezone.localdate() + dt.timedelta(days=1),
        user=writer,
        headline="数据要素落地与算力能源协同",
        summary="数据要素制度建设提速。",
    )
    services.section_create(issue=issue, user=writer, headline="数据要素市场化配置改革提速")
    return issue


@pytest.fixture
def known_source(db) -> Source:
    return Source.objects.create(
        outlet="国家数据局",
        title="关于深化数据要素市场化配置改革的实施方案",
        url="https://www.nda.gov.cn/sjj/zwgk/tzgg/0627/",
        date=dt.date(2026, 6, 27),
    )


def test_a_day_in_the_newsroom(
    new_page, shots, browser_errors, tomorrow_draft, known_source, writer, reviewer, reviewer2
):
    issue = tomorrow_draft
    section = issue.sections.get()

    # --- The writer signs in, finds tomorrow's draft on the dashboard, opens it. --------------------------
    w = new_page()
    accept_dialogs(w)
    w.goto("/newsroom/")
    expect(w).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(w, writer)
    expect(w).to_have_url(re.compile(r"/newsroom/$"))
    row = w.locator(f'[data-test="issue-row"][data-issue="{issue.pk}"]')
    expect(row.locator('[data-test="issue-state"]')).to_have_text("草稿")
    expect(row.locator('[data-test="countdown"]')).to_contain_text(re.compile(r"还剩|已超时"))
    shots(w, "writer dashboard")
    row.locator('[data-test="open-editor"]').click()
    expect(w.locator('[data-test="page-title"]')).to_contain_text(
        f"{issue.date.month} 月 {issue.date.day} 日"
    )

    # --- Drafts the news and the analysis in CKEditor; the autosave reports the time it saved. ------------
    card = w.locator(f'[data-test="section"][data-section="{section.pk}"]')
    status = card.locator('[data-test="save-status"]')
    editables = card.locator(".ck-editor__editable")
    expect(editables).to_have_count(2)
    news_editor, analysis_editor = editables.nth(0), editables.nth(1)
    saved = type_into_editor(w, news_editor, NEWS, section=section)
    expect(status).to_have_text(f"已保存 {saved['saved_at_display']}")
    saved = type_into_editor(w, analysis_editor, ANALYSIS, section=section)
    expect(status).to_have_text(f"已保存 {saved['saved_at_display']}")
    assert SAVED.match(status.text_content())
    section.refresh_from_db()
    assert NEWS in section.body
    assert ANALYSIS in section.analysis.body
    assert section.revisions.filter(author=writer).exists()
    shots(w, "writer drafted the section")

    # --- Attaches an existing source found by searching, with its note, for this section. ---------------
    add_form = w.locator('[data-test="citation-add-form"]')
    add_form.locator('[data-test="source-search"]').fill("国家数据局")
    add_form.locator('[data-test="source-result"]').first.click()
    expect(add_form.locator('[data-test="source-chosen"]')).to_contain_text("实施方案")
    add_form.locator('input[name="note"]').fill("用于第一条的政策背景")
    add_form.locator(f'input[name="sections"][value="{section.pk}"]').check()
    shots(w, "writer picked a source")
    add_form.locator('[data-test="add-citation"]').click()
    expect(w.locator('[data-test="citation"]')).to_have_count(1)

    # ... and creates a second source inline.
    add_form = w.locator('[data-test="citation-add-form"]')
    new_source = add_form.locator('[data-test="new-source"]')
    new_source.locator('input[name="outlet"]').fill("安徽省数据资源管理局")
    new_source.locator('input[name="title"]').fill("安徽推进数据产权即服务")
    new_source.locator('input[name="date"]').fill("2026-06")
    add_form.locator('input[name="note"]').fill("用于地方实践")
    add_form.locator('[data-test="add-citation"]').click()
    expect(w.locator('[data-test="citation"]')).to_have_count(2)
    expect(w.locator('[data-test="citation"]').nth(1)).to_contain_text("安徽推进数据产权即服务")
    citations = list(Citation.objects.filter(issue=issue).order_by("position"))
    assert [(c.source.outlet, c.note) for c in citations] == [
        ("国家数据局", "用于第一条的政策背景"),
        ("安徽省数据资源管理局", "用于地方实践"),
    ]
    assert citations[0].source == known_source
    assert list(citations[0].sections.all()) == [section]
    shots(w, "writer attached two sources")

    # --- Submits for review. ----------------------------------------------------------------------------
    w.locator('[data-test="submit-issue"]').first.click()
    expect(w.locator('[data-test="message-success"]')).to_contain_text("已提交审核")
    expect(w.locator('[data-test="issue-state"]').first).to_have_text("审核中")
    issue.refresh_from_db()
    assert issue.state == IssueState.IN_REVIEW
    shots(w, "writer submitted")

    # --- The reviewer signs in, opens the review view, comments on the section, returns the issue. --------
    r = new_page()
    accept_dialogs(r)
    r.goto("/accounts/login/")
    sign_in(r, reviewer)
    waiting = r.locator('[data-test="awaiting-review"]')
    expect(waiting).to_contain_text(issue.headline)
    shots(r, "reviewer dashboard")
    waiting.locator('[data-test="review-link"]').click()
    expect(r.locator('[data-test="page-title"]')).to_contain_text("审阅")
    # The issue as readers will see it: the public page's template, in a frame.
    reader = r.frame_locator('[data-test="reader-frame"]')
    expect(reader.locator("article.section").first).to_contain_text(NEWS)
    expect(reader.locator("article.section").first).to_contain_text(ANALYSIS)
    expect(reader.locator(".references")).to_contain_text("关于深化数据要素市场化配置改革的实施方案")
    shots(r, "reviewer reads the issue")

    comment_form = r.locator('[data-test="comment-form"]')
    comment_form.locator("select[name=section]").select_option(str(section.pk))
    comment_form.locator("textarea[name=body]").fill(COMMENT)
    comment_form.locator('[data-test="add-comment"]').click()
    expect(r.locator('[data-test="review-comments"] [data-test="comment"]')).to_contain_text(COMMENT)
    comment = ReviewComment.objects.get(issue=issue)
    assert (comment.section, comment.author, comment.resolved_at) == (section, reviewer, None)
    shots(r, "reviewer commented")

    return_form = r.locator('[data-test="return-form"]')
    return_form.locator('[data-test="return-reason-input"]').fill(REASON)
    shots(r, "reviewer writes the reason")
    return_form.locator('[data-test="return"]').click()
    expect(r.locator('[data-test="message-success"]')).to_contain_text("已退回修改")
    issue.refresh_from_db()
    assert issue.state == IssueState.DRAFT
    shots(r, "reviewer returned the issue")

    # --- The writer sees the reason on the dashboard and in the editor, edits, resolves, resubmits. -------
    w.goto("/newsroom/")
    notice = w.locator(f'[data-test="returned-notice"][data-issue="{issue.pk}"]')
    expect(notice.locator('[data-test="return-reason"]')).to_have_text(REASON)
    expect(w.locator('[data-test="open-comments"]')).to_contain_text(COMMENT)
    shots(w, "writer sees the return on the dashboard")
    notice.get_by_role("link").click()
    expect(w.locator('[data-test="return-reason-box"] [data-test="return-reason"]')).to_have_text(REASON)
    card = w.locator(f'[data-test="section"][data-section="{section.pk}"]')
    expect(card.locator('[data-test="section-comments"]')).to_contain_text(COMMENT)
    shots(w, "writer sees the reason and the comment in the editor")

    news_editor = card.locator(".ck-editor__editable").first
    type_into_editor(w, news_editor, FIX, section=section)
    expect(card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    section.refresh_from_db()
    assert FIX in section.body and NEWS in section.body

    card.locator('[data-test="resolve-comment"]').click()
    card = w.locator(f'[data-test="section"][data-section="{section.pk}"]')
    expect(card.locator('[data-test="comment"][data-resolved="1"]')).to_have_count(1)
    comment.refresh_from_db()
    assert comment.resolved_by == writer and comment.resolved_at is not None
    shots(w, "writer fixed the section and resolved the comment")

    w.locator('[data-test="submit-issue"]').first.click()
    expect(w.locator('[data-test="message-success"]')).to_contain_text("已提交审核")
    expect(w.locator('[data-test="issue-state"]').first).to_have_text("审核中")
    shots(w, "writer resubmitted")

    # --- A second reviewer, who wrote nothing in the issue, approves it. ----------------------------------
    r2 = new_page()
    accept_dialogs(r2)
    r2.goto("/accounts/login/")
    sign_in(r2, reviewer2)
    r2.locator('[data-test="awaiting-review"] [data-test="review-link"]').click()
    expect(r2.frame_locator('[data-test="reader-frame"]').locator("article.section").first).to_contain_text(
        FIX
    )
    shots(r2, "second reviewer reads the fixed issue")
    r2.locator('[data-test="approve"]').click()
    # Approving renders the PDF and WeChat files (eagerly, without a Celery broker): give it time.
    expect(r2.locator('[data-test="message-success"]')).to_contain_text("已批准本期", timeout=30_000)
    shots(r2, "second reviewer approved")

    # --- Everyone's dashboard shows the issue as approved. ----------------------------------------------
    w.goto("/newsroom/")
    row = w.locator(f'[data-test="issue-row"][data-issue="{issue.pk}"]')
    expect(row.locator('[data-test="issue-state"]')).to_have_text("已批准")
    shots(w, "writer dashboard shows approved")

    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED
    assert issue.publish_at is not None
    events = list(
        issue.events.order_by("created_at", "pk").values_list("transition", "actor__username", "comment")
    )
    assert events == [
        ("submit", "writer", ""),
        ("return", "reviewer", REASON),
        ("submit", "writer", ""),
        ("approve", "reviewer2", ""),
    ]
    section.refresh_from_db()
    assert NEWS in section.body and FIX in section.body and ANALYSIS in section.analysis.body
    browser_errors.check()


IN_VIEW = """([frameSelector, id]) => {
  const frame = document.querySelector(frameSelector);
  const target = frame.contentDocument && frame.contentDocument.getElementById(id);
  if (!target) return false;
  const top = frame.getBoundingClientRect().top + target.getBoundingClientRect().top;
  return top >= 0 && top < window.innerHeight;
}"""


def test_a_comment_links_to_its_section_in_the_reader_view(
    new_page, shots, browser_errors, make_issue, writer, reviewer
):
    """The review page shows the issue in a frame; a comment's heading takes the reviewer to its section."""
    issue = make_issue(sections=6)
    long_news = "<p>" + "国家能源局发布可再生能源电力消纳责任权重。" * 60 + "</p>"
    for section in issue.sections.all():
        services.section_save(section=section, user=writer, data={"body": long_news}, version=section.version)
    workflow.issue_submit(issue=issue, user=writer)
    fifth = issue.sections.get(position=5)
    ReviewComment.objects.create(issue=issue, section=fifth, author=reviewer, body="第五条的数据需要核实。")

    page = new_page()
    page.goto(f"/newsroom/issues/{issue.pk}/review/")
    sign_in(page, reviewer)
    frame = '[data-test="reader-frame"]'
    expect(page.frame_locator(frame).locator("#section-5")).to_contain_text("第5条标题")
    assert not page.evaluate(IN_VIEW, [frame, "section-5"])
    page.locator('[data-test="comment-section-link"]').click()
    page.wait_for_function(IN_VIEW, arg=[frame, "section-5"])
    shots(page, "the commented section in view")
    browser_errors.check()
