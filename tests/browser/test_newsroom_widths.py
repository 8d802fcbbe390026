"""The newsroom on a phone (375 px) and on a desktop: no page scrolls sideways, and the top bar stays readable,
its links inside the dark bar, whoever is signed in (a writer, a reviewer, an admin with the most links)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from editorial import services
from tests.browser.conftest import sign_in, type_into_editor

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}  # below the top bar's 960 px break: it wraps
DESKTOP = {"width": 1280, "height": 900}

# Horizontal overflow of the page, and what sticks out of the screen.
OVERFLOW = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .map(el => el.tagName + "." + el.className).slice(0, 8),
})"""

# Every link and button of the top bar lies inside the dark bar and inside the screen, and none but the brand (a
# title that may take two lines) is broken over lines: 工作台 wrapped one character per line is three lines tall.
TOPBAR = """() => {
  const bar = document.querySelector('[data-test="topbar"]').getBoundingClientRect();
  const items = [...document.querySelectorAll(
    '[data-test="topbar"] a, [data-test="topbar"] button, [data-test="topbar"] .language-current')]
    .filter(el => el.getClientRects().length);
  return items.filter(el => {
    const r = el.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(el).lineHeight) || 24;
    return r.left < bar.left - 0.5 || r.right > bar.right + 0.5 || r.top < bar.top - 0.5
      || r.bottom > bar.bottom + 0.5 || r.right > window.innerWidth + 0.5
      || (!el.matches(".brand") && r.height > 1.5 * line);
  }).map(el => el.textContent.trim() + " " + JSON.stringify(el.getBoundingClientRect()));
}"""

LONG_MESSAGE = (
    "图片导入失败：https://images.example.com/a/very/long/path/without/any/spaces/"
    "0123456789abcdef0123456789abcdef0123456789abcdef.jpeg"
)


def assert_fits(page, where: str, *, topbar: bool = True) -> None:
    m = page.evaluate(OVERFLOW)
    assert m["scrollWidth"] <= m["innerWidth"], f"{where} is wider than the screen: {m}"
    if not topbar:
        return
    outside = page.evaluate(TOPBAR)
    assert not outside, f"{where}: top bar links outside the bar or broken up: {outside}"


@pytest.fixture
def reviewed_issue(make_issue, writer):
    """An issue with two sections, the first saved twice (so its history has a diff) and a long unbroken link."""
    issue = make_issue(sections=2)
    section = issue.sections.order_by("position").first()
    services.section_save(
        section=section,
        user=writer,
        data={
            "body": "<p>新闻1，补充一句较长的说明文字，用来在手机上换行。</p><p>https://example.com/"
            + "x" * 80
            + "</p>"
        },
        version=section.version,
    )
    return issue


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_newsroom_pages_fit_the_screen_for_every_role(
    new_page, shots, browser_errors, reviewed_issue, writer, reviewer, admin_user, viewport
):
    issue = reviewed_issue
    section = issue.sections.order_by("position").first()

    page = new_page(**viewport)
    page.goto("/accounts/login/")
    shots(page, f"login {viewport['width']}")
    assert_fits(page, "login")
    # The English interface has the longest words in the bar.
    page.locator('[data-test="language-en"]').click()
    page.locator('[data-test="login-form"]').wait_for()
    shots(page, f"login english {viewport['width']}")
    assert_fits(page, "login (English)")

    for user in (admin_user, reviewer, writer):
        context_page = new_page(**viewport)
        context_page.goto("/newsroom/")
        sign_in(context_page, user)
        shots(context_page, f"dashboard {user.username} {viewport['width']}")
        assert_fits(context_page, f"dashboard as {user.username}")
        pages = [
            f"/newsroom/issues/{issue.pk}/review/",
            f"/newsroom/sections/{section.pk}/history/",
            "/accounts/password_change/",
        ]
        if user == reviewer:
            pages.append(f"/newsroom/issues/{issue.pk}/")  # the editor read-only
        if user != reviewer:
            pages.append("/newsroom/issues/new/")
        for path in pages:
            response = context_page.goto(path)
            assert response.status == 200, path
            shots(context_page, f"{path} {user.username} {viewport['width']}")
            assert_fits(context_page, f"{path} as {user.username}")
        if user == admin_user:
            context_page.locator('[data-test="language-en"]').click()
            context_page.locator('[data-test="current-user"]').wait_for()
            shots(context_page, f"english {user.username} {viewport['width']}")
            assert_fits(context_page, f"{path} as {user.username} in English")
        # The web preview is the reader's page, without the newsroom's top bar. Its HTML (publishing's render_web)
        # names no icon, so Chromium asks for /favicon.ico, which is not served.
        browser_errors.allow(r"/preview/web/: Failed to load resource: .* 404 \(Not Found\)$")
        response = context_page.goto(f"/newsroom/issues/{issue.pk}/preview/web/")
        assert response.status == 200
        assert_fits(context_page, f"the web preview as {user.username}", topbar=False)

    # The editor, its CKEditor toolbars, the message area under an editor and the conflict panel of a refused save.
    browser_errors.allow(r"status of 409")
    page = new_page(**viewport)
    page.goto(f"/newsroom/issues/{issue.pk}/")
    sign_in(page, writer)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    expect(card.locator(".ck-editor__editable")).to_have_count(2)
    shots(page, f"editor {viewport['width']}")
    assert_fits(page, "the editor")

    editor_id = card.locator("textarea").first.get_attribute("id")
    page.evaluate(
        "([id, text]) => window.editors[id].plugins.get('Notification').showWarning(text)",
        [editor_id, LONG_MESSAGE],
    )
    expect(card.locator('[data-test="editor-message"]')).to_have_count(1)
    assert_fits(page, "the editor with a message")

    section.refresh_from_db()
    services.section_save(
        section=section,
        user=admin_user,
        # At the end of the last paragraph, where the writer types too: one hunk with both texts side by side.
        data={
            "body": section.body[: -len("</p>")] + "管理员在此期间补充的一句话，内容较长，需要换行显示。</p>"
        },
        version=section.version,
    )
    type_into_editor(
        page,
        card.locator(".ck-editor__editable").first,
        "撰稿人补充的另一句话，同样较长，需要换行显示。",
        section=section,
        status=409,
    )
    conflict = card.locator('[data-test="conflict"]')
    expect(conflict).to_be_visible()
    expect(conflict.locator('[data-test="merge-hunk"]')).to_have_count(1)
    conflict.locator('[data-test="conflict-versions"] summary').click()
    expect(conflict.locator('[data-test="conflict-mine"]')).to_be_visible()
    conflict.scroll_into_view_if_needed()
    shots(page, f"editor conflict {viewport['width']}")
    assert_fits(page, "the conflict panel")
    # Both sides of a hunk are readable in full: neither column is cut off by its box.
    sides = '[data-test="hunk-mine"], [data-test="hunk-theirs"], [data-test="conflict-mine"], [data-test="conflict-theirs"]'
    for side in conflict.locator(sides).all():
        clipped = side.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        assert not clipped, side.inner_text()
    browser_errors.check()
