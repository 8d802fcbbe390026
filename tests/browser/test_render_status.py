"""The newsroom shows an approved issue's renders as they finish, without a reload."""

import pytest
from playwright.sync_api import expect

from editorial import workflow
from publishing.models import Rendition, RenditionStatus
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_render_status_updates_live_in_the_editor(
    new_page, browser_errors, shots, make_issue, writer, reviewer
):
    issue = make_issue()
    workflow.issue_submit(issue=issue, user=writer)
    workflow.issue_approve(issue=issue, user=reviewer)
    # The statuses are set here rather than by a worker (the Redis pass has none for this test): the web and
    # WeChat renders finished, the PDF in the middle of its render.
    Rendition.objects.filter(issue=issue).update(status=RenditionStatus.DONE)
    pdf = Rendition.objects.get(issue=issue, kind="pdf")
    Rendition.objects.filter(pk=pdf.pk).update(status=RenditionStatus.RUNNING)

    page = new_page()
    page.goto("/newsroom/")
    sign_in(page, writer)
    page.goto(f"/newsroom/issues/{issue.pk}/")
    panel = page.locator('[data-test="renditions"]')
    expect(panel.locator('li[data-kind="pdf"]')).to_have_attribute("data-status", "running")
    expect(panel.locator('li[data-kind="wechat"]')).to_have_attribute("data-status", "done")
    shots(page, "pdf running")

    Rendition.objects.filter(pk=pdf.pk).update(status=RenditionStatus.DONE)

    expect(panel.locator('li[data-kind="pdf"]')).to_have_attribute("data-status", "done", timeout=10_000)
    shots(page, "pdf done without a reload")
    browser_errors.check()
