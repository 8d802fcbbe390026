"""An admin pushes a published issue to the official account from the review page, publishes it, and readers find
the WeChat article from the issue's public page (against the local fake of the WeChat API)."""

import pytest
from playwright.sync_api import expect

from editorial import workflow
from publishing.models import WeChatArticle, WeChatPush, WeChatPushResult
from tests.browser.conftest import accept_dialogs, sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("eager"),
]


def test_an_admin_pushes_and_publishes_to_wechat_from_the_review_page(
    new_page, browser_errors, shots, wechat_api, make_issue, writer, reviewer, admin_user
):
    issue = make_issue()
    workflow.issue_submit(issue=issue, user=writer)
    workflow.issue_approve(issue=issue, user=reviewer)
    issue = workflow.issue_publish(issue=issue, user=admin_user)
    wechat_api.publish_polls = 1

    page = new_page()
    accept_dialogs(page)
    page.goto("/newsroom/")
    sign_in(page, admin_user)
    page.goto(f"/newsroom/issues/{issue.pk}/review/")
    card = page.locator('[data-test="wechat"]')
    expect(card.locator('[data-test="wechat-draft"]')).to_have_text("尚未推送")
    cover = card.locator('[data-test="wechat-cover"]')
    cover.locator("summary").click()
    expect(cover.locator("img")).to_be_visible()
    assert cover.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") == 900
    shots(page, "before the push")

    card.locator('[data-test="wechat-push"]').click()
    expect(page.get_by_text("已在草稿箱新建本期草稿。").first).to_be_visible()
    expect(card.locator('[data-test="wechat-draft"]')).to_contain_text("已在草稿箱")
    expect(card.locator('[data-test="wechat-push-row"]')).to_have_count(1)
    shots(page, "draft made")
    assert len(wechat_api.drafts) == 1

    card.locator('[data-test="wechat-publish"]').click()
    expect(card.locator('[data-test="wechat-publish-status"]')).to_contain_text("发布中")
    card.locator('[data-test="wechat-refresh"]').click()  # WeChat still publishing
    card.locator('[data-test="wechat-refresh"]').click()
    link = card.locator('[data-test="wechat-article-url"]')
    expect(link).to_have_attribute("href", WeChatArticle.objects.get(issue=issue).article_url)
    shots(page, "published")

    phone = new_page(width=375, height=800)
    phone.goto("/newsroom/")
    sign_in(phone, admin_user)
    phone.goto(f"/newsroom/issues/{issue.pk}/review/#wechat")
    expect(phone.locator('[data-test="wechat-pushes"]')).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the review page scrolls sideways on a phone: {width} px"
    shots(phone, "phone")

    reader = new_page(width=375, height=800)
    reader.goto(f"/issues/{issue.date.isoformat()}/")
    expect(reader.locator("#wechat-article")).to_have_attribute(
        "href", WeChatArticle.objects.get(issue=issue).article_url
    )
    shots(reader, "public page links the article")
    assert list(WeChatPush.objects.values_list("result", flat=True)) == [WeChatPushResult.DONE] * 2
    browser_errors.check()
